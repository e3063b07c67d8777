// `syncline export` / `syncline import` throughput on SQLite files (in process, the same code the
// CLI runs), in two runs: a database of 100,000 documents (20,000 with --quick) in two tables, one
// with an index - documents per second each way - and a database holding one 32 MB file - MB per
// second each way. For each run also how far the process's memory grew while it ran: a streaming
// export or import stays at a few tens of MB whatever the database's size.
// Standalone: `npx tsx bench/snapshot.bench.ts [--quick]`. Also a `Suite` for bench/run.ts.

import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { openServerStorage, type ServerStorage } from "../src/server/server-storage.js";
import { exportSnapshot } from "../src/server/snapshot/export-snapshot.js";
import { importSnapshot } from "../src/server/snapshot/import-snapshot.js";
import { FileStorage } from "../src/server/storage/file-storage.js";
import type { BenchResult, Suite } from "./lib/types.js";

const FILE_BYTES = 32 * 1024 * 1024;
const BATCH = 2_000;

/** One direction of one run. */
export interface Measured {
  ms: number;
  /**
   * Peak growth of JavaScript memory (heap and buffers) over the start, sampled every 20 ms:
   * what streaming keeps bounded.
   */
  memoryGrowthMb: number;
  /** The same for the resident set, which also holds SQLite's page cache (64 MiB per connection) and mapped file pages. */
  rssGrowthMb: number;
}

export interface SnapshotBenchResults {
  documents: number;
  documentsExport: Measured & { perSecond: number };
  documentsImport: Measured & { perSecond: number };
  fileExport: Measured & { mbPerSecond: number };
  fileImport: Measured & { mbPerSecond: number };
}

async function measured(fn: () => Promise<unknown>): Promise<Measured> {
  const usage = () => {
    const { heapUsed, arrayBuffers, rss } = process.memoryUsage();
    return { js: heapUsed + arrayBuffers, rss };
  };
  const base = usage();
  const peak = { ...base };
  const sample = () => {
    const now = usage();
    peak.js = Math.max(peak.js, now.js);
    peak.rss = Math.max(peak.rss, now.rss);
  };
  const sampler = setInterval(sample, 20);
  const started = performance.now();
  try {
    await fn();
  } finally {
    clearInterval(sampler);
  }
  const ms = performance.now() - started;
  sample();
  return { ms, memoryGrowthMb: (peak.js - base.js) / 1e6, rssGrowthMb: (peak.rss - base.rss) / 1e6 };
}

/** Seeds a database with `seed`, then measures its export and the import of that snapshot into a fresh one. */
async function roundTrip(seed: (storage: ServerStorage) => Promise<void>): Promise<{ exported: Measured; imported: Measured }> {
  const dir = mkdtempSync(join(tmpdir(), "syncline-snapshot-bench-"));
  try {
    const [source, target, file] = [join(dir, "source.sqlite"), join(dir, "target.sqlite"), join(dir, "bench.jsonl.gz")];
    const seeded = await openServerStorage(source);
    await seed(seeded).finally(() => seeded.close());
    const from = await openServerStorage(source);
    const exported = await measured(() => exportSnapshot(from, file)).finally(() => from.close());
    const into = await openServerStorage(target);
    const imported = await measured(() => importSnapshot(into, file)).finally(() => into.close());
    return { exported, imported };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Both runs.
 *
 * @example
 * const { documentsExport, documentsImport } = await benchSnapshot({ quick: true });
 */
export async function benchSnapshot(options: { quick?: boolean } = {}): Promise<SnapshotBenchResults> {
  const documents = options.quick ? 20_000 : 100_000;
  const docs = await roundTrip(async ({ db }) => {
    for (let start = 0; start < documents; start += BATCH) {
      await db.write(async (tx) => {
        for (let n = start; n < start + BATCH; n++) {
          await tx.db.insert(n % 2 === 0 ? "events" : "people", { n, key: `k${n % 97}`, body: `document ${n} `.repeat(8), big: BigInt(n) });
        }
      });
    }
  });
  const file = await roundTrip(async ({ db, blobs }) => {
    await new FileStorage({ db, blobs, baseUrl: () => "", now: Date.now, warn: () => {} }).store([randomBytes(FILE_BYTES)]);
  });
  const perSecond = (m: Measured) => ({ ...m, perSecond: Math.round((documents / m.ms) * 1000) });
  const mbPerSecond = (m: Measured) => ({ ...m, mbPerSecond: FILE_BYTES / 1e6 / (m.ms / 1000) });
  return {
    documents,
    documentsExport: perSecond(docs.exported),
    documentsImport: perSecond(docs.imported),
    fileExport: mbPerSecond(file.exported),
    fileImport: mbPerSecond(file.imported),
  };
}

const suite: Suite = {
  name: "snapshot",
  description: "syncline export / import of SQLite databases (no peer)",
  async run(options) {
    const result = await benchSnapshot(options);
    const count = result.documents.toLocaleString("en-US");
    const rows: [string, Measured, string][] = [
      [`export ${count} documents`, result.documentsExport, `${result.documentsExport.perSecond.toLocaleString("en-US")} documents/s`],
      [`import ${count} documents`, result.documentsImport, `${result.documentsImport.perSecond.toLocaleString("en-US")} documents/s`],
      ["export a 32 MB file", result.fileExport, `${result.fileExport.mbPerSecond.toFixed(0)} MB/s`],
      ["import a 32 MB file", result.fileImport, `${result.fileImport.mbPerSecond.toFixed(0)} MB/s`],
    ];
    return rows.flatMap(([label, m, rate]): BenchResult[] => [
      { label: `${label} (${rate})`, unit: "ms", syncline: { median: m.ms } },
      { label: `${label}: JS memory growth`, unit: "MB", syncline: { median: m.memoryGrowthMb } },
    ]);
  },
};
export default suite;

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const result = await benchSnapshot({ quick: process.argv.includes("--quick") });
  const count = result.documents.toLocaleString("en-US");
  const line = (label: string, m: Measured, rate: string) => console.log(`${label}: ${Math.round(m.ms)} ms, ${rate}, JS memory +${m.memoryGrowthMb.toFixed(0)} MB, RSS +${m.rssGrowthMb.toFixed(0)} MB`);
  line(`export ${count} documents`, result.documentsExport, `${result.documentsExport.perSecond.toLocaleString("en-US")} documents/s`);
  line(`import ${count} documents`, result.documentsImport, `${result.documentsImport.perSecond.toLocaleString("en-US")} documents/s`);
  line("export a 32 MB file", result.fileExport, `${result.fileExport.mbPerSecond.toFixed(0)} MB/s`);
  line("import a 32 MB file", result.fileImport, `${result.fileImport.mbPerSecond.toFixed(0)} MB/s`);
}

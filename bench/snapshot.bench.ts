// `syncline export` / `syncline import` throughput on SQLite files (in process, the same code the
// CLI runs): a database of 100,000 documents (20,000 with --quick) in two tables, one of them
// with an index, and a 16 MB file. Reports documents per second each way and how far the
// process's memory grew above where it started, sampled while each ran: a streaming export or
// import stays at a few tens of MB whatever the database's size.
// Standalone: `npx tsx bench/snapshot.bench.ts [--quick]`. Also a `Suite` for bench/run.ts.

import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { openServerStorage } from "../src/server/server-storage.js";
import { exportSnapshot } from "../src/server/snapshot/export-snapshot.js";
import { importSnapshot } from "../src/server/snapshot/import-snapshot.js";
import { FileStorage } from "../src/server/storage/file-storage.js";
import type { BenchResult, Suite } from "./lib/types.js";

const FILE_BYTES = 16 * 1024 * 1024;
const BATCH = 2_000;

export interface SnapshotBenchResults {
  documents: number;
  snapshotBytes: number;
  export: { ms: number; documentsPerSecond: number; memoryGrowthMb: number };
  import: { ms: number; documentsPerSecond: number; memoryGrowthMb: number };
}

/** Runs `fn`, sampling the resident set size; returns its time and the growth over the start. */
async function measured(fn: () => Promise<unknown>): Promise<{ ms: number; memoryGrowthMb: number }> {
  (globalThis as { gc?: () => void }).gc?.();
  const base = process.memoryUsage().rss;
  let peak = base;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  const started = performance.now();
  try {
    await fn();
  } finally {
    clearInterval(sampler);
  }
  const ms = performance.now() - started;
  peak = Math.max(peak, process.memoryUsage().rss);
  return { ms, memoryGrowthMb: (peak - base) / 1e6 };
}

/**
 * Seeds a database, exports it and imports the snapshot into a fresh one.
 *
 * @example
 * const { export: out, import: into } = await benchSnapshot({ quick: true });
 */
export async function benchSnapshot(options: { quick?: boolean } = {}): Promise<SnapshotBenchResults> {
  const documents = options.quick ? 20_000 : 100_000;
  const dir = mkdtempSync(join(tmpdir(), "syncline-snapshot-bench-"));
  try {
    const [source, target, file] = [join(dir, "source.sqlite"), join(dir, "target.sqlite"), join(dir, "bench.jsonl.gz")];
    const seeded = await openServerStorage(source);
    try {
      for (let start = 0; start < documents; start += BATCH) {
        await seeded.db.write(async (tx) => {
          for (let n = start; n < start + BATCH; n++) {
            await tx.db.insert(n % 2 === 0 ? "events" : "people", { n, key: `k${n % 97}`, body: `document ${n} `.repeat(8), big: BigInt(n) });
          }
        });
      }
      const files = new FileStorage({ db: seeded.db, blobs: seeded.blobs, baseUrl: () => "", now: Date.now, warn: () => {} });
      await files.store([randomBytes(FILE_BYTES)]);
    } finally {
      await seeded.close();
    }

    const from = await openServerStorage(source);
    const exported = await measured(() => exportSnapshot(from, file)).finally(() => from.close());
    const into = await openServerStorage(target);
    const imported = await measured(() => importSnapshot(into, file)).finally(() => into.close());
    const perSecond = (ms: number) => Math.round((documents / ms) * 1000);
    return {
      documents,
      snapshotBytes: statSync(file).size,
      export: { ...exported, documentsPerSecond: perSecond(exported.ms) },
      import: { ...imported, documentsPerSecond: perSecond(imported.ms) },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const suite: Suite = {
  name: "snapshot",
  description: "syncline export / import of a SQLite database with a 16 MB file (no peer)",
  async run(options) {
    const result = await benchSnapshot(options);
    const count = result.documents.toLocaleString("en-US");
    const results: BenchResult[] = [
      { label: `export ${count} documents + 16 MB file (${result.export.documentsPerSecond.toLocaleString("en-US")} documents/s)`, unit: "ms", syncline: { median: result.export.ms } },
      { label: `import ${count} documents + 16 MB file (${result.import.documentsPerSecond.toLocaleString("en-US")} documents/s)`, unit: "ms", syncline: { median: result.import.ms } },
      { label: "export: memory growth while running", unit: "MB", syncline: { median: result.export.memoryGrowthMb } },
      { label: "import: memory growth while running", unit: "MB", syncline: { median: result.import.memoryGrowthMb } },
    ];
    return results;
  },
};
export default suite;

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const result = await benchSnapshot({ quick: process.argv.includes("--quick") });
  const count = result.documents.toLocaleString("en-US");
  console.log(`snapshot of ${count} documents + 16 MB file: ${(result.snapshotBytes / 1e6).toFixed(1)} MB`);
  console.log(`export: ${Math.round(result.export.ms)} ms, ${result.export.documentsPerSecond.toLocaleString("en-US")} documents/s, memory +${result.export.memoryGrowthMb.toFixed(0)} MB`);
  console.log(`import: ${Math.round(result.import.ms)} ms, ${result.import.documentsPerSecond.toLocaleString("en-US")} documents/s, memory +${result.import.memoryGrowthMb.toFixed(0)} MB`);
}

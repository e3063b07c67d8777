// Full-text and vector search on both engines (SQLite, and PostgreSQL when installed): search
// latency over 100,000 documents, insert throughput with and without a search index on the
// table, and vector top-10 latency over 10,000 vectors of 1,536 dimensions (and the first
// search, which loads the index's vectors).
// Standalone: `npx tsx bench/search.bench.ts [--quick]`. Also a `Suite` for bench/run.ts.

import { pathToFileURL } from "node:url";
import { defineSchema, defineTable } from "../src/server/define/schema.js";
import { openDatabase, type OpenedDatabase } from "../src/server/db/index.js";
import { VECTOR_SEARCH, type Reader } from "../src/server/db/reader.js";
import { v } from "../src/values/index.js";
import type { BenchResult, Suite } from "./lib/types.js";
import { benchCluster, PG } from "./lib/postgres.js";
import { prng } from "./lib/prng.js";

/** Where a benchmark opens its fresh database: its row label prefix and how to open one. */
export interface BenchEngine {
  prefix: string;
  open(): Promise<OpenedDatabase>;
}

const SQLITE: BenchEngine = { prefix: "", open: () => openDatabase({ path: ":memory:" }) };

/** SQLite in memory, and a fresh database on the benchmark cluster when PostgreSQL is installed. */
async function engines(): Promise<BenchEngine[]> {
  const out: BenchEngine[] = [SQLITE];
  const cluster = await benchCluster();
  if (cluster !== undefined) out.push({ prefix: PG, open: () => openDatabase({ path: cluster.createDatabase() }) });
  return out;
}

const VOCABULARY = 5_000;
const WORDS_PER_DOC = 12;

const fields = { body: v.string(), channel: v.string() };
const searchSchema = defineSchema({ messages: defineTable(fields).searchIndex("search_body", { searchField: "body", filterFields: ["channel"] }) });
const plainSchema = defineSchema({ messages: defineTable(fields) });

/** A word of a skewed vocabulary (low numbers are common, as in real text). */
function word(random: () => number): string {
  return `w${Math.floor(VOCABULARY * random() ** 2).toString(36)}`;
}

function sentence(random: () => number): string {
  return Array.from({ length: WORDS_PER_DOC }, () => word(random)).join(" ");
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
}

async function timeSamples(samples: number, once: () => Promise<void>): Promise<{ median: number; p99: number }> {
  for (let i = 0; i < Math.min(50, samples); i++) await once();
  const times: number[] = [];
  for (let i = 0; i < samples; i++) {
    const started = performance.now();
    await once();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return { median: percentile(times, 0.5), p99: percentile(times, 0.99) };
}

/** Search latency (two-word query, take(10)) over `docs` documents. */
export async function benchSearch(docs: number, samples: number, engine: BenchEngine = SQLITE): Promise<BenchResult> {
  const db = await engine.open();
  try {
    await db.setSchema(searchSchema);
    const random = prng(7);
    for (let start = 0; start < docs; start += 5_000) {
      await db.write(async (tx) => {
        for (let i = start; i < Math.min(docs, start + 5_000); i++) await tx.db.insert("messages", { body: sentence(random), channel: `c${i % 10}` });
      });
    }
    const stats = await timeSamples(samples, async () => {
      const text = `${word(random)} ${word(random)}`;
      await db.read((tx) =>
        tx.db
          .query("messages")
          .withSearchIndex("search_body", (q) => q.search("body", text))
          .take(10),
      );
    });
    return { label: `${engine.prefix}search: two-word query, take(10), ${docs.toLocaleString("en-US")} docs of ${WORDS_PER_DOC} words`, unit: "ms", syncline: stats, samples };
  } finally {
    await db.close();
  }
}

/** Single-insert write throughput from 50 concurrent callers, on `db` with its schema set. */
async function insertRate(db: OpenedDatabase, writes: number): Promise<number> {
  const random = prng(11);
  const callers = 50;
  const perCaller = Math.ceil(writes / callers);
  const started = performance.now();
  await Promise.all(
    Array.from({ length: callers }, async (_, c) => {
      for (let i = 0; i < perCaller; i++) await db.write((tx) => tx.db.insert("messages", { body: sentence(random), channel: `c${c % 10}` }));
    }),
  );
  return (performance.now() - started) / 1000 / (perCaller * callers);
}

/** Per-document insert cost with and without a search index (12-word bodies, one filter field). */
export async function benchSearchWrites(writes: number, engine: BenchEngine = SQLITE): Promise<BenchResult[]> {
  const out: BenchResult[] = [];
  for (const [name, schema] of [["without", plainSchema], ["with", searchSchema]] as const) {
    const db = await engine.open();
    try {
      await db.setSchema(schema);
      await insertRate(db, 500); // warm up
      const seconds = await insertRate(db, writes);
      out.push({ label: `${engine.prefix}write: single insert per write(), 50 callers, ${name} a search index, per document`, unit: "µs", syncline: { median: seconds * 1e6 }, samples: writes });
    } finally {
      await db.close();
    }
  }
  return out;
}

function cpuMs(usage: NodeJS.CpuUsage): number {
  return (usage.user + usage.system) / 1000;
}

/** Vector top-10 latency over `count` vectors of `dimensions` (cache warm), and the first search (cache load). */
export async function benchVectorSearch(count: number, dimensions: number, samples: number, engine: BenchEngine = SQLITE): Promise<BenchResult[]> {
  const db = await engine.open();
  try {
    await db.setSchema(
      defineSchema({ docs: defineTable({ embedding: v.array(v.float64()) }).vectorIndex("by_embedding", { vectorField: "embedding", dimensions }) }),
    );
    const random = prng(3);
    const vector = () => Array.from({ length: dimensions }, () => random() * 2 - 1);
    for (let start = 0; start < count; start += 1_000) {
      await db.write(async (tx) => {
        for (let i = start; i < Math.min(count, start + 1_000); i++) await tx.db.insert("docs", { embedding: vector() });
      });
    }
    const search = async () => {
      const query = vector();
      const { result } = await db.read((tx) => (tx.db as unknown as Reader)[VECTOR_SEARCH]("docs", "by_embedding", { vector: query, limit: 10 }));
      if (result.length !== 10) throw new Error(`expected 10 results, got ${result.length}`);
    };
    // CPU time of this process as well as wall time: on a loaded machine the wall time is mostly waiting.
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    await search();
    const first = performance.now() - started;
    const firstCpu = cpuMs(process.cpuUsage(cpuBefore));
    const warmCpuBefore = process.cpuUsage();
    const stats = await timeSamples(samples, search);
    // timeSamples also runs up to 50 warm-up searches.
    const warmCpu = cpuMs(process.cpuUsage(warmCpuBefore)) / (samples + Math.min(50, samples));
    const size = `${count.toLocaleString("en-US")} x ${dimensions.toLocaleString("en-US")}`;
    return [
      { label: `${engine.prefix}vector: top-10 cosine, ${size}`, unit: "ms", syncline: stats, samples },
      { label: `${engine.prefix}vector: top-10 cosine, ${size}, CPU time of this process per search (mean)`, unit: "ms", syncline: { median: warmCpu }, samples },
      { label: `${engine.prefix}vector: first search (loads the index's vectors), ${size}`, unit: "ms", syncline: { median: first }, samples: 1 },
      { label: `${engine.prefix}vector: first search, CPU time of this process`, unit: "ms", syncline: { median: firstCpu }, samples: 1 },
    ];
  } finally {
    await db.close();
  }
}

const suite: Suite = {
  name: "search",
  description: "full-text search, writes with a search index, and vector search on SQLite and (when installed) PostgreSQL (no peer)",
  async run(options) {
    const quick = options.quick;
    const results: BenchResult[] = [];
    for (const engine of await engines()) {
      results.push(await benchSearch(quick ? 20_000 : 100_000, quick ? 100 : 1_000, engine));
      results.push(...(await benchSearchWrites(quick ? 1_000 : 5_000, engine)));
      results.push(...(await benchVectorSearch(quick ? 2_000 : 10_000, 1_536, quick ? 20 : 100, engine)));
    }
    return results;
  },
};
export default suite;

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  for (const row of await suite.run({ quick: process.argv.includes("--quick") })) {
    const p99 = row.syncline.p99 === undefined ? "" : `, p99 ${row.syncline.p99.toFixed(3)}`;
    console.log(`${row.label}: median ${row.syncline.median.toFixed(3)}${p99} ${row.unit}`);
  }
}

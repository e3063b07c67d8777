// The embedded database: an indexed take(50) inside db.read on a 100,000-document table, and
// single-document insert throughput from 1 and from 50 concurrent writers (group commit).
// Standalone: `npx tsx bench/db.bench.ts [--quick]`. Also a `Suite` for bench/run.ts.

import { pathToFileURL } from "node:url";
import { defineSchema, defineTable } from "../src/server/define/schema.js";
import { openDatabase, type OpenedDatabase } from "../src/server/db/index.js";
import { v } from "../src/values/index.js";
import { benchCluster, PG } from "./lib/postgres.js";
import type { BenchResult, Suite } from "./lib/types.js";
import { prng } from "./lib/prng.js";

export interface LatencyResult {
  label: string;
  medianMs: number;
  p99Ms: number;
}

export interface ThroughputResult {
  label: string;
  docsPerSecond: number;
  /** Median latency of one write() call. */
  medianMs: number;
}

const schema = defineSchema({
  items: defineTable({ x: v.number(), title: v.string(), done: v.boolean() }).index("by_x", ["x"]),
});

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
}


async function fill(db: OpenedDatabase, docs: number, distinct: number): Promise<void> {
  const perWrite = 10_000;
  for (let start = 0; start < docs; start += perWrite) {
    await db.write(async (tx) => {
      for (let i = start; i < Math.min(docs, start + perWrite); i++) {
        await tx.db.insert("items", { x: i % distinct, title: `item number ${i}`, done: i % 3 === 0 });
      }
    });
  }
}

/**
 * Median and p99 of `withIndex("by_x", q => q.eq("x", k)).take(50)` inside `db.read` on a
 * 100,000-document table (100 documents per key).
 *
 * @example
 * const [row] = await benchIndexTake(); console.log(row.medianMs);
 */
export async function benchIndexTake(options: { docs?: number; samples?: number; path?: string } = {}): Promise<LatencyResult[]> {
  const docs = options.docs ?? 100_000;
  const samples = options.samples ?? 5_000;
  const distinct = Math.max(1, Math.floor(docs / 100));
  const db = await openDatabase({ path: options.path ?? ":memory:" });
  try {
    await db.setSchema(schema);
    await fill(db, docs, distinct);
    const random = prng(42);
    const takeOnce = async () => {
      const k = Math.floor(random() * distinct);
      const { result } = await db.read((tx) =>
        tx.db
          .query("items")
          .withIndex("by_x", (q) => q.eq("x", k))
          .take(50),
      );
      if (result.length !== Math.min(50, docs / distinct)) throw new Error(`expected 50 rows, got ${result.length}`);
    };
    for (let i = 0; i < Math.min(500, samples); i++) await takeOnce(); // warm up caches and the JIT
    const times: number[] = [];
    for (let i = 0; i < samples; i++) {
      const started = performance.now();
      await takeOnce();
      times.push(performance.now() - started);
    }
    times.sort((a, b) => a - b);
    return [
      {
        label: `read: withIndex eq + take(50), ${docs.toLocaleString("en-US")} docs`,
        medianMs: percentile(times, 0.5),
        p99Ms: percentile(times, 0.99),
      },
    ];
  } finally {
    await db.close();
  }
}

/**
 * Single-document insert throughput (each insert its own write()), from 1 caller and from 50
 * concurrent callers.
 *
 * @example
 * for (const row of await benchInserts()) console.log(row.label, row.docsPerSecond);
 */
export async function benchInserts(options: { writes?: number; path?: () => string } = {}): Promise<ThroughputResult[]> {
  const writes = options.writes ?? 5_000;
  const out: ThroughputResult[] = [];
  for (const callers of [1, 50]) {
    const db = await openDatabase({ path: options.path?.() ?? ":memory:" });
    try {
      await db.setSchema(schema);
      const latencies: number[] = [];
      const perCaller = Math.ceil(writes / callers);
      const caller = async (c: number) => {
        for (let i = 0; i < perCaller; i++) {
          const started = performance.now();
          await db.write((tx) => tx.db.insert("items", { x: c * perCaller + i, title: `row ${i}`, done: false }));
          latencies.push(performance.now() - started);
        }
      };
      await caller(-1); // warm up (a few hundred writes)
      latencies.length = 0;
      const started = performance.now();
      await Promise.all(Array.from({ length: callers }, (_, c) => caller(c)));
      const seconds = (performance.now() - started) / 1000;
      latencies.sort((a, b) => a - b);
      const total = perCaller * callers;
      out.push({
        label: `write: single insert per write(), ${callers} concurrent caller${callers > 1 ? "s" : ""} (batches: ${db.stats().batches})`,
        docsPerSecond: Math.round(total / seconds),
        medianMs: percentile(latencies, 0.5),
      });
    } finally {
      await db.close();
    }
  }
  return out;
}

const suite: Suite = {
  name: "db",
  description: "the database, SQLite and (when installed) PostgreSQL: indexed reads and group-committed inserts (no peer)",
  async run(options) {
    const results: BenchResult[] = [];
    const engines: { prefix: string; path: (() => string) | undefined }[] = [{ prefix: "", path: undefined }];
    const cluster = await benchCluster();
    if (cluster !== undefined) engines.push({ prefix: PG, path: () => cluster.createDatabase() });
    for (const { prefix, path } of engines) {
      const reads = await benchIndexTake({ ...(options.quick ? { docs: 20_000, samples: 500 } : {}), ...(path ? { path: path() } : {}) });
      for (const row of reads) results.push({ label: `${prefix}${row.label}`, unit: "ms", syncline: { median: row.medianMs, p99: row.p99Ms } });
      const inserts = await benchInserts({ ...(options.quick ? { writes: 1_000 } : {}), ...(path ? { path } : {}) });
      for (const row of inserts) results.push({ label: `${prefix}${row.label}, per document`, unit: "µs", syncline: { median: 1e6 / row.docsPerSecond } });
    }
    return results;
  },
};
export default suite;

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const quick = process.argv.includes("--quick");
  for (const row of await benchIndexTake(quick ? { docs: 20_000, samples: 500 } : {})) {
    console.log(`${row.label}: median ${row.medianMs.toFixed(3)} ms, p99 ${row.p99Ms.toFixed(3)} ms`);
  }
  for (const row of await benchInserts(quick ? { writes: 1_000 } : {})) {
    console.log(`${row.label}: ${row.docsPerSecond.toLocaleString("en-US")} docs/s, median latency ${row.medianMs.toFixed(3)} ms`);
  }
}

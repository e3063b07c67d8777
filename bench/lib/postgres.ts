// PostgreSQL for the benchmarks: a temp cluster (test/helpers/postgres-cluster.ts) with fsync ON,
// so a Postgres commit pays a real flush as a SQLite one does; a fresh database per server; and
// pgbench's simple-update (-N) transactions per second on that same cluster as the ceiling a
// Postgres-backed server can approach. Benchmarks skip the Postgres rows when PostgreSQL is not
// installed.

import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { postgresBin, startPostgresCluster, type PostgresCluster } from "../../test/helpers/postgres-cluster.js";
import { throughputRow } from "./latency.js";
import type { BenchResult } from "./types.js";

/** Durable settings: the test defaults turn fsync off. */
const DURABLE = { fsync: "on", full_page_writes: "on", synchronous_commit: "on", max_connections: "200", shared_buffers: "128MB" };

let shared: Promise<PostgresCluster> | undefined;

/**
 * The benchmark run's cluster (started on first use, removed at exit), or undefined without PostgreSQL.
 *
 * @example
 * const cluster = await benchCluster(); if (cluster) url = cluster.createDatabase();
 */
export async function benchCluster(): Promise<PostgresCluster | undefined> {
  if (postgresBin() === undefined) return undefined;
  shared ??= startPostgresCluster(DURABLE).then((cluster) => {
    process.once("exit", () => cluster.destroy());
    return cluster;
  });
  return shared;
}

/** Row label prefix of the Postgres engine's rows. */
export const PG = "[postgres] ";

/**
 * `pgbench -N` (simple update: the write of one row per transaction, durable) with `clients`
 * connections for `seconds`, on the benchmark cluster.
 *
 * @example
 * results.push(await pgbenchRow(cluster, 50, 10));
 */
export function pgbenchRow(cluster: PostgresCluster, clients: number, seconds: number): BenchResult {
  const url = cluster.createDatabase(`pgbench_${Date.now()}`);
  const name = url.split("/").pop()!;
  const bin = postgresBin()!;
  const args = ["-h", cluster.dir, "-p", String(cluster.port), "-U", "postgres"];
  execFileSync(join(bin, "pgbench"), [...args, "-i", "-q", "-s", "1", name], { stdio: "ignore" });
  const output = execFileSync(join(bin, "pgbench"), [...args, "-N", "-c", String(clients), "-j", "2", "-T", String(seconds), name], { encoding: "utf8" });
  const tps = Number(/tps = ([\d.]+)/.exec(output)?.[1] ?? "0");
  const transactions = Number(/number of transactions actually processed: (\d+)/.exec(output)?.[1] ?? "0");
  return throughputRow(`${PG}pgbench -N (simple update, the ceiling), ${clients} clients`, transactions, (transactions / tps) * 1000);
}

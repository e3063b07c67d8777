// The many-distinct-subscriptions rows of the sync suite alone (issue 22's heap aim): 10,000
// subscriptions on one socket, time to the first complete transition and the server thread's
// heap per subscription after GC, on SQLite and, when installed, on PostgreSQL.
//
// `npx tsx bench/heap-per-subscription.ts [sqlite|postgres]` (both by default); ROUNDS=<n>
// measured rounds (3); BENCH_HEAP_SNAPSHOT=<dir> keeps heap snapshots of the last round.

import { pathToFileURL } from "node:url";
import { BenchServer } from "./lib/bench-server.js";
import { benchCluster, PG } from "./lib/postgres.js";
import { formatResults } from "./lib/table.js";
import type { BenchResult } from "./lib/types.js";
import { benchManySubscriptions } from "./sync.bench.js";

async function main(): Promise<void> {
  const sizes = { subscriptions: 10_000, subscriptionRounds: Number(process.env.ROUNDS ?? 3) };
  const engine = process.argv[2];
  const results: BenchResult[] = [];
  if (engine !== "postgres") {
    const server = await BenchServer.start({ db: "file" });
    try {
      results.push(...(await benchManySubscriptions(server, sizes)));
    } finally {
      await server.close();
    }
  }
  const cluster = engine === "sqlite" ? undefined : await benchCluster();
  if (cluster !== undefined) {
    const server = await BenchServer.start({ db: { url: cluster.createDatabase() } });
    try {
      results.push(...(await benchManySubscriptions(server, sizes)).map((row) => ({ ...row, label: PG + row.label })));
    } finally {
      await server.close();
    }
  }
  console.log(formatResults(results));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  await main();
  process.exit(0); // the shared Postgres cluster is removed at exit
}

// What a group commit costs the Postgres backend, counted by pg_stat_statements on a cluster of
// this file's own: a batch of insert mutations runs a handful of statements (BEGIN, the pid and
// epoch check, a multi-row insert per 128 documents, the commit log, COMMIT), never one per
// mutation, and no savepoint - every savepoint that wrote is a subtransaction, the backend's largest
// cost per mutation before writes were held (postgres/held-writes.ts). A mutation that reads
// after it wrote gets the one savepoint it needs.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type OpenedDatabase } from "../../../src/server/db/index.js";
import { startPostgresCluster, type PostgresCluster } from "../../helpers/postgres-cluster.js";

let cluster: PostgresCluster;
let db: OpenedDatabase;
let database: string;

beforeAll(async () => {
  cluster = await startPostgresCluster({ shared_preload_libraries: "pg_stat_statements", "pg_stat_statements.track": "all" });
  cluster.psql("CREATE EXTENSION pg_stat_statements"); // in `postgres`: the app's database must hold only Syncline's tables
  const url = cluster.createDatabase();
  database = new URL(url).pathname.slice(1);
  db = await openDatabase({ path: url });
  await db.write(async (tx) => {
    await tx.db.insert("notes", { body: "warm-up" });
    await tx.db.insert("records", { request: -1 });
  });
}, 120_000);
afterAll(async () => {
  await db?.close();
  cluster?.destroy();
});

/** Statements the app's database ran since the last reset: calls per statement text. */
function statements(): Map<string, number> {
  const rows = cluster.psql(
    `SELECT calls, regexp_replace(query, '\\s+', ' ', 'g') FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = '${database}')`,
  );
  const calls = new Map<string, number>();
  for (const line of rows.trim().split("\n").filter(Boolean)) {
    const bar = line.indexOf("|");
    calls.set(line.slice(bar + 1), Number(line.slice(0, bar)));
  }
  return calls;
}

const total = (calls: Map<string, number>) => [...calls.values()].reduce((sum, n) => sum + n, 0);
const matching = (calls: Map<string, number>, pattern: RegExp) => [...calls].filter(([text]) => pattern.test(text)).reduce((sum, [, n]) => sum + n, 0);

describe("statements per group commit on PostgreSQL", () => {
  it("a batch of 200 mutations, each inserting two documents, runs a handful of statements and no savepoint", async () => {
    cluster.psql("SELECT pg_stat_statements_reset()");
    const batchesBefore = db.stats().batches;
    await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        db.write(async (tx) => {
          await tx.db.insert("notes", { body: `note ${i}` });
          await tx.db.insert("records", { request: i });
        }),
      ),
    );
    const batches = db.stats().batches - batchesBefore;
    const calls = statements();
    expect(matching(calls, /SAVEPOINT/i)).toBe(0);
    // Multi-row inserts: one per 128 held documents (sent while later mutations run), or fewer.
    const inserts = matching(calls, /INSERT INTO syncline_documents/);
    expect(inserts).toBeLessThanOrEqual(batches + Math.floor(400 / 128));
    expect(matching(calls, /INSERT INTO syncline_commit_log/)).toBe(batches);
    expect(total(calls)).toBeLessThanOrEqual(batches * 4 + inserts); // BEGIN, checks, log, COMMIT
    const { result } = await db.read(async (tx) => [(await tx.db.query("notes").collect()).length, (await tx.db.query("records").collect()).length]);
    expect(result).toEqual([201, 201]);
  });

  it("a mutation that reads after it wrote opens one savepoint; its batch neighbours none", async () => {
    cluster.psql("SELECT pg_stat_statements_reset()");
    const batchesBefore = db.stats().batches;
    const plain = (i: number) => db.write((tx) => tx.db.insert("notes", { body: `plain ${i}` }));
    const [, counted] = await Promise.all([
      plain(0),
      db.write(async (tx) => {
        await tx.db.insert("notes", { body: "reader" });
        return (await tx.db.query("notes").collect()).length;
      }),
      plain(1),
    ]);
    expect(db.stats().batches - batchesBefore).toBe(1);
    expect(counted.result).toBe(203); // its own write and the one before it in the batch
    const calls = statements();
    expect(matching(calls, /^SAVEPOINT/i)).toBe(1);
    expect(matching(calls, /^RELEASE SAVEPOINT/i)).toBe(1);
    expect(matching(calls, /INSERT INTO syncline_documents/)).toBe(3); // before the read; the reader's own; the one after
  });
});

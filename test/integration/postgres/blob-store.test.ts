// File contents in PostgreSQL written by several nodes at once: a node starting up clears only
// uploads left long ago, never one another node is receiving; a blob whose staged chunks were
// removed anyway is refused at commit instead of being stored with holes; two nodes committing
// the same bytes store them once.

import { createHash } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHUNK, isStaleStaging, PostgresBlobStore, STALE_STAGING_MS } from "../../../src/server/db/postgres/blob-store.js";
import { openDatabase } from "../../../src/server/db/index.js";
import { startPostgresCluster, type PostgresCluster } from "../../helpers/postgres-cluster.js";

let cluster: PostgresCluster;
const pools: pg.Pool[] = [];

beforeAll(async () => {
  cluster = await startPostgresCluster();
}, 120_000);
afterAll(async () => {
  await Promise.all(pools.map((pool) => pool.end()));
  cluster?.destroy();
});

/** A fresh database with Syncline's tables, and `count` pools on it (one per "node"). */
async function nodes(count: number): Promise<pg.Pool[]> {
  const url = cluster.createDatabase();
  await (await openDatabase({ path: url })).close(); // installs the tables
  return Array.from({ length: count }, () => {
    const pool = new pg.Pool({ connectionString: url, max: 2 });
    pools.push(pool);
    return pool;
  });
}

const keyOf = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");
const stagedKeys = async (pool: pg.Pool) => (await pool.query<{ key: string }>("SELECT DISTINCT key FROM syncline_blob_chunks WHERE key LIKE 'staging-%'")).rows.map((row) => row.key);

/** Bytes fed one chunk at a time; `between` runs after the first chunk was written. */
async function* slowly(data: Uint8Array, between: () => Promise<void>): AsyncGenerator<Uint8Array> {
  yield data.subarray(0, CHUNK);
  // The store writes the first chunk before asking for the next one.
  await between();
  yield data.subarray(CHUNK);
}

describe("PostgresBlobStore on several nodes", () => {
  it("a node starting up while another receives an upload leaves that upload alone; the blob is stored whole", async () => {
    const [a, b] = await nodes(2);
    const storeA = await PostgresBlobStore.open(a!);
    const data = new Uint8Array(CHUNK * 2 + 10).map((_, i) => i % 251);
    let stagedDuringStart: string[] = [];
    const staged = await storeA.stage(
      slowly(data, async () => {
        await PostgresBlobStore.open(b!); // another node starts
        stagedDuringStart = await stagedKeys(b!);
      }),
    );
    expect(stagedDuringStart).toHaveLength(1);
    await staged.commit();
    const read = await (await PostgresBlobStore.open(b!)).read(keyOf(data));
    expect(read && Buffer.compare(Buffer.from(read), Buffer.from(data))).toBe(0);
  });

  it("staging left long ago (or named by an older server) is cleared by the next node to start", async () => {
    const [a] = await nodes(1);
    const now = Date.now();
    const old = `staging-${(now - STALE_STAGING_MS - 1).toString(36)}-${"0".repeat(24)}`;
    const fresh = `staging-${(now - 60_000).toString(36)}-${"1".repeat(24)}`;
    const legacy = `staging-${"2".repeat(24)}`;
    for (const key of [old, fresh, legacy]) await a!.query("INSERT INTO syncline_blob_chunks (key, seq, data) VALUES ($1, 0, $2)", [key, Buffer.from("x")]);
    await PostgresBlobStore.open(a!, now);
    expect(await stagedKeys(a!)).toEqual([fresh]);
    expect([old, fresh, legacy].map((key) => isStaleStaging(key, now))).toEqual([true, false, true]);
  });

  it("a blob whose staged chunks were removed while it was received is refused at commit: nothing is stored", async () => {
    const [a] = await nodes(1);
    const store = await PostgresBlobStore.open(a!);
    const data = new Uint8Array(CHUNK + 5).fill(7);
    const staged = await store.stage(slowly(data, async () => void (await a!.query("DELETE FROM syncline_blob_chunks WHERE key LIKE 'staging-%'"))));
    await expect(staged.commit()).rejects.toThrow(/staged contents were removed.*send it again/);
    expect(await store.keys()).toEqual([]);
    expect(await stagedKeys(a!)).toEqual([]);
    expect((await a!.query("SELECT count(*)::int AS n FROM syncline_blob_chunks")).rows[0].n).toBe(0);
  });

  it("two nodes storing the same bytes at once store them once", async () => {
    const [a, b] = await nodes(2);
    const data = new TextEncoder().encode("the same bytes from two nodes");
    const [stagedA, stagedB] = await Promise.all([(await PostgresBlobStore.open(a!)).stage([data]), (await PostgresBlobStore.open(b!)).stage([data])]);
    await Promise.all([stagedA.commit(), stagedB.commit()]);
    expect((await a!.query("SELECT count(*)::int AS n FROM syncline_blob_chunks")).rows[0].n).toBe(1);
    expect(await (await PostgresBlobStore.open(a!)).keys()).toEqual([keyOf(data)]);
  });
});

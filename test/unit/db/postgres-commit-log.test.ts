// The Postgres engine's commit log: one row per committed mutation with its timestamp and write
// set (what read sets are checked against, for servers that follow the log), nothing for a
// mutation that threw, and rows older than the retention pruned. Runs in the "postgres" project.

import { describe, expect, it } from "vitest";
import pg from "pg";
import { openDatabase } from "../../../src/server/db/index.js";
import { decodeWrites, encodeWrites } from "../../../src/server/db/postgres/write-set-codec.js";
import { TEST_ENGINE, testDatabase } from "../../helpers/test-database.js";
import { rejection } from "./helpers.js";

async function logRows(url: string): Promise<{ ts: bigint; writes: { indexId: number; key: Uint8Array }[] }[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ ts: string; writes: Buffer }>("SELECT ts::text AS ts, writes FROM syncline_commit_log ORDER BY ts");
    return rows.map((row) => ({ ts: BigInt(row.ts), writes: decodeWrites(row.writes) }));
  } finally {
    await client.end();
  }
}

describe("write sets as bytes", () => {
  it("round-trip, empty keys and empty sets included, and refuse damaged bytes", () => {
    const writes = [
      { indexId: 1, key: new Uint8Array([1, 2, 3]) },
      { indexId: 2 ** 31, key: new Uint8Array(0) },
    ];
    expect(decodeWrites(encodeWrites(writes))).toEqual(writes);
    expect(decodeWrites(encodeWrites([]))).toEqual([]);
    expect(() => decodeWrites(encodeWrites(writes).subarray(0, 10))).toThrow("damaged commit log entry");
  });
});

describe.skipIf(TEST_ENGINE !== "postgres")("the commit log", () => {
  it("holds each committed mutation's timestamp and write set, and nothing of one that threw", async () => {
    const url = testDatabase();
    const db = await openDatabase({ path: url });
    try {
      const first = await db.write((tx) => tx.db.insert("notes", { n: 1 }));
      await rejection(
        db.write(async (tx) => {
          await tx.db.insert("notes", { n: 2 });
          throw new Error("no");
        }),
      );
      const second = await db.write(async (tx) => tx.db.patch(first.result, { n: 3 }));
      const rows = await logRows(url);
      expect(rows.map((row) => row.ts)).toEqual([first.ts, second.ts]);
      expect(rows[0]!.writes).toEqual(first.writeSet.writes.map((w) => ({ indexId: w.indexId, key: new Uint8Array(w.key) })));
      expect(rows[1]!.writes).toEqual(second.writeSet.writes.map((w) => ({ indexId: w.indexId, key: new Uint8Array(w.key) })));
    } finally {
      await db.close();
    }
  });

  it("prunes rows older than the retention", async () => {
    const url = testDatabase();
    const db = await openDatabase({ path: url, commitLogRetentionMs: 0 });
    try {
      await db.write((tx) => tx.db.insert("notes", { n: 1 }));
      const kept = await db.write((tx) => tx.db.insert("notes", { n: 2 }));
      // The first batch pruned (nothing older yet); the next prune comes a minute later.
      expect((await logRows(url)).map((row) => row.ts)).toContain(kept.ts);
    } finally {
      await db.close();
    }
    const reopened = await openDatabase({ path: url, commitLogRetentionMs: 0 });
    try {
      const last = await reopened.write((tx) => tx.db.insert("notes", { n: 3 }));
      expect((await logRows(url)).map((row) => row.ts)).toEqual([last.ts]);
    } finally {
      await reopened.close();
    }
  });

  it("keeps timestamps increasing across a restart", async () => {
    const url = testDatabase();
    const db = await openDatabase({ path: url });
    const before = await db.write((tx) => tx.db.insert("notes", { n: 1 }));
    await db.close();
    const reopened = await openDatabase({ path: url });
    try {
      const after = await reopened.write((tx) => tx.db.insert("notes", { n: 2 }));
      expect(after.ts > before.ts).toBe(true);
      expect(reopened.latestTimestamp()).toBe(after.ts);
    } finally {
      await reopened.close();
    }
  });
});

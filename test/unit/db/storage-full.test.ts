// A database with no room left (SQLite's size limit stands in for a full disk: SQLite answers
// both with SQLITE_FULL and rolls the whole transaction back): only the write that met it fails,
// with a retryable StorageFullError; writes of the same batch are kept whole; a mutation that
// catches the error and goes on stores nothing; reads go on; freeing room or raising the limit
// lets writes succeed again at once. The "no space" codes of the OS and of Postgres map to the
// same error.

import { describe, expect, it } from "vitest";
import { EmbeddedDatabase, StorageFullError, type OpenedDatabase } from "../../../src/server/db/index.js";
import { asStorageFull, isNoSpace } from "../../../src/server/db/storage-full.js";
import { TEST_ENGINE } from "../../helpers/test-database.js";
import { rejection, testDb } from "./helpers.js";

const LIMIT = 512 * 1024;
const CHUNK = 32 * 1024;

/** A SQLite database capped at LIMIT bytes, filled with CHUNK-sized documents until a write is refused. */
async function fullDatabase(): Promise<{ db: EmbeddedDatabase; kept: number }> {
  const db = (await testDb({ maxSizeBytes: LIMIT })) as OpenedDatabase;
  if (!(db instanceof EmbeddedDatabase)) throw new Error("expected SQLite");
  for (let kept = 0; kept < 1000; kept++) {
    try {
      await db.write((tx) => tx.db.insert("chunks", { n: kept, body: "c".repeat(CHUNK) }));
    } catch (error) {
      expect(error).toBeInstanceOf(StorageFullError);
      return { db, kept };
    }
  }
  throw new Error(`the database never filled up under its ${LIMIT}-byte limit`);
}

async function chunkNumbers(db: OpenedDatabase): Promise<number[]> {
  const { result } = await db.read(async (tx) => (await tx.db.query("chunks").collect()).map((doc) => doc.n as number));
  return result.sort((a, b) => a - b);
}

describe.runIf(TEST_ENGINE === "sqlite")("SQLite at its size limit", () => {
  it("refuses the write that needs room with a retryable StorageFullError naming the database, keeps every acknowledged one, and reads go on", async () => {
    const { db, kept } = await fullDatabase();
    expect(kept).toBeGreaterThan(5);
    const error = await rejection(db.write((tx) => tx.db.insert("chunks", { n: -1, body: "c".repeat(CHUNK) })));
    expect(error).toBeInstanceOf(StorageFullError);
    expect((error as StorageFullError).retryable).toBe(true);
    expect(error.message).toMatch(/^The database .*data\.sqlite is full .*: this mutation was not applied\. Retry it once space is freed/);
    expect(await chunkNumbers(db)).toEqual(Array.from({ length: kept }, (_, i) => i));
  });

  it("a write sharing a batch with the one that filled the database is kept whole; only that one fails", async () => {
    const { db, kept } = await fullDatabase();
    // Make room for small writes only, then issue small and large writes together: one batch.
    await db.write(async (tx) => {
      for (const doc of await tx.db.query("chunks").take(3)) await tx.db.delete(doc._id);
    });
    const before = db.stats().batches;
    const small = (n: number) => db.write((tx) => tx.db.insert("chunks", { n, body: "s" }));
    const writes = [small(1001), small(1002), db.write((tx) => tx.db.insert("chunks", { n: 2000, body: "L".repeat(20 * CHUNK) })), small(1003), small(1004)];
    const results = await Promise.allSettled(writes);
    expect(results.map((result) => result.status)).toEqual(["fulfilled", "fulfilled", "rejected", "fulfilled", "fulfilled"]);
    expect((results[2] as PromiseRejectedResult).reason).toBeInstanceOf(StorageFullError);
    // They were cut as one batch (and its survivors re-run as one more).
    expect(db.stats().batches - before).toBe(2);
    const numbers = await chunkNumbers(db);
    expect(numbers.filter((n) => n >= 1000)).toEqual([1001, 1002, 1003, 1004]);
    expect(numbers).toHaveLength(kept - 3 + 4);
  });

  it("a mutation that catches the error and goes on writing stores nothing at all", async () => {
    const { db, kept } = await fullDatabase();
    const error = await rejection(
      db.write(async (tx) => {
        await tx.db.insert("chunks", { n: 3000, body: "first" });
        try {
          await tx.db.insert("chunks", { n: 3001, body: "c".repeat(4 * CHUNK) });
        } catch {
          // An application that swallows the failure...
        }
        await tx.db.insert("chunks", { n: 3002, body: "after" }); // ...must not get this autocommitted alone.
        return "done";
      }),
    );
    expect(error).toBeInstanceOf(StorageFullError);
    const swallowed = await rejection(
      db.write(async (tx) => {
        try {
          await tx.db.insert("chunks", { n: 3003, body: "c".repeat(4 * CHUNK) });
        } catch {
          // Swallowed, and the function returns as if it had worked.
        }
        return "done";
      }),
    );
    expect(swallowed).toBeInstanceOf(StorageFullError);
    expect(await chunkNumbers(db)).toEqual(Array.from({ length: kept }, (_, i) => i));
  });

  it("recovers by itself: deleting documents frees room, and raising the limit does too", async () => {
    const { db, kept } = await fullDatabase();
    const retry = () => db.write((tx) => tx.db.insert("chunks", { n: 5000, body: "c".repeat(CHUNK) }));
    expect(await rejection(retry())).toBeInstanceOf(StorageFullError);
    await db.write(async (tx) => {
      for (const doc of await tx.db.query("chunks").take(4)) await tx.db.delete(doc._id);
    });
    await retry();
    // Full again, then more room by raising the limit.
    let filled = 0;
    while (filled < 100) {
      try {
        await db.write((tx) => tx.db.insert("chunks", { n: 6000 + filled, body: "c".repeat(CHUNK) }));
        filled++;
      } catch (error) {
        expect(error).toBeInstanceOf(StorageFullError);
        break;
      }
    }
    expect(await rejection(retry())).toBeInstanceOf(StorageFullError);
    db.setMaxSize(4 * LIMIT);
    await retry();
    expect(await chunkNumbers(db)).toHaveLength(kept - 4 + 1 + filled + 1);
  });

  it("refuses a size limit that is not a positive number, before opening anything", async () => {
    for (const bad of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect((await rejection(testDb({ maxSizeBytes: bad }))).message).toBe(`The database size limit must be a positive number of bytes; got ${String(bad)}.`);
    }
  });
});

describe("the no-space codes of every engine map to one retryable error", () => {
  it("SQLITE_FULL, ENOSPC, EDQUOT and Postgres 53100 (disk_full), also as a cause", () => {
    const codes = ["SQLITE_FULL", "ENOSPC", "EDQUOT", "53100"];
    for (const code of codes) {
      const engineError = Object.assign(new Error("no space"), { code });
      expect(isNoSpace(engineError)).toBe(true);
      expect(isNoSpace(new Error("wrapped", { cause: engineError }))).toBe(true);
      const mapped = asStorageFull(engineError, "db.sqlite") as StorageFullError;
      expect(mapped).toBeInstanceOf(StorageFullError);
      expect(mapped.cause).toBe(engineError);
      expect(mapped.message).toContain("The database db.sqlite is full");
    }
  });

  it("leaves other errors alone", () => {
    for (const code of ["SQLITE_CONSTRAINT", "EACCES", "53200", "23505", undefined]) {
      const error = Object.assign(new Error("other"), { code });
      expect(isNoSpace(error)).toBe(false);
      expect(asStorageFull(error, "db")).toBe(error);
    }
  });
});

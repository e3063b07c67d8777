// Transactions: snapshot reads, atomic writes, group commit, serializable increments,
// timestamps, commit notifications, durability across reopen, the reader pool and close().

import { join } from "node:path";
import { describe, expect, it } from "vitest";
import BetterSqlite3 from "better-sqlite3";
import { openDatabase, type Commit } from "../../../src/server/db/index.js";
import { nextTimestamp } from "../../../src/server/db/clock.js";
import { rejection, seed, tempDir, testDb } from "./helpers.js";

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

describe("snapshot reads", () => {
  it("a read keeps its snapshot while a write commits; a new read sees the write", async () => {
    const db = await testDb();
    const [id] = await seed(db, "counters", [{ n: 1 }]);
    let release!: () => void;
    const paused = new Promise<void>((resolve) => (release = resolve));
    let started!: () => void;
    const reading = new Promise<void>((resolve) => (started = resolve));
    const slowRead = db.read(async (tx) => {
      const before = (await tx.db.get(id!))!.n;
      started();
      await paused; // a write commits meanwhile
      const after = (await tx.db.get(id!))!.n;
      const count = (await tx.db.query("counters").collect()).length;
      return { before, after, count, ts: tx.ts };
    });
    await reading;
    const { ts: writeTs } = await db.write(async (tx) => {
      await tx.db.patch(id!, { n: 2 });
      await tx.db.insert("counters", { n: 3 });
    });
    const fresh = await db.read(async (tx) => ({ n: (await tx.db.get(id!))!.n, count: (await tx.db.query("counters").collect()).length }));
    release();
    const old = await slowRead;
    expect(old.result).toMatchObject({ before: 1, after: 1, count: 1 });
    expect(old.ts).toBeLessThan(writeTs);
    expect(fresh.result).toEqual({ n: 2, count: 2 });
    expect(fresh.ts).toBe(writeTs);
  });

  it("runs more concurrent reads than reader connections (the rest wait)", async () => {
    const db = await testDb({ maxReaders: 2 });
    await seed(db, "items", [{ a: 1 }]);
    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        db.read(async (tx) => {
          await tick();
          return (await tx.db.query("items").collect()).length;
        }),
      ),
    );
    expect(results.map((r) => r.result)).toEqual(Array(10).fill(1));
    expect(db.stats().readerConnections).toBe(2);
  });

  it("a read that throws rejects with its error and frees its connection", async () => {
    const db = await testDb({ maxReaders: 1 });
    expect((await rejection(db.read(async () => Promise.reject(new Error("boom")))))).toHaveProperty("message", "boom");
    expect((await db.read(async (tx) => tx.ts)).result).toBe(db.latestTimestamp());
  });
});

describe("atomic writes and group commit", () => {
  it("a write that throws leaves nothing, and the next write in the same batch still commits", async () => {
    const db = await testDb();
    const failing = db.write(async (tx) => {
      await tx.db.insert("items", { name: "doomed" });
      await tx.db.insert("other", { name: "doomed too" });
      throw new Error("changed my mind");
    });
    const succeeding = db.write((tx) => tx.db.insert("items", { name: "kept" }));
    expect((await rejection(failing)).message).toBe("changed my mind");
    await succeeding;
    const { result } = await db.read(async (tx) => [await tx.db.query("items").collect(), await tx.db.query("other").collect()]);
    expect(result[0]!.map((doc) => doc.name)).toEqual(["kept"]);
    expect(result[1]).toEqual([]);
    expect(db.stats()).toMatchObject({ batches: 1, commits: 1, rollbacks: 1 });
  });

  it("commits many concurrent writes in fewer batches, with strictly increasing timestamps", async () => {
    const db = await testDb();
    const commits: Commit[] = [];
    db.onCommit((commit) => commits.push(commit));
    const results = await Promise.all(Array.from({ length: 300 }, (_, i) => db.write((tx) => tx.db.insert("items", { i }))));
    const stamps = results.map((r) => r.ts);
    for (let i = 1; i < stamps.length; i++) expect(stamps[i]! > stamps[i - 1]!).toBe(true);
    expect(commits.map((c) => c.ts)).toEqual(stamps);
    expect(db.stats().commits).toBe(300);
    expect(db.stats().batches).toBeLessThan(300);
    expect(db.stats().batches).toBeGreaterThanOrEqual(2); // at most 256 per batch
    expect(db.latestTimestamp()).toBe(stamps[stamps.length - 1]);
  });

  it("1,000 concurrent read-modify-write increments of one counter end at exactly 1,000", async () => {
    const db = await testDb();
    const [id] = await seed(db, "counters", [{ n: 0 }]);
    await Promise.all(
      Array.from({ length: 1000 }, () =>
        db.write(async (tx) => {
          const doc = await tx.db.get(id!);
          await Promise.resolve(); // user code awaits between the read and the write
          await tx.db.patch(id!, { n: (doc!.n as number) + 1 });
        }),
      ),
    );
    const { result } = await db.read((tx) => tx.db.get(id!));
    expect(result!.n).toBe(1000);
  });

  it("refuses a write() from inside a write transaction instead of waiting forever", async () => {
    const db = await testDb();
    const error = await rejection(db.write(() => db.write((tx) => tx.db.insert("items", { a: 1 }))));
    expect(error.message).toMatch(/called inside a write transaction/);
    // Reads from inside a write are fine (they see the last commit, not the transaction's writes).
    const { result } = await db.write(async (tx) => {
      await tx.db.insert("items", { a: 1 });
      return (await db.read((r) => r.db.query("items").collect())).result.length;
    });
    expect(result).toBe(0);
  });

  it("tx.ts is the commit timestamp; failed transactions do not use one up", async () => {
    const db = await testDb();
    const seen: bigint[] = [];
    const a = db.write(async (tx) => seen.push(tx.ts));
    const b = db.write(async () => {
      throw new Error("no");
    });
    const c = db.write(async (tx) => seen.push(tx.ts));
    const [ra, , rc] = await Promise.allSettled([a, b, c]);
    expect(ra.status === "fulfilled" && ra.value.ts).toBe(seen[0]);
    expect(rc.status === "fulfilled" && rc.value.ts).toBe(seen[1]);
  });

  it("reports write sets and calls listeners before the writer continues; unsubscribe works", async () => {
    const db = await testDb();
    const order: string[] = [];
    const stop = db.onCommit(() => order.push("listener"));
    db.onCommit(() => {
      throw new Error("a broken listener does not stop the others");
    });
    const original = console.error;
    console.error = () => {};
    try {
      const result = await db.write((tx) => tx.db.insert("items", { a: 1 }));
      order.push("caller");
      // A document of a table without schema indexes is in by_id and by_creation_time.
      expect(result.writeSet.writes).toHaveLength(2);
      stop();
      await db.write((tx) => tx.db.insert("items", { a: 2 }));
    } finally {
      console.error = original;
    }
    expect(order).toEqual(["listener", "caller"]);
  });
});

describe("durability and lifecycle", () => {
  it("keeps data and keeps timestamps increasing across close and reopen", async () => {
    const path = join(tempDir(), "nested", "dir", "data.sqlite"); // the directory is created
    const first = await openDatabase({ path });
    const [id] = await seed(first, "items", [{ a: 1 }]);
    const lastTs = first.latestTimestamp();
    await first.close();
    const second = await openDatabase({ path });
    try {
      expect(second.latestTimestamp()).toBe(lastTs);
      expect((await second.read((tx) => tx.db.get(id!))).result).toMatchObject({ a: 1 });
      const { ts } = await second.write((tx) => tx.db.insert("items", { a: 2 }));
      expect(ts > lastTs).toBe(true);
    } finally {
      await second.close();
    }
  });

  it("keeps timestamps increasing when the wall clock is behind the last commit (clock stepped back)", async () => {
    const path = join(tempDir(), "data.sqlite");
    const first = await openDatabase({ path });
    await seed(first, "items", [{ a: 1 }]);
    await first.close();
    // As if the previous run's clock was a day ahead of this one's.
    const future = BigInt(Date.now() + 86_400_000) * 1_000_000n;
    const raw = new BetterSqlite3(path);
    raw.prepare("UPDATE meta SET value = ? WHERE key = 'last_ts'").run(future);
    raw.close();
    const second = await openDatabase({ path });
    try {
      expect(second.latestTimestamp()).toBe(future);
      const a = await second.write(async () => undefined);
      const b = await second.write(async () => undefined);
      expect([a.ts, b.ts]).toEqual([future + 1n, future + 2n]);
      expect(nextTimestamp(0n) > 0n && nextTimestamp(future) === future + 1n).toBe(true);
    } finally {
      await second.close();
    }
  });

  it(":memory: is a private temporary file, removed on close", async () => {
    const db = await openDatabase({ path: ":memory:" });
    await seed(db, "items", [{ a: 1 }]);
    const other = await openDatabase({ path: ":memory:" });
    expect((await other.read((tx) => tx.db.query("items").collect())).result).toEqual([]);
    await other.close();
    await db.close();
    await expect(db.read(async () => 1)).rejects.toThrow(/closed/);
    await expect(db.write(async () => 1)).rejects.toThrow(/closed/);
  });

  it("close() waits for queued writes and running reads", async () => {
    const db = await openDatabase({ path: join(tempDir(), "data.sqlite") });
    const reading = db.read(async (tx) => {
      await tick();
      return (await tx.db.query("items").collect()).length;
    });
    const writes = Array.from({ length: 20 }, (_, i) => db.write((tx) => tx.db.insert("items", { i })));
    await db.close();
    expect((await Promise.all(writes)).length).toBe(20);
    expect((await reading).result).toBe(0);
  });
});

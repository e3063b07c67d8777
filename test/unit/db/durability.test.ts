// The log flush off the event loop: nothing a commit wrote reaches anyone (its writer, a reader,
// a commit listener, latestTimestamp) before the flush that covers it; commits made during a
// flush share the next one; a failed flush stops the database from confirming anything.
// The flush is replaced by a gate the test opens (fault injection), except in the last test.

import { fdatasync } from "node:fs";
import { describe, expect, it, vi } from "vitest";
import type { FileSync } from "../../../src/server/db/sqlite/durability.js";
import type { Commit } from "../../../src/server/db/index.js";
import { rejection, seed, testDb } from "./helpers.js";

/** A FileSync whose flushes finish only when the test says so. */
function gatedSync() {
  const pending: { resolve(): void; reject(error: Error): void }[] = [];
  let calls = 0;
  const sync: FileSync = () => {
    calls++;
    return new Promise((resolve, reject) => pending.push({ resolve, reject }));
  };
  return {
    sync,
    get calls() {
      return calls;
    },
    get waiting() {
      return pending.length;
    },
    finish: () => pending.shift()!.resolve(),
    fail: (error: Error) => pending.shift()!.reject(error),
  };
}

/** Whether `promise` has settled after the event loop had a few turns. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  promise.then(
    () => (done = true),
    () => (done = true),
  );
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
  return done;
}

const count = (db: Awaited<ReturnType<typeof testDb>>) => db.read(async (tx) => (await tx.db.query("items").collect()).length);

describe("durability before anything is shown", () => {
  it("a write resolves, a reader sees it, listeners hear of it and latestTimestamp moves only after its flush", async () => {
    const gate = gatedSync();
    const db = await testDb({ fileSync: gate.sync });
    const heard: Commit[] = [];
    db.onCommit((commit) => heard.push(commit));
    const before = db.latestTimestamp();

    const write = db.write((tx) => tx.db.insert("items", { n: 1 }));
    expect(await settled(write)).toBe(false);
    expect(gate.waiting).toBe(1); // committed in SQLite, being flushed
    const read = count(db); // its snapshot holds the unflushed commit
    expect(await settled(read)).toBe(false);
    expect(heard).toEqual([]);
    expect(db.latestTimestamp()).toBe(before);

    gate.finish();
    const { ts } = await write;
    expect((await read).result).toBe(1);
    expect(heard.map((commit) => commit.ts)).toEqual([ts]);
    expect(db.latestTimestamp()).toBe(ts);
    expect(db.stats().durableCommits).toBe(1);
  });

  it("a read whose snapshot predates the unflushed commit is not held back", async () => {
    const gate = gatedSync();
    const db = await testDb({ fileSync: gate.sync });
    let release!: () => void;
    const paused = new Promise<void>((resolve) => (release = resolve));
    let started!: () => void;
    const reading = new Promise<void>((resolve) => (started = resolve));
    const oldRead = db.read(async (tx) => {
      const n = (await tx.db.query("items").collect()).length;
      started();
      await paused;
      return n;
    });
    await reading;
    const write = db.write((tx) => tx.db.insert("items", { n: 1 }));
    await new Promise((resolve) => setImmediate(resolve));
    expect(gate.waiting).toBe(1);
    release();
    expect(await settled(oldRead)).toBe(true);
    expect((await oldRead).result).toBe(0);
    gate.finish();
    await write;
  });

  it("writes that arrive during a flush wait for it and then share one batch and one flush", async () => {
    const gate = gatedSync();
    const db = await testDb({ fileSync: gate.sync });
    const first = db.write((tx) => tx.db.insert("items", { n: 0 }));
    await new Promise((resolve) => setImmediate(resolve));
    expect(gate.calls).toBe(1);
    const later: Promise<unknown>[] = [];
    for (let i = 1; i <= 3; i++) {
      later.push(db.write((tx) => tx.db.insert("items", { n: i })));
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(db.stats()).toMatchObject({ batches: 1, commits: 1 });
    gate.finish();
    await first;
    await new Promise((resolve) => setImmediate(resolve));
    expect(await settled(Promise.all(later))).toBe(false);
    expect(db.stats()).toMatchObject({ batches: 2, commits: 4, durableCommits: 1 });
    expect(gate.calls).toBe(2); // one flush for the three
    gate.finish();
    await Promise.all(later);
    expect(db.stats()).toMatchObject({ batches: 2, commits: 4, durableCommits: 4, flushes: 2 });
    expect((await count(db)).result).toBe(4);
  });

  it("a mutation that throws is answered only after what it read is durable", async () => {
    const gate = gatedSync();
    const db = await testDb({ fileSync: gate.sync });
    const insert = db.write((tx) => tx.db.insert("items", { n: 1 }));
    await new Promise((resolve) => setImmediate(resolve));
    const failing = db.write(async (tx) => {
      const n = (await tx.db.query("items").collect()).length;
      throw new Error(`saw ${n}`);
    });
    expect(await settled(failing)).toBe(false);
    gate.finish();
    await insert;
    expect((await rejection(failing)).message).toBe("saw 1");
  });

  it("a failed flush rejects the writes waiting for it and the database confirms nothing after", async () => {
    const gate = gatedSync();
    const db = await testDb({ fileSync: gate.sync });
    const seeded = seed(db, "items", [{ n: 0 }]);
    await new Promise((resolve) => setImmediate(resolve));
    gate.finish();
    await seeded;
    const write = db.write((tx) => tx.db.insert("items", { n: 1 }));
    await new Promise((resolve) => setImmediate(resolve));
    const read = count(db); // sees the commit being flushed
    expect(await settled(read)).toBe(false);
    const printed = vi.spyOn(console, "error").mockImplementation(() => {});
    gate.fail(Object.assign(new Error("EIO: i/o error, fdatasync"), { code: "EIO" }));
    const error = await rejection(write);
    expect(printed).toHaveBeenCalledTimes(1);
    expect(String(printed.mock.calls[0]![0])).toMatch(/EIO.*Every read and write is refused from now on; restart the server/);
    printed.mockRestore();
    expect(error.message).toMatch(/can no longer confirm writes: flushing its log to disk failed \(EIO/);
    expect((await rejection(read)).message).toBe(error.message);
    expect((await rejection(db.write((tx) => tx.db.insert("items", { n: 2 })))).message).toBe(error.message);
    expect((await rejection(count(db))).message).toBe(error.message);
    expect(gate.calls).toBe(2); // no retry: after a failed fsync the kernel may have dropped the pages
  });

  it("with the real fdatasync, every write is flushed, with far fewer flushes than commits under load", async () => {
    let flushes = 0;
    const counting: FileSync = (fd) => {
      flushes++;
      return new Promise((resolve, reject) => fdatasync(fd, (error) => (error ? reject(error) : resolve())));
    };
    const db = await testDb({ fileSync: counting });
    await Promise.all(Array.from({ length: 200 }, (_, n) => db.write((tx) => tx.db.insert("items", { n }))));
    expect(db.stats()).toMatchObject({ commits: 200, durableCommits: 200 });
    expect(flushes).toBeGreaterThan(0);
    expect(flushes).toBeLessThan(200);
    expect((await count(db)).result).toBe(200);
  });
});

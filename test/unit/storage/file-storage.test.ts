// FileStorage's bookkeeping on a real in-memory database: a blob lives exactly as long as a row
// names it, even when a deletion's cleanup and a new upload of the same bytes interleave.

import { createHash } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { openDatabase } from "../../../src/server/db/index.js";
import type { Database } from "../../../src/server/db/types.js";
import { MemoryBlobStore } from "../../../src/server/storage/blob-store.js";
import { FileStorage } from "../../../src/server/storage/file-storage.js";
import { STORAGE_TABLE, storageTable } from "../../../src/server/storage/storage-table.js";

const databases: Database[] = [];
afterEach(async () => {
  await Promise.all(databases.splice(0).map((db) => db.close()));
});

async function setup(wrap: (db: Database) => Database = (db) => db) {
  const db = await openDatabase({ path: ":memory:", systemTables: { [STORAGE_TABLE]: storageTable } });
  databases.push(db);
  const blobs = new MemoryBlobStore();
  const warnings: string[] = [];
  const storage = new FileStorage({ db: wrap(db), blobs, baseUrl: () => "http://files.test", now: () => 0, warn: (message) => warnings.push(message) });
  return { db, blobs, storage, warnings };
}

const keyOf = (text: string) => createHash("sha256").update(text).digest("hex");
const digestOf = (text: string) => createHash("sha256").update(text).digest("base64");
const bytes = (text: string) => [new TextEncoder().encode(text)];

async function deleteRow(db: Database, id: string): Promise<void> {
  await db.write((tx) => tx.systemWriter!.delete(STORAGE_TABLE, id as never), { system: true });
}

describe("FileStorage", () => {
  it("keeps a blob while any row names it, and removes it after the last", async () => {
    const { db, blobs, storage } = await setup();
    const first = await storage.store(bytes("same"));
    const second = await storage.store(bytes("same"));
    expect(await blobs.keys()).toEqual([keyOf("same")]);

    await deleteRow(db, first);
    await storage.release([digestOf("same")]);
    expect(await blobs.keys()).toEqual([keyOf("same")]);
    await deleteRow(db, second);
    await storage.release([digestOf("same")]);
    expect(await blobs.keys()).toEqual([]);
  });

  it("a release that runs while a store of the same bytes waits for its row keeps the blob", async () => {
    // Hold back the store's insert until the release has looked for rows and found none.
    let openGate!: () => void;
    const gate = new Promise<void>((resolve) => (openGate = resolve));
    let insertsWaiting = 0;
    const { db, blobs, storage } = await setup((real) => ({
      ...real,
      read: real.read.bind(real),
      write: async (fn, options) => {
        insertsWaiting++;
        await gate;
        return real.write(fn, options);
      },
    }) as Database);
    const old = await db.write((tx) => tx.systemWriter!.insert(STORAGE_TABLE, { sha256: digestOf("again"), size: 5 }), { system: true });
    await blobs.stage(bytes("again")).then((staged) => staged.commit());
    await deleteRow(db, old.result);

    const storing = storage.store(bytes("again"));
    while (insertsWaiting === 0) await new Promise((resolve) => setImmediate(resolve));
    await storage.release([digestOf("again")]); // the old row's cleanup, late
    openGate();
    const id = await storing;
    expect(await blobs.keys()).toEqual([keyOf("again")]);
    expect(Buffer.from((await storage.read(id))!.bytes).toString()).toBe("again");
  });

  it("a store whose row fails leaves no blob behind", async () => {
    const { blobs, storage } = await setup((real) => ({
      ...real,
      read: real.read.bind(real),
      write: () => Promise.reject(new Error("disk full")),
    }) as Database);
    await expect(storage.store(bytes("lost"))).rejects.toThrow("disk full");
    expect(await blobs.keys()).toEqual([]);
  });

  it("a cleanup that fails is reported, never thrown at the caller whose deletion committed", async () => {
    const { blobs, storage, warnings } = await setup((real) => ({
      ...real,
      write: real.write.bind(real),
      read: () => Promise.reject(new Error("database closed")),
    }) as Database);
    await blobs.stage(bytes("stuck")).then((staged) => staged.commit());
    await expect(storage.release([digestOf("stuck")])).resolves.toBeUndefined();
    expect(warnings).toEqual([`Removing the unused file contents ${keyOf("stuck")} failed (the next start retries): database closed`]);
    expect(await blobs.keys()).toEqual([keyOf("stuck")]);
  });

  it("sweep removes blobs no row names", async () => {
    const { blobs, storage } = await setup();
    const kept = await storage.store(bytes("kept"));
    await blobs.stage(bytes("orphan")).then((staged) => staged.commit());
    await storage.sweep();
    expect(await blobs.keys()).toEqual([keyOf("kept")]);
    expect(storage.fileUrl(kept)).toBe(`http://files.test/api/storage/${kept}`);
  });

  it("hold keeps contents for a transaction's row until letGo: a rolled-back row's go, a committed one's stay", async () => {
    const { db, blobs, storage } = await setup();
    const rolledBack = await storage.hold(bytes("rolled back"), { contentType: "text/plain" });
    expect(rolledBack).toEqual({ sha256: digestOf("rolled back"), size: 11, contentType: "text/plain" });
    const committed = await storage.hold(bytes("committed"));
    // While the transactions are open, no cleanup of this process removes the contents.
    await storage.sweep();
    expect((await blobs.keys()).sort()).toEqual([keyOf("rolled back"), keyOf("committed")].sort());
    await db.write((tx) => tx.systemWriter!.insert(STORAGE_TABLE, committed), { system: true });
    await db.write(async (tx) => {
      await tx.systemWriter!.insert(STORAGE_TABLE, rolledBack);
      throw new Error("the mutation threw");
    }, { system: true }).catch(() => {});
    await storage.letGo([rolledBack.sha256, committed.sha256]);
    expect(await blobs.keys()).toEqual([keyOf("committed")]);
  });

  it("two holds of the same contents keep them until both are let go", async () => {
    const { blobs, storage } = await setup();
    const first = await storage.hold(bytes("twice"));
    await storage.hold(bytes("twice"));
    await storage.letGo([first.sha256]);
    expect(await blobs.keys()).toEqual([keyOf("twice")]);
    await storage.letGo([first.sha256]);
    expect(await blobs.keys()).toEqual([]);
  });

  it("withBlobHeld: a release while the row is being written keeps the blob; a blob already gone fails the row instead of leaving it pointing at nothing", async () => {
    const { db, blobs, storage } = await setup();
    // What a follower did: the blob is committed, its row is not written yet.
    await blobs.stage(bytes("from a follower")).then((staged) => staged.commit());
    const id = await storage.withBlobHeld(digestOf("from a follower"), async () => {
      await storage.release([digestOf("from a follower")]); // no row yet: only the hold keeps the blob
      expect(await blobs.keys()).toEqual([keyOf("from a follower")]);
      const { result } = await db.write((tx) => tx.systemWriter!.insert(STORAGE_TABLE, { sha256: digestOf("from a follower"), size: 15 }), { system: true });
      return result;
    });
    expect((await storage.read(id as string))?.file.size).toBe(15);

    let inserted = false;
    await expect(storage.withBlobHeld(digestOf("never stored"), async () => void (inserted = true))).rejects.toThrow(/no longer stored.*store it again/);
    expect(inserted).toBe(false);
  });

  it("a node that does not release blobs (a follower) leaves them to the leader, and writes rows where insertRow says", async () => {
    const db = await openDatabase({ path: ":memory:", systemTables: { [STORAGE_TABLE]: storageTable } });
    databases.push(db);
    const blobs = new MemoryBlobStore();
    const rows: unknown[] = [];
    const storage = new FileStorage({
      db,
      blobs,
      baseUrl: () => "http://files.test",
      now: () => 0,
      warn: () => {},
      releasesBlobs: () => false,
      insertRow: async (row) => {
        rows.push(row);
        return (await db.write((tx) => tx.systemWriter!.insert(STORAGE_TABLE, { ...row }), { system: true })).result as never;
      },
    });
    const id = await storage.store(bytes("routed"), { contentType: "text/plain" });
    expect(rows).toEqual([{ sha256: digestOf("routed"), size: 6, contentType: "text/plain" }]);
    await deleteRow(db, id);
    await storage.release([digestOf("routed")]);
    await storage.sweep();
    expect(await blobs.keys()).toEqual([keyOf("routed")]);
  });
});

// The exactly-once fast path: the writer remembers each session's highest possibly-recorded
// requestId, so a new mutation's lookup reads nothing - and every record that exists is still
// found (resends of older ids, records of the same batch, records written before the ledger knew
// the session, records written by another writer before the tenure was renewed).

import { describe, expect, it } from "vitest";
import type { SnapshotDocument, WriteTransaction } from "../../../src/server/db/types.js";
import type { JSONValue } from "../../../src/values/value.js";
import { WriterTenure } from "../../../src/server/db/writer-tenure.js";
import { idempotencyFor, MUTATION_RECORDS_TABLE, mutationRecordTables } from "../../../src/server/sync/mutation-records.js";
import { testDb } from "./helpers.js";

type Db = Awaited<ReturnType<typeof testDb>>;
const SYSTEM = { system: true } as const;

const ok = (value: string) => ({ ok: true as const, value, logLines: [] });

/** Records `value` as the answer to (session, requestId) in a transaction of its own. */
async function record(db: Db, session: string, requestId: number, value: string, tenure?: WriterTenure): Promise<void> {
  await db.write((tx) => idempotencyFor(session, requestId).record(within(tx, tenure), ok(value), tx.ts), SYSTEM);
}

/** What a lookup of (session, requestId) finds: the recorded value, or undefined. */
async function lookUp(db: Db, session: string, requestId: number, tenure?: WriterTenure): Promise<unknown> {
  const { result } = await db.write(async (tx) => idempotencyFor(session, requestId).lookup(within(tx, tenure)), SYSTEM);
  return result?.value;
}

/** `tx` seen through `tenure` instead of the database's own (to renew it from the test). */
function within(tx: WriteTransaction, tenure: WriterTenure | undefined): WriteTransaction {
  return tenure === undefined ? tx : { ...tx, tenure };
}

/** A record stored without `record()`, as another writer of the database would have stored it. */
async function foreignRecord(db: Db, session: string, requestId: number, value: string): Promise<void> {
  const response = JSON.stringify({ result: value, logLines: [] });
  await db.write((tx) => tx.systemWriter!.insert(MUTATION_RECORDS_TABLE, { sessionId: session, requestId, ts: tx.ts, response, parts: 0 }), SYSTEM);
}

describe("the exactly-once ledger", () => {
  it("finds a resent older requestId after newer ones were recorded, and nothing for a new one", async () => {
    const db = await testDb({ systemTables: mutationRecordTables });
    expect(await lookUp(db, "s", 1)).toBeUndefined();
    for (const id of [1, 2, 3]) await record(db, "s", id, `answer ${id}`);
    expect(await lookUp(db, "s", 2)).toBe("answer 2");
    expect(await lookUp(db, "s", 3)).toBe("answer 3");
    expect(await lookUp(db, "s", 4)).toBeUndefined();
    expect(await lookUp(db, "other", 2)).toBeUndefined();
  });

  it("finds a record written earlier in the same group commit", async () => {
    const db = await testDb({ systemTables: mutationRecordTables });
    expect(await lookUp(db, "s", 1)).toBeUndefined(); // the ledger knows the session
    // Issued together, so they share one batch: the second looks up what the first recorded.
    const [, second] = await Promise.all([record(db, "s", 5, "first run"), lookUp(db, "s", 5)]);
    expect(second).toBe("first run");
  });

  it("reads a session's records from the table before it trusts the ledger (records from before a restart)", async () => {
    const db = await testDb({ systemTables: mutationRecordTables });
    await foreignRecord(db, "s", 9, "before the restart");
    expect(await lookUp(db, "s", 5)).toBeUndefined();
    expect(await lookUp(db, "s", 9)).toBe("before the restart");
    expect(await lookUp(db, "s", 10)).toBeUndefined();
  });

  it("keeps looking a requestId up after its transaction rolled back, and finds it once recorded", async () => {
    const db = await testDb({ systemTables: mutationRecordTables });
    expect(await lookUp(db, "s", 0)).toBeUndefined();
    const failed = db.write(async (tx) => {
      await idempotencyFor("s", 1).record(tx, ok("rolled back"), tx.ts);
      throw new Error("the mutation threw after recording");
    }, SYSTEM);
    await expect(failed).rejects.toThrow("the mutation threw");
    expect(await lookUp(db, "s", 1)).toBeUndefined();
    await record(db, "s", 1, "kept");
    expect(await lookUp(db, "s", 1)).toBe("kept");
  });

  it("trusts what it knows only within one writer tenure: renewed, it reads the table again", async () => {
    const db = await testDb({ systemTables: mutationRecordTables });
    const tenure = new WriterTenure();
    expect(await lookUp(db, "s", 1, tenure)).toBeUndefined(); // the session has no record
    // Another writer records (s, 20) while this one is not the writer...
    await foreignRecord(db, "s", 20, "written by another server");
    // ...which this tenure cannot know of: the fast path answers without reading (why tenures exist).
    expect(await lookUp(db, "s", 20, tenure)).toBeUndefined();
    tenure.renew(); // this server takes the writer's lock again
    expect(await lookUp(db, "s", 20, tenure)).toBe("written by another server");
    expect(await lookUp(db, "s", 21, tenure)).toBeUndefined();
  });

  it("is renewed by a snapshot load, whose records this process did not write", async () => {
    const source = await testDb({ systemTables: mutationRecordTables });
    await foreignRecord(source, "s", 20, "from the imported database");
    const snapshot = await source.openSnapshot();
    const documents: SnapshotDocument[] = [];
    try {
      for await (const page of snapshot.documents(MUTATION_RECORDS_TABLE)) {
        for (const json of page) documents.push({ table: MUTATION_RECORDS_TABLE, value: JSON.parse(json) as JSONValue });
      }
    } finally {
      await snapshot.close();
    }
    const db = await testDb({ systemTables: mutationRecordTables });
    expect(await lookUp(db, "s", 1)).toBeUndefined(); // the ledger knows "s" has no record
    const tables = snapshot.tables.filter((table) => table.name === MUTATION_RECORDS_TABLE);
    await db.loadSnapshot({ ts: snapshot.ts, tables, userSchema: undefined, documents: () => fromArray(documents), replace: true });
    expect(await lookUp(db, "s", 20)).toBe("from the imported database");
  });
});

async function* fromArray<T>(items: readonly T[]): AsyncIterable<T> {
  yield* items;
}

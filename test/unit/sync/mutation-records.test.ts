// Exactly-once records on a real database: what `record` writes, `lookup` gives back whole.

import { describe, expect, it } from "vitest";
import { idempotencyFor, MUTATION_RECORDS_TABLE, mutationRecordTables } from "../../../src/server/sync/mutation-records.js";
import type { Value } from "../../../src/values/value.js";
import { testDb } from "../db/helpers.js";

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

async function recordThenLookUp(value: Value, logLines: string[] = []) {
  const db = await testDb({ systemTables: mutationRecordTables });
  const records = idempotencyFor("session", 7);
  await db.write((tx) => records.record(tx, { ok: true, value, logLines }, tx.ts), { system: true });
  const { result } = await db.write(
    async (tx) => {
      const found = await records.lookup(tx);
      const record = await tx.db.system.query(MUTATION_RECORDS_TABLE).first();
      const parts = await tx.db.system.query("_mutation_record_parts").collect();
      return { found, pieces: [record!.response as string, ...parts.map((part) => part.text as string)] };
    },
    { system: true },
  );
  return result;
}

describe("mutation records", () => {
  it("give back a result of several parts exactly, even when a part boundary falls inside a surrogate pair", async () => {
    // The record's text starts with `{"result":{"text":"` (19 characters); the first part ends
    // after 262,144 characters, so the emoji's high surrogate would be the last one of that part.
    const text = `${"a".repeat(262_144 - 19 - 1)}😀${"b".repeat(600_000)}😀`;
    const { found, pieces } = await recordThenLookUp({ text }, ["[LOG] 'hi'"]);
    expect(found?.value).toEqual({ text });
    expect(found?.logLines).toEqual(["[LOG] 'hi'"]);
    // Stored strings stay valid Unicode, as strings must be: no piece ends or starts half a pair.
    expect(pieces).toHaveLength(4);
    for (const piece of pieces) expect(LONE_SURROGATE.test(piece)).toBe(false);
  });

  it("give back values in their types", async () => {
    const { found } = await recordThenLookUp({ n: 1n, bytes: new Uint8Array([1, 2]).buffer, nan: Number.NaN });
    expect(found?.value).toEqual({ n: 1n, bytes: new Uint8Array([1, 2]).buffer, nan: Number.NaN });
  });

  it("read records written before responses were stored as text", async () => {
    const db = await testDb({ systemTables: mutationRecordTables });
    await db.write(
      (tx) => tx.systemWriter!.insert(MUTATION_RECORDS_TABLE, { sessionId: "old", requestId: 1, ts: 5n, result: { kept: true }, logLines: ["[LOG] 'x'"] }),
      { system: true },
    );
    const { result } = await db.write(async (tx) => idempotencyFor("old", 1).lookup(tx), { system: true });
    expect(result).toMatchObject({ ok: true, value: { kept: true }, logLines: ["[LOG] 'x'"], ts: 5n });
  });
});

// Exactly-once mutations (protocol.md §8): every committed mutation from a socket is recorded
// under (sessionId, requestId) in the same transaction as its writes, so a mutation resent after
// a reconnect - or after a server restart - is answered from the record and never runs twice.
//
// Bound: records are kept for 24 hours, then pruned in the background (hourly, and at start). A
// client that reconnects later than that and resends would run the mutation again, which is why
// the window is hours, not seconds.

import { defineTable } from "../define/schema.js";
import { v } from "../../values/validators.js";
import type { Value } from "../../values/value.js";
import type { Database, Timestamp, WriteTransaction } from "../db/types.js";
import type { Outcome } from "../runtime/outcome.js";
import type { Idempotency } from "../runtime/runtime.js";

export const MUTATION_RECORDS_TABLE = "_mutation_records";
export const RECORD_MAX_AGE_MS = 24 * 60 * 60 * 1000;

/** The system table holding the records. */
export const mutationRecordsTable = defineTable({
  sessionId: v.string(),
  requestId: v.number(),
  ts: v.int64(),
  result: v.any(),
  logLines: v.array(v.string()),
}).index("by_request", ["sessionId", "requestId"]);

type RecordDoc = { _id: string; sessionId: string; requestId: number; ts: bigint; result: Value; logLines: string[] };

/** The idempotency hooks for one (sessionId, requestId). */
export function idempotencyFor(sessionId: string, requestId: number): Idempotency {
  return {
    async lookup(tx: WriteTransaction) {
      const record = (await tx.db.system
        .query(MUTATION_RECORDS_TABLE)
        .withIndex("by_request", (q) => q.eq("sessionId", sessionId).eq("requestId", requestId))
        .first()) as RecordDoc | null;
      if (record === null) return undefined;
      return { ok: true, value: record.result, logLines: record.logLines, ts: record.ts };
    },
    async record(tx: WriteTransaction, outcome: Outcome & { ok: true }, ts: Timestamp) {
      await tx.systemWriter!.insert(MUTATION_RECORDS_TABLE, { sessionId, requestId, ts, result: outcome.value, logLines: outcome.logLines });
    },
  };
}

/** Deletes records older than the age bound, a batch at a time. Returns how many it removed. */
export async function pruneMutationRecords(db: Database, now = Date.now()): Promise<number> {
  let removed = 0;
  for (;;) {
    const { result } = await db.write(
      async (tx) => {
        const expired = await tx.db.system
          .query(MUTATION_RECORDS_TABLE)
          .withIndex("by_creation_time", (q) => q.lt("_creationTime", now - RECORD_MAX_AGE_MS))
          .take(1_000);
        for (const record of expired) await tx.systemWriter!.delete(record._id as never);
        return expired.length;
      },
      { system: true },
    );
    removed += result;
    if (result < 1_000) return removed;
  }
}

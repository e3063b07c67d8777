// Exactly-once mutations (protocol.md §8): every committed mutation from a socket is recorded
// under (sessionId, requestId) in the same transaction as its writes, so a mutation resent after
// a reconnect - or after a server restart - is answered from the record and never runs twice.
//
// Bound: records are kept for 24 hours, then pruned in the background (hourly, and at start). A
// client that reconnects later than that and resends would run the mutation again, which is why
// the window is hours, not seconds.
//
// Fast path: a session's requestIds only grow, so nearly every lookup is for an id above every
// recorded one. The writer remembers, per session, the highest requestId that may have a record
// (read once from the table, then raised by every record it writes); a lookup above it needs no
// read. Sound only while every record is written by this process: the memory lives in the
// writer's tenure (db/writer-tenure.ts) and is dropped when another writer may have written.

import { defineTable } from "../define/schema.js";
import { v } from "../../values/validators.js";
import { decodeValue } from "../../values/encoding.js";
import type { JSONValue, Value } from "../../values/value.js";
import type { Database, Timestamp, WriteTransaction } from "../db/types.js";
import type { WriterTenure } from "../db/writer-tenure.js";
import { wireValue, type Outcome } from "../runtime/outcome.js";
import type { Idempotency } from "../runtime/runtime.js";

export const MUTATION_RECORDS_TABLE = "_mutation_records";
const RECORD_PARTS_TABLE = "_mutation_record_parts";
export const RECORD_MAX_AGE_MS = 24 * 60 * 60 * 1000;

/**
 * A record holds the response as JSON text, not as fields: a legal result can be larger (up to
 * the 16 MiB of arguments) or nest deeper than a document may, and recording it must never fail
 * the mutation. Text past one part continues in the parts table, in pieces well under the 1 MiB
 * string and document limits even when every character takes 3 bytes.
 */
const PART_CHARS = 256 * 1024;

/** The system tables holding the records, for `openDatabase({ systemTables })`. */
export const mutationRecordTables = {
  [MUTATION_RECORDS_TABLE]: defineTable({
    sessionId: v.string(),
    requestId: v.number(),
    ts: v.int64(),
    /** `{"result": <wire value>, "logLines": [...]}`, its first PART_CHARS characters. */
    response: v.optional(v.string()),
    /** How many parts continue `response`. */
    parts: v.optional(v.number()),
    // Records written before responses were stored as text (kept 24 hours like any record).
    result: v.optional(v.any()),
    logLines: v.optional(v.array(v.string())),
  }).index("by_request", ["sessionId", "requestId"]),
  [RECORD_PARTS_TABLE]: defineTable({
    sessionId: v.string(),
    requestId: v.number(),
    index: v.number(),
    text: v.string(),
  }).index("by_part", ["sessionId", "requestId", "index"]),
};

type RecordDoc = {
  _id: string;
  ts: bigint;
  response?: string;
  parts?: number;
  result?: Value;
  logLines?: string[];
};

/** Sessions whose highest possibly-recorded requestId a writer remembers (oldest forgotten first). */
const LEDGER_SESSIONS = 100_000;

/** Per writer tenure: sessionId -> the highest requestId that may have a record (-1: none). */
const ledgers = new WeakMap<WriterTenure, { generation: number; highest: Map<string, number> }>();

/** The ledger of `tx`'s writer tenure, emptied when the tenure was renewed; undefined without one. */
function ledgerOf(tx: WriteTransaction): Map<string, number> | undefined {
  const tenure = tx.tenure;
  if (tenure === undefined) return undefined;
  let ledger = ledgers.get(tenure);
  if (ledger === undefined || ledger.generation !== tenure.generation) {
    ledger = { generation: tenure.generation, highest: new Map() };
    ledgers.set(tenure, ledger);
  }
  return ledger.highest;
}

/** The highest requestId recorded for `sessionId` (what this transaction sees), or -1. */
async function highestRecorded(tx: WriteTransaction, sessionId: string): Promise<number> {
  const newest = await tx.db.system
    .query(MUTATION_RECORDS_TABLE)
    .withIndex("by_request", (q) => q.eq("sessionId", sessionId))
    .order("desc")
    .first();
  return newest === null ? -1 : (newest.requestId as number);
}

/**
 * True when the ledger already knows `sessionId` and `requestId` is above every record it could
 * hold - answered without a read and without a promise (the common case: a session's next request).
 */
function knownUnrecorded(tx: WriteTransaction, sessionId: string, requestId: number): boolean {
  const highest = ledgerOf(tx)?.get(sessionId);
  return highest !== undefined && requestId > highest;
}

/**
 * True when `sessionId` surely has no record of `requestId`: the ledger knows every record this
 * tenure could hold for the session, and the id is above them all.
 */
async function surelyUnrecorded(tx: WriteTransaction, sessionId: string, requestId: number): Promise<boolean> {
  const ledger = ledgerOf(tx);
  if (ledger === undefined) return false;
  let highest = ledger.get(sessionId);
  if (highest === undefined) {
    highest = await highestRecorded(tx, sessionId);
    if (ledgerOf(tx) !== ledger) return false; // renewed while reading: what was read may be stale
    if (ledger.size >= LEDGER_SESSIONS) ledger.delete(ledger.keys().next().value!);
    ledger.set(sessionId, highest);
  }
  return requestId > highest;
}

/**
 * Raises the session's highest possibly-recorded id before the record is written. Kept even when
 * the transaction rolls back: a too-high mark only costs a read, a too-low one would run twice.
 */
function noteRecorded(tx: WriteTransaction, sessionId: string, requestId: number): void {
  const ledger = ledgerOf(tx);
  const highest = ledger?.get(sessionId);
  // A session the ledger does not know is read from the table (which holds this write) first.
  if (highest !== undefined && requestId > highest) ledger!.set(sessionId, requestId);
}

/**
 * The idempotency hooks for one (sessionId, requestId).
 *
 * @example
 * const outcome = await runtime.mutation("messages:send", args, caller, idempotencyFor(sessionId, 7));
 */
export function idempotencyFor(sessionId: string, requestId: number): Idempotency {
  return {
    key: { sessionId, requestId },
    lookup(tx: WriteTransaction) {
      // Synchronous when the ledger answers: a promise per mutation for nothing was measurable.
      return knownUnrecorded(tx, sessionId, requestId) ? undefined : readRecord(tx, sessionId, requestId);
    },
    record(tx: WriteTransaction, outcome: Outcome & { ok: true }, ts: Timestamp) {
      const pieces = split(JSON.stringify({ result: wireValue(outcome), logLines: outcome.logLines }));
      noteRecorded(tx, sessionId, requestId);
      // One piece (nearly always): the insert's own promise, no async wrapper around it.
      const inserted = insertRecord(tx, sessionId, requestId, ts, pieces);
      return pieces.length === 1 ? inserted : inserted.then(() => insertParts(tx, sessionId, requestId, pieces));
    },
  };
}

/** Inserts the record row holding the first piece of the response. */
function insertRecord(tx: WriteTransaction, sessionId: string, requestId: number, ts: Timestamp, pieces: string[]): Promise<unknown> {
  return tx.systemWriter!.insert(MUTATION_RECORDS_TABLE, { sessionId, requestId, ts, response: pieces[0]!, parts: pieces.length - 1 });
}

/** Inserts the pieces of a long response after the first, in order. */
async function insertParts(tx: WriteTransaction, sessionId: string, requestId: number, pieces: string[]): Promise<void> {
  for (let index = 1; index < pieces.length; index++) {
    await tx.systemWriter!.insert(RECORD_PARTS_TABLE, { sessionId, requestId, index, text: pieces[index]! });
  }
}

/** The recorded outcome of (sessionId, requestId), read from the table; undefined when there is none. */
async function readRecord(tx: WriteTransaction, sessionId: string, requestId: number): Promise<(Outcome & { ok: true; ts: Timestamp }) | undefined> {
  if (await surelyUnrecorded(tx, sessionId, requestId)) return undefined;
  const record = (await tx.db.system
    .query(MUTATION_RECORDS_TABLE)
    .withIndex("by_request", (q) => q.eq("sessionId", sessionId).eq("requestId", requestId))
    .first()) as RecordDoc | null;
  if (record === null) return undefined;
  if (record.response === undefined) return { ok: true, value: record.result ?? null, logLines: record.logLines ?? [], ts: record.ts };
  let text = record.response;
  if ((record.parts ?? 0) > 0) {
    const parts = await tx.db.system
      .query(RECORD_PARTS_TABLE)
      .withIndex("by_part", (q) => q.eq("sessionId", sessionId).eq("requestId", requestId))
      .collect();
    text += parts.map((part) => part.text as string).join("");
  }
  const response = JSON.parse(text) as { result: JSONValue; logLines: string[] };
  return { ok: true, value: decodeValue(response.result), encoded: response.result, logLines: response.logLines, ts: record.ts };
}

/** `text` in pieces of at most PART_CHARS characters, never cutting a surrogate pair in two. */
function split(text: string): string[] {
  const pieces: string[] = [];
  let start = 0;
  do {
    let end = Math.min(start + PART_CHARS, text.length);
    const code = text.charCodeAt(end - 1);
    if (end < text.length && code >= 0xd800 && code <= 0xdbff) end--; // a high surrogate: keep it with its pair
    pieces.push(text.slice(start, end));
    start = end;
  } while (start < text.length);
  return pieces;
}

/** Deletes records older than the age bound, a batch at a time. Returns how many it removed. */
export async function pruneMutationRecords(db: Database, now = Date.now()): Promise<number> {
  let removed = 0;
  for (;;) {
    const { result } = await db.write(
      async (tx) => {
        let deleted = 0;
        for (const table of [MUTATION_RECORDS_TABLE, RECORD_PARTS_TABLE]) {
          const expired = await tx.db.system
            .query(table)
            .withIndex("by_creation_time", (q) => q.lt("_creationTime", now - RECORD_MAX_AGE_MS))
            .take(1_000 - deleted);
          for (const document of expired) await tx.systemWriter!.delete(document._id as never);
          deleted += expired.length;
        }
        return deleted;
      },
      { system: true },
    );
    removed += result;
    if (result < 1_000) return removed;
  }
}

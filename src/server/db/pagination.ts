// `.paginate()` (protocol.md §14). A cursor is a position in the query's index range - the key
// of a row, or the start or end of the range - plus a fingerprint of the query (index id, order,
// range, filter), base64url-encoded. A cursor of another query, or a damaged one, is an
// `AppError({ paginationError: "InvalidCursor" })` so the client restarts from the first page.

import { createHash } from "node:crypto";
import type { PaginationOptions, PaginationResult } from "../define/database.js";
import { AppError } from "../../values/app-error.js";
import type { IndexInfo } from "./catalog.js";
import type { FilterExpression } from "./filter.js";
import { compareKeys, keySuccessor } from "./keys.js";
import { IndexScan, type KeyRange } from "./scan.js";
import type { TxState } from "./transaction.js";
import type { Document } from "./validation.js";

/** Where a page starts or ends. */
export type Position = { kind: "start" } | { kind: "end" } | { kind: "key"; key: Uint8Array };

const VERSION = 1;
const KIND = { start: 0, end: 1, key: 2 } as const;
const FINGERPRINT_BYTES = 8;
const HEADER = 2 + FINGERPRINT_BYTES;

/**
 * The fingerprint of one paginated query; cursors carry it.
 *
 * @example
 * queryFingerprint(index, "desc", range, filterText)
 */
export function queryFingerprint(index: IndexInfo, order: "asc" | "desc", range: KeyRange, filterText: string): Uint8Array {
  const hash = createHash("sha256");
  hash.update(`${index.id}\0${index.table}\0${index.name}\0${order}\0${filterText}\0`);
  hash.update(Buffer.from(range.low.buffer, range.low.byteOffset, range.low.byteLength));
  hash.update("\0");
  hash.update(Buffer.from(range.high.buffer, range.high.byteOffset, range.high.byteLength));
  return new Uint8Array(hash.digest().subarray(0, FINGERPRINT_BYTES));
}

/** Encodes a position of the query with `fingerprint` as an opaque cursor string. */
export function encodeCursor(fingerprint: Uint8Array, position: Position): string {
  const key = position.kind === "key" ? position.key : new Uint8Array(0);
  const bytes = new Uint8Array(HEADER + key.length);
  bytes[0] = VERSION;
  bytes[1] = KIND[position.kind];
  bytes.set(fingerprint, 2);
  bytes.set(key, HEADER);
  return Buffer.from(bytes).toString("base64url");
}

function invalidCursor(why: string): AppError {
  return new AppError({ paginationError: "InvalidCursor" }, `Invalid pagination cursor: ${why}. Restart from the first page.`);
}

/** Decodes a cursor of the query with `fingerprint` over `range`; throws InvalidCursor otherwise. */
export function decodeCursor(cursor: unknown, fingerprint: Uint8Array, range: KeyRange): Position {
  if (typeof cursor !== "string" || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw invalidCursor("it is not a cursor string");
  const bytes = Buffer.from(cursor, "base64url");
  if (bytes.length < HEADER || bytes.toString("base64url") !== cursor || bytes[0] !== VERSION) throw invalidCursor("it is malformed");
  if (compareKeys(bytes.subarray(2, HEADER), fingerprint) !== 0) throw invalidCursor("it belongs to a different query or index");
  const kind = bytes[1];
  if (kind === KIND.start && bytes.length === HEADER) return { kind: "start" };
  if (kind === KIND.end && bytes.length === HEADER) return { kind: "end" };
  if (kind !== KIND.key) throw invalidCursor("it is malformed");
  const key = new Uint8Array(bytes.subarray(HEADER));
  if (compareKeys(key, range.low) < 0 || compareKeys(key, range.high) >= 0) throw invalidCursor("its position is outside the query's range");
  return { kind: "key", key };
}

/** The part of `range` strictly after `start` and up to and including `end`, in scan order. */
function narrow(range: KeyRange, order: "asc" | "desc", start: Position, end: Position | undefined): KeyRange {
  const max = (a: Uint8Array, b: Uint8Array) => (compareKeys(a, b) >= 0 ? a : b);
  const min = (a: Uint8Array, b: Uint8Array) => (compareKeys(a, b) <= 0 ? a : b);
  let { low, high } = range;
  if (order === "asc") {
    if (start.kind === "key") low = max(low, keySuccessor(start.key));
    if (end?.kind === "key") high = min(high, keySuccessor(end.key));
    if (end?.kind === "start") high = range.low;
  } else {
    if (start.kind === "key") high = min(high, start.key);
    if (end?.kind === "key") low = max(low, end.key);
    if (end?.kind === "start") low = range.high;
  }
  return { low, high };
}

/** What `paginate` needs to know about the query. */
export interface PaginatedQuery {
  tx: TxState;
  index: IndexInfo;
  range: KeyRange;
  order: "asc" | "desc";
  filter: FilterExpression | undefined;
}

interface Limits {
  numItems: number;
  maximumRowsRead: number;
  maximumBytesRead: number;
}

function positiveOption(options: PaginationOptions, name: "maximumRowsRead" | "maximumBytesRead"): number {
  const value = options[name];
  if (value === undefined) return Infinity;
  if (typeof value !== "number" || !(value > 0)) throw new Error(`paginate(): ${name} must be a positive number, got ${String(value)}`);
  return value;
}

function checkOptions(options: PaginationOptions): Limits {
  if (typeof options !== "object" || options === null) throw new Error("paginate() takes { numItems, cursor }");
  const { numItems } = options;
  if (typeof numItems !== "number" || !Number.isFinite(numItems) || numItems < 0) {
    throw new Error(`paginate(): numItems must be a non-negative number, got ${String(numItems)}`);
  }
  return { numItems: Math.floor(numItems), maximumRowsRead: positiveOption(options, "maximumRowsRead"), maximumBytesRead: positiveOption(options, "maximumBytesRead") };
}

/**
 * Reads one page. Without `endCursor`: up to `numItems` rows after `cursor`, fewer when
 * `maximumRowsRead` rows or `maximumBytesRead` bytes were examined first. With `endCursor`: every
 * row after `cursor` up to and including `endCursor`, however many there are now - unless that is
 * more than those maximums (or than the transaction may read): then the page stops there with
 * `pageStatus: "SplitRequired"` and a `splitCursor` in the middle of what it read, and the client
 * replaces it by the two pages on either side. A page grown past twice `numItems` is
 * "SplitRecommended". `continueCursor` is the last row examined, `endCursor` when given, or the
 * end of the range when the range was exhausted (so a page ending there grows when rows are
 * appended).
 *
 * @example
 * const page = await paginateQuery(q, { numItems: 10, cursor: null });
 * const next = await paginateQuery(q, { numItems: 10, cursor: page.continueCursor });
 */
export async function paginateQuery(query: PaginatedQuery, options: PaginationOptions): Promise<PaginationResult<Document>> {
  const { numItems, maximumRowsRead, maximumBytesRead } = checkOptions(options);
  const fingerprint = queryFingerprint(query.index, query.order, query.range, query.filter?.text ?? "");
  const start: Position = options.cursor == null ? { kind: "start" } : decodeCursor(options.cursor, fingerprint, query.range);
  const end = options.endCursor == null ? undefined : decodeCursor(options.endCursor, fingerprint, query.range);
  const cursorOf = (position: Position) => encodeCursor(fingerprint, position);
  if (start.kind === "end") return { page: [], isDone: true, continueCursor: cursorOf(start), splitCursor: null, pageStatus: null };

  const bounded = end === undefined;
  // A fixed page stops short of the transaction's read limit instead of failing the query.
  const rowLimit = bounded ? maximumRowsRead : Math.min(maximumRowsRead, query.tx.readsLeft);
  const wanted = bounded && query.filter === undefined ? Math.min(numItems, maximumRowsRead) : Infinity;
  const scan = new IndexScan(query.tx, query.index, narrow(query.range, query.order, start, end), query.order, wanted);
  const examinedKeys: Uint8Array[] = [];
  const page: Document[] = [];
  let bytes = 0;
  let cutShort = false;
  for (;;) {
    if (bounded && page.length >= numItems) break;
    if (examinedKeys.length >= rowLimit || bytes >= maximumBytesRead) {
      // Reading on to learn whether rows remain could break the very limit: unless the page
      // visibly reached its end, assume they do (a needless split costs one more query).
      const reachedEnd = end?.kind === "key" && examinedKeys.length > 0 && compareKeys(examinedKeys.at(-1)!, end.key) === 0;
      cutShort = !bounded && !reachedEnd && !scan.exhausted;
      break;
    }
    const wait = scan.ready();
    if (wait) await wait;
    const row = scan.next();
    if (row === undefined) break;
    examinedKeys.push(row.key);
    bytes += row.size;
    if (query.filter === undefined || query.filter.evaluate(row.document) === true) page.push(row.document);
  }
  const lastKey = examinedKeys.at(-1);

  const isDone = end === undefined ? scan.exhausted : end.kind === "end";
  let continueCursor: string;
  if (end !== undefined) continueCursor = cursorOf(end);
  else if (isDone) continueCursor = cursorOf({ kind: "end" });
  else continueCursor = cursorOf(lastKey === undefined ? start : { kind: "key", key: lastKey });

  const middle = examinedKeys[Math.floor((examinedKeys.length - 1) / 2)];
  if (cutShort && middle !== undefined) {
    return { page, isDone, continueCursor, splitCursor: cursorOf({ kind: "key", key: middle }), pageStatus: "SplitRequired" };
  }
  if (end !== undefined && page.length > 2 * numItems && middle !== undefined) {
    return { page, isDone, continueCursor, splitCursor: cursorOf({ kind: "key", key: middle }), pageStatus: "SplitRecommended" };
  }
  return { page, isDone, continueCursor, splitCursor: null, pageStatus: null };
}

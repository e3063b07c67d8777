// A forward-only scan over one index range, fetched in pages with keyset continuation (the next
// page starts right after the last key consumed), recording what it consumed in the read set.

import type { IndexInfo } from "./catalog.js";
import { decodeDocument } from "./document-decode.js";
import { keySuccessor } from "./keys.js";
import type { RecordedRange } from "./read-set.js";
import { isPromise, type MaybePromise, type ScanRow } from "./engine.js";
import type { TxState } from "./transaction.js";
import type { Document } from "./validation.js";

/** `[low, high)` in key bytes. */
export interface KeyRange {
  readonly low: Uint8Array;
  readonly high: Uint8Array;
}

/** A document and its key in the scanned index. */
export interface ScannedDocument {
  key: Uint8Array;
  document: Document;
  /** Its stored size (characters of its JSON text), for byte limits. */
  size: number;
}

const FIRST_PAGE = 64;
const MAX_PAGE = 256;
const MAX_EXACT_PAGE = 1024;

/**
 * Scans `range` of `index` in `order`. `wanted` is how many rows the caller will consume at most
 * (a `take(n)` without filter), so the first page is exactly that; otherwise pages grow from 64
 * to 256 rows.
 *
 * @example
 * const scan = new IndexScan(tx, index, range, "asc", 50);
 * for (;;) {
 *   const wait = scan.ready();
 *   if (wait) await wait;
 *   const row = scan.next();
 *   if (row === undefined) break;
 *   use(row.document);
 * }
 */
export class IndexScan {
  private buffer: ScanRow[] = [];
  private position = 0;
  private bufferVersion = -1;
  /** The last page came back short: nothing is left after the buffer. */
  private lastPage = false;
  private done = false;
  private consumed = 0;
  private pageSize: number;
  /** The part of the range not consumed yet. */
  private rest: { low: Uint8Array; high: Uint8Array };
  private readonly recorded: RecordedRange | undefined;

  constructor(
    private readonly tx: TxState,
    private readonly index: IndexInfo,
    readonly range: KeyRange,
    private readonly order: "asc" | "desc",
    private readonly wanted = Infinity,
  ) {
    this.rest = { low: range.low, high: range.high };
    this.pageSize = Number.isFinite(wanted) ? Math.min(Math.max(wanted, 1), MAX_EXACT_PAGE) : FIRST_PAGE;
    // Starts empty (nothing consumed yet) and grows from the starting end of the range.
    const start = order === "asc" ? range.low : range.high;
    this.recorded = tx.readSet?.add(index.id, start, start);
  }

  /** True once the whole range was consumed. */
  get exhausted(): boolean {
    return this.done;
  }

  /**
   * Makes the next row available to `next()`: returns a promise only when the engine answers
   * asynchronously and a page must be fetched (never on SQLite, so its loops await nothing).
   */
  ready(): MaybePromise<void> {
    this.tx.assertOpen();
    if (this.done) return;
    if (this.tx.kind === "write" && this.tx.writeVersion !== this.bufferVersion) {
      // This transaction wrote since the page was fetched: refetch from the last consumed key.
      this.buffer = [];
      this.position = 0;
      this.lastPage = false;
    }
    if (this.position < this.buffer.length || this.lastPage) return;
    return this.fetch();
  }

  /** The next document, or undefined at the end of the range. Call `ready()` (and wait for it) first. */
  next(): ScannedDocument | undefined {
    this.tx.assertOpen();
    if (this.done) return undefined;
    if (this.position >= this.buffer.length) return this.finish();
    const row = this.buffer[this.position++]!;
    this.consumed++;
    const key = new Uint8Array(row.key.buffer, row.key.byteOffset, row.key.byteLength);
    if (this.order === "asc") {
      this.rest.low = keySuccessor(key);
      if (this.recorded !== undefined) this.recorded.high = this.rest.low;
    } else {
      this.rest.high = key;
      if (this.recorded !== undefined) this.recorded.low = key;
    }
    this.tx.countRead();
    return { key, document: decodeDocument(row.json), size: row.json.length };
  }

  private fetch(): MaybePromise<void> {
    const limit = Number.isFinite(this.wanted) ? Math.min(Math.max(this.wanted - this.consumed, 1), MAX_EXACT_PAGE) : this.pageSize;
    const version = this.tx.writeVersion;
    const page = this.tx.store.scanPage({ indexId: this.index.id, low: this.rest.low, high: this.rest.high, order: this.order, limit });
    if (isPromise(page)) return page.then((rows) => this.fill(rows, limit, version));
    this.fill(page, limit, version);
  }

  private fill(rows: ScanRow[], limit: number, version: number): void {
    this.buffer = rows;
    this.position = 0;
    this.bufferVersion = version;
    this.lastPage = rows.length < limit;
    this.pageSize = Math.min(this.pageSize * 2, MAX_PAGE);
  }

  private finish(): undefined {
    this.done = true;
    if (this.recorded !== undefined) {
      this.recorded.low = this.range.low;
      this.recorded.high = this.range.high;
    }
    return undefined;
  }
}

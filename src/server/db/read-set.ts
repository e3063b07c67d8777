// Read sets (what a query scanned, as key ranges per index) and the overlap test the sync layer
// runs for every subscription on every commit. Scans record `Uint8Array` keys; a finished read
// set keeps each bound as a one-byte string (`KeyBound`): a server keeps a read set per live
// query, and two strings and one small object per range weigh a fraction of two typed arrays
// with their own buffers. Write keys stay bytes and are compared to bounds without conversion.

import { compareKeys, keySuccessor } from "./keys.js";
import type { IndexRange, IndexWrite, KeyBound, OverlapTest, ReadSet, WriteSet } from "./types.js";

/** Keys up to this many bytes are converted in one `String.fromCharCode` call (its argument count is bounded). */
const ONE_CALL = 4096;

/**
 * `key` as a read-set bound: one char (0-255) per byte, so `<` on bounds is byte-wise order.
 *
 * @example
 * keyBound(new Uint8Array([0x61, 0x00, 0xff])); // "a\u0000\u00ff"
 * keyBound(encodeKey(["a"])) < keyBound(encodeKey(["b"])); // true
 */
export function keyBound(key: Uint8Array): KeyBound {
  if (key.length <= ONE_CALL) return String.fromCharCode.apply(null, key as unknown as number[]);
  // One flat string (pieces joined with `+` would be a tree the read set keeps alive).
  return Buffer.from(key.buffer, key.byteOffset, key.byteLength).toString("latin1");
}

/**
 * Compares a written key with a bound in byte-wise order: negative, zero or positive as `key`
 * sorts before, equal to or after `bound`. No copy of either: commit matching runs this for
 * every candidate subscription.
 *
 * @example
 * compareKeyToBound(new Uint8Array([1, 2]), keyBound(new Uint8Array([1, 3]))); // < 0
 */
export function compareKeyToBound(key: Uint8Array, bound: KeyBound): number {
  const n = Math.min(key.length, bound.length);
  for (let i = 0; i < n; i++) {
    const d = key[i]! - bound.charCodeAt(i);
    if (d !== 0) return d;
  }
  return key.length - bound.length;
}

/** A range that grows while a scan runs: scans widen `low`/`high` as they consume rows. */
export interface RecordedRange {
  indexId: number;
  low: Uint8Array;
  high: Uint8Array | undefined;
}

/** Collects the ranges of one read transaction. */
export class ReadSetBuilder {
  private readonly ranges: RecordedRange[] = [];

  /**
   * Records a range; the scan may widen the returned object as it goes.
   *
   * @example
   * const range = readSet.add(byRoom.id, low, low); // empty until rows are consumed
   * range.high = keySuccessor(lastKey);
   */
  add(indexId: number, low: Uint8Array, high: Uint8Array | undefined): RecordedRange {
    const range: RecordedRange = { indexId, low, high };
    this.ranges.push(range);
    return range;
  }

  /** Records the one-key range `[key, key + 00)` (a point read). */
  point(indexId: number, key: Uint8Array): void {
    this.add(indexId, key, keySuccessor(key));
  }

  /** The finished, immutable read set (empty ranges dropped), its bounds as `KeyBound`s. */
  build(): ReadSet {
    const ranges: IndexRange[] = [];
    for (const range of this.ranges) {
      if (range.high !== undefined && compareKeys(range.low, range.high) >= 0) continue;
      ranges.push(Object.freeze({ indexId: range.indexId, low: keyBound(range.low), high: range.high === undefined ? undefined : keyBound(range.high) }));
    }
    // slice(): a pushed-to array keeps spare capacity (17 slots for one range), an exact copy does not.
    return Object.freeze({ ranges: Object.freeze(ranges.slice()) });
  }
}

function inRange(range: IndexRange, key: Uint8Array): boolean {
  return compareKeyToBound(key, range.low) >= 0 && (range.high === undefined || compareKeyToBound(key, range.high) < 0);
}

/** Per read set: its ranges grouped by index, merged and sorted, for binary search. */
const prepared = new WeakMap<ReadSet, Map<number, IndexRange[]>>();

function prepare(readSet: ReadSet): Map<number, IndexRange[]> {
  let byIndex = prepared.get(readSet);
  if (byIndex !== undefined) return byIndex;
  byIndex = new Map();
  for (const range of readSet.ranges) {
    const list = byIndex.get(range.indexId);
    if (list === undefined) byIndex.set(range.indexId, [range]);
    else list.push(range);
  }
  for (const [indexId, list] of byIndex) byIndex.set(indexId, merge(list));
  prepared.set(readSet, byIndex);
  return byIndex;
}

/** Sorts by `low` and merges overlapping or touching ranges into disjoint ones. */
function merge(list: IndexRange[]): IndexRange[] {
  list.sort((a, b) => (a.low < b.low ? -1 : a.low > b.low ? 1 : 0));
  const out: IndexRange[] = [];
  for (const range of list) {
    const last = out[out.length - 1];
    if (last !== undefined && (last.high === undefined || range.low <= last.high)) {
      const high = last.high === undefined || range.high === undefined ? undefined : last.high >= range.high ? last.high : range.high;
      out[out.length - 1] = { indexId: last.indexId, low: last.low, high };
    } else out.push(range);
  }
  return out;
}

/** True when `key` falls in one of the disjoint sorted `ranges`. */
function hits(ranges: IndexRange[], key: Uint8Array): boolean {
  let lo = 0;
  let hi = ranges.length - 1;
  // The last range whose low <= key is the only candidate.
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (compareKeyToBound(key, ranges[mid]!.low) >= 0) lo = mid + 1;
    else hi = mid - 1;
  }
  return hi >= 0 && inRange(ranges[hi]!, key);
}

const SMALL = 8;

/**
 * True when a commit wrote a key inside one of the read set's ranges (same index id), i.e. the
 * commit may have changed what the read saw.
 *
 * @example
 * if (readSetOverlaps(subscription.readSet, commit.writeSet)) rerun(subscription);
 */
export const readSetOverlaps: OverlapTest = (readSet: ReadSet, writeSet: WriteSet): boolean => {
  const { ranges } = readSet;
  if (ranges.length === 0 || writeSet.writes.length === 0) return false;
  if (ranges.length <= SMALL) {
    for (const write of writeSet.writes) for (const range of ranges) if (range.indexId === write.indexId && inRange(range, write.key)) return true;
    return false;
  }
  const byIndex = prepare(readSet);
  return writeSet.writes.some((write: IndexWrite) => {
    const list = byIndex.get(write.indexId);
    return list !== undefined && hits(list, write.key);
  });
};

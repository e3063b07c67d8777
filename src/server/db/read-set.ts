// Read sets (what a query scanned, as key ranges per index) and the overlap test the sync layer
// runs for every subscription on every commit.

import { compareKeys, keySuccessor } from "./keys.js";
import type { IndexRange, IndexWrite, OverlapTest, ReadSet, WriteSet } from "./types.js";

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

  /** The finished, immutable read set (empty ranges dropped). */
  build(): ReadSet {
    const ranges: IndexRange[] = [];
    for (const range of this.ranges) {
      if (range.high !== undefined && compareKeys(range.low, range.high) >= 0) continue;
      ranges.push(Object.freeze({ indexId: range.indexId, low: range.low, high: range.high }));
    }
    return Object.freeze({ ranges: Object.freeze(ranges) });
  }
}

function inRange(range: IndexRange, key: Uint8Array): boolean {
  return compareKeys(range.low, key) <= 0 && (range.high === undefined || compareKeys(key, range.high) < 0);
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
  list.sort((a, b) => compareKeys(a.low, b.low));
  const out: IndexRange[] = [];
  for (const range of list) {
    const last = out[out.length - 1];
    if (last !== undefined && (last.high === undefined || compareKeys(range.low, last.high) <= 0)) {
      const high = last.high === undefined || range.high === undefined ? undefined : compareKeys(last.high, range.high) >= 0 ? last.high : range.high;
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
    if (compareKeys(ranges[mid]!.low, key) <= 0) lo = mid + 1;
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

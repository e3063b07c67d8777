// Finds, for a commit, the holders of read sets it could have changed: holders are filed under
// every index their read set covers, so a commit only looks at those filed under the indexes it
// wrote. The exact range test (`readSetOverlaps`) is the caller's next step.

import type { ReadSet, WriteSet } from "./types.js";

/**
 * Read-set holders (live queries, cached results) filed by index.
 *
 * @example
 * const index = new ReadSetIndex<Subscription>();
 * index.add(subscription, subscription.readSet);
 * for (const candidate of index.candidates(commit.writeSet)) ...
 */
export class ReadSetIndex<T> {
  readonly #byIndex = new Map<number, Set<T>>();

  add(holder: T, readSet: ReadSet | undefined): void {
    for (const range of readSet?.ranges ?? []) {
      let holders = this.#byIndex.get(range.indexId);
      if (holders === undefined) this.#byIndex.set(range.indexId, (holders = new Set()));
      holders.add(holder);
    }
  }

  remove(holder: T, readSet: ReadSet | undefined): void {
    for (const range of readSet?.ranges ?? []) {
      const holders = this.#byIndex.get(range.indexId);
      if (holders === undefined) continue;
      holders.delete(holder);
      if (holders.size === 0) this.#byIndex.delete(range.indexId);
    }
  }

  /** Every holder whose read set covers an index `writeSet` wrote to. */
  candidates(writeSet: WriteSet): Set<T> {
    const found = new Set<T>();
    for (const write of writeSet.writes) {
      const holders = this.#byIndex.get(write.indexId);
      if (holders) for (const holder of holders) found.add(holder);
    }
    return found;
  }

  clear(): void {
    this.#byIndex.clear();
  }
}

// The newest commit confirmed on this node - its COMMIT returned to the writer, or a follower
// applied it from the commit log - and the reads waiting for a newer one. A read's snapshot may
// show a commit whose COMMIT has not returned yet: it waits here, so nothing shows a mutation's
// effect before its caller may learn of it.

import { connectionLost, type Target } from "./errors.js";
import { outsideCaller } from "./session.js";

/**
 * The confirmed commit timestamp and its waiters.
 *
 * @example
 * const confirmed = new ConfirmedCommits(lastTs, target);
 * confirmed.advance(ts); // after COMMIT returned
 * await confirmed.wait(ts, 60_000); // in a read that saw `ts`
 */
export class ConfirmedCommits {
  private readonly waiters: { ts: bigint; resolve: () => void }[] = [];
  private current: bigint;

  constructor(
    ts: bigint,
    /** The database, as a timed-out wait's error names it. */
    private readonly target: Target,
  ) {
    this.current = ts;
  }

  /** The last commit whose COMMIT returned here (or that this follower applied). */
  get ts(): bigint {
    return this.current;
  }

  /**
   * Resolves once commit `ts` is confirmed here; rejects after `timeoutMs` (its outcome stayed unknown).
   *
   * @example
   * await confirmed.wait(snapshotTs, 60_000);
   */
  wait(ts: bigint, timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = outsideCaller(() => setTimeout(() => {
        const index = this.waiters.indexOf(waiter);
        if (index >= 0) this.waiters.splice(index, 1);
        reject(connectionLost(this.target, new Error("a commit this read saw was not confirmed")));
      }, timeoutMs));
      const waiter = {
        ts,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      this.waiters.push(waiter);
    });
  }

  /**
   * Records that every commit through `ts` is confirmed, and wakes those waiting for them.
   *
   * @example
   * confirmed.advance(batch.lastTs);
   */
  advance(ts: bigint): void {
    this.current = ts;
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      const waiter = this.waiters[i]!;
      if (waiter.ts <= ts) {
        this.waiters.splice(i, 1);
        waiter.resolve();
      }
    }
  }

  /** Resolves every waiter (the database is closing: nothing more will be confirmed). */
  releaseAll(): void {
    for (const waiter of this.waiters.splice(0)) waiter.resolve();
  }
}

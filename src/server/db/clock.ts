// Commit timestamps: u64 nanoseconds since the Unix epoch, strictly increasing forever (also
// across restarts and when the wall clock steps back, because the last one is persisted).

// Captured at load: the runtime freezes `Date.now` while a mutation runs, commit times must not be.
const wallClockMs = Date.now;

/**
 * The timestamp after `last`: the wall clock in nanoseconds, or `last + 1` when the clock is
 * not ahead of it.
 *
 * @example
 * nextTimestamp(0n) // ~ 1763000000000000000n
 * nextTimestamp(2n ** 62n) // 2n ** 62n + 1n
 */
export function nextTimestamp(last: bigint): bigint {
  const wall = BigInt(wallClockMs()) * 1_000_000n;
  return wall > last ? wall : last + 1n;
}

/** 2^-10 ms: exactly representable next to today's epoch milliseconds (float64 ulp there is 2^-12). */
const CREATION_STEP_MS = 2 ** -10;

/**
 * `_creationTime` values: `Date.now()` (as the runtime sees it - frozen during a mutation), or a
 * hair after the previous one when the clock has not moved past it, so documents inserted in the
 * same millisecond (or the same mutation) still sort by creation time in insertion order.
 *
 * @example
 * const clock = new CreationClock();
 * clock.next() < clock.next() // true, even within one millisecond
 */
export class CreationClock {
  private last = 0;

  next(): number {
    const now = Date.now();
    this.last = now > this.last ? now : this.last + CREATION_STEP_MS;
    return this.last;
  }
}

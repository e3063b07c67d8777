// The time source of the scheduler and the cron runner. Real time by default; tests inject a
// clock they advance by hand, so a cron every minute can be tested in milliseconds.

import { LONGEST_TIMER_MS } from "../timers.js";

/** Time as the scheduler sees it. */
export interface SchedulerClock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Calls `callback` once `delayMs` have passed on this clock; returns a function that cancels it. */
  setTimer(delayMs: number, callback: () => void): () => void;
}

/**
 * The wall clock. A wait longer than one Node timer wakes early: the caller looks at its jobs and
 * sets the next timer. Timers are unref'd: a pending job alone does not keep a process alive.
 *
 * @example
 * const cancel = realClock.setTimer(1000, () => console.log("a second later"));
 */
export const realClock: SchedulerClock = {
  now: () => Date.now(),
  setTimer(delayMs, callback) {
    const timer = setTimeout(callback, Math.min(Math.max(0, delayMs), LONGEST_TIMER_MS));
    timer.unref();
    return () => clearTimeout(timer);
  },
};

// The scheduler clock of a test runtime: time stands still until the test moves it. Timers fire
// in the order of their times (ties in the order they were set), each with the clock at its own
// time, so a job due at 10:00 runs before a cron occurrence at 10:01 whatever the test skips over.

import type { SchedulerClock } from "../server/scheduler/clock.js";

interface Timer {
  readonly at: number;
  readonly seq: number;
  readonly callback: () => void;
}

/**
 * A clock moved by hand. Timers already due when set fire on the next turn of the event loop,
 * as real timers with no delay do.
 *
 * @example
 * const clock = new TestClock(Date.parse("2030-01-01T09:00:00Z"));
 * clock.setTimer(60_000, () => console.log("a minute later"));
 * clock.fireNext(clock.now() + 60_000); // prints, and the clock reads 09:01
 */
export class TestClock implements SchedulerClock {
  #now: number;
  #seq = 0;
  #timers: Timer[] = [];

  constructor(start: number) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  setTimer(delayMs: number, callback: () => void): () => void {
    const timer: Timer = { at: this.#now + Math.max(0, delayMs), seq: this.#seq++, callback };
    this.#timers.push(timer);
    if (timer.at <= this.#now) setImmediate(() => this.#fire(timer));
    return () => {
      this.#timers = this.#timers.filter((t) => t !== timer);
    };
  }

  /**
   * Fires the earliest timer due at or before `limit`, moving the clock to its time (never
   * back); false when there is none.
   */
  fireNext(limit: number): boolean {
    let next: Timer | undefined;
    for (const timer of this.#timers) {
      if (timer.at <= limit && (next === undefined || timer.at < next.at || (timer.at === next.at && timer.seq < next.seq))) next = timer;
    }
    if (next === undefined) return false;
    this.#now = Math.max(this.#now, next.at);
    this.#fire(next);
    return true;
  }

  /** Moves the clock to `time` without firing anything (never back). */
  moveTo(time: number): void {
    this.#now = Math.max(this.#now, time);
  }

  /** Timers waiting, due or not (for assertions that something is or is not armed). */
  get pendingTimers(): number {
    return this.#timers.length;
  }

  /** Timers due now that have not fired yet. */
  get hasDueTimers(): boolean {
    return this.#timers.some((timer) => timer.at <= this.#now);
  }

  /** Forgets every timer (the runtime is closing). */
  clear(): void {
    this.#timers = [];
  }

  #fire(timer: Timer): void {
    if (!this.#timers.includes(timer)) return;
    this.#timers = this.#timers.filter((t) => t !== timer);
    timer.callback();
  }
}

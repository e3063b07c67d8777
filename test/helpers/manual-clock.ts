// A scheduler clock tests move by hand: `advance(ms)` fires the timers that fall due, in order,
// each at its own time. Timers already due fire on the next turn of the event loop.

import type { SchedulerClock } from "syncline/server";

interface Timer {
  at: number;
  seq: number;
  callback: () => void;
}

export class ManualClock implements SchedulerClock {
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

  /** Moves time forward by `ms`, firing every timer due on the way. */
  advance(ms: number): void {
    const target = this.#now + ms;
    for (;;) {
      const due = this.#timers.filter((t) => t.at <= target).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (due === undefined) break;
      this.#now = Math.max(this.#now, due.at);
      this.#fire(due);
    }
    this.#now = target;
  }

  /** Timers waiting (for assertions that something is or is not armed). */
  get pendingTimers(): number {
    return this.#timers.length;
  }

  #fire(timer: Timer): void {
    if (!this.#timers.includes(timer)) return;
    this.#timers = this.#timers.filter((t) => t !== timer);
    timer.callback();
  }
}

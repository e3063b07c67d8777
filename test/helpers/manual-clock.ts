// A scheduler clock tests move by hand: `advance(ms)` fires the timers that fall due, in order,
// each at its own time. Timers already due fire on the next turn of the event loop. It is
// syncline/testing's clock with one more verb, so both keep the same timer semantics.

import { TestClock } from "../../src/testing/test-clock.js";

export class ManualClock extends TestClock {
  /** Moves time forward by `ms`, firing every timer due on the way. */
  advance(ms: number): void {
    const target = this.now() + ms;
    while (this.fireNext(target));
    this.moveTo(target);
  }
}

// Time in a test runtime: it stands still until the test moves it. Moving it fires the
// scheduler's and the cron runner's timers one at a time, in time order, and lets the real job
// runner finish what each made due before the next fires - so the order of jobs and cron
// occurrences is the order a server would run them in, however far the test jumps.

import type { Database } from "../server/db/types.js";
import type { BackgroundJobs } from "../server/scheduler/background-jobs.js";
import { BY_KIND_STATE_TIME, jobs } from "../server/scheduler/scheduled-functions-table.js";
import type { ScheduledFunction } from "../server/define/system-tables.js";
import type { TestClock } from "./test-clock.js";

/** Options of `finishScheduledFunctions`. */
export interface FinishScheduledOptions {
  /**
   * How many times time may move to the next pending job before giving up (default 100): a job
   * that always schedules another would otherwise never let the call return.
   */
  maxRounds?: number;
}

/** Thrown by `finishScheduledFunctions` when jobs are still pending after its last round. */
export class ScheduledFunctionsPendingError extends Error {
  override readonly name = "ScheduledFunctionsPendingError";
  constructor(
    readonly rounds: number,
    readonly pending: readonly { name: string; scheduledTime: number }[],
  ) {
    const listed = pending.map((job) => `${job.name} at ${new Date(job.scheduledTime).toISOString()}`).join(", ");
    super(
      `Scheduled functions were still pending after ${rounds} rounds (${listed}). A function that schedules itself again never finishes: ` +
        `move time with advanceTime(ms) instead, or raise maxRounds.`,
    );
  }
}

/** Moves a test runtime's clock and waits for the background work it causes. */
export class FakeTime {
  readonly #clock: TestClock;
  readonly #background: BackgroundJobs;
  readonly #db: Database;

  constructor(clock: TestClock, background: BackgroundJobs, db: Database) {
    this.#clock = clock;
    this.#background = background;
    this.#db = db;
  }

  /** Waits until no job or cron occurrence that is due now is left running or waiting. */
  async settle(): Promise<void> {
    do {
      // Timers due now fire on the next turn of the event loop; do not wait for it.
      while (this.#clock.fireNext(this.#clock.now()));
      await this.#background.settled();
    } while (this.#clock.hasDueTimers || this.#background.busy);
  }

  /** Moves time forward by `ms`, running every job and cron occurrence due on the way, in order. */
  async advance(ms: number): Promise<void> {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`advanceTime takes a number of milliseconds >= 0, got ${String(ms)}.`);
    const target = this.#clock.now() + ms;
    await this.settle();
    while (this.#clock.fireNext(target)) await this.settle();
    this.#clock.moveTo(target);
    await this.settle();
  }

  /**
   * Runs scheduled functions until none is pending or running, moving time to each next one
   * (and past the cron occurrences on the way).
   */
  async finish(options: FinishScheduledOptions = {}): Promise<void> {
    const maxRounds = options.maxRounds ?? 100;
    for (let round = 0; ; round++) {
      await this.settle();
      const pending = await this.#pending();
      if (pending.length === 0) return;
      if (round >= maxRounds) throw new ScheduledFunctionsPendingError(maxRounds, pending.map(({ name, scheduledTime }) => ({ name, scheduledTime })));
      const next = Math.min(...pending.map((job) => job.scheduledTime));
      await this.advance(Math.max(0, next - this.#clock.now()));
    }
  }

  /** Jobs waiting for their time, earliest first. */
  async #pending(): Promise<ScheduledFunction[]> {
    const { result } = await this.#db.read((tx) =>
      Promise.all(
        (["mutation", "action"] as const).map((kind) =>
          jobs(tx.db.system)
            .withIndex(BY_KIND_STATE_TIME, (q) => q.eq("kind", kind).eq("state.kind", "pending"))
            .take(20),
        ),
      ),
    );
    return result.flat().sort((a, b) => a.scheduledTime - b.scheduledTime);
  }
}

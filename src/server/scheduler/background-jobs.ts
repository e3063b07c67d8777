// The server's background work in one place: the job runner (scheduled functions) and the cron
// runner that feeds it. `startServer` starts it after the ports listen, re-syncs the crons on
// every reload, and stops it before the database closes.

import type { Database } from "../db/types.js";
import type { ServerLogger } from "../logger.js";
import type { Runtime, SchedulerHooks } from "../runtime/runtime.js";
import type { CronJob } from "../crons/cron-jobs.js";
import { CronRunner } from "../crons/cron-runner.js";
import type { SchedulerClock } from "./clock.js";
import { JobRunner } from "./job-runner.js";

export interface BackgroundJobsOptions {
  db: Database;
  runtime: () => Runtime;
  clock: SchedulerClock;
  logger: ServerLogger;
}

/**
 * Scheduled functions and cron jobs of one server.
 *
 * @example
 * const background = new BackgroundJobs({ db, runtime: () => runtime, clock: realClock, logger });
 * const runtime = new Runtime(loaded, db, { storage, scheduler: background.schedulerHooks });
 * await background.start(loaded.crons);
 */
export class BackgroundJobs {
  readonly #runner: JobRunner;
  readonly #crons: CronRunner;
  #started = false;
  /** For the runtime: the clock `ctx.scheduler` uses, and the wake-up after a commit. */
  readonly schedulerHooks: SchedulerHooks;

  constructor(options: BackgroundJobsOptions) {
    this.#runner = new JobRunner(options);
    const wake = (time: number) => this.#runner.wake(time);
    this.#crons = new CronRunner({ ...options, kindOf: (name) => options.runtime().kindOf(name, "server"), jobsScheduled: wake });
    this.schedulerHooks = { now: () => options.clock.now(), jobsScheduled: wake };
  }

  /** Settles what the last process left, runs due jobs and arms the crons. */
  async start(crons: readonly CronJob[]): Promise<void> {
    await this.#runner.start();
    await this.#crons.sync(crons);
    this.#started = true;
  }

  /** New code: its `crons.ts` replaces the old schedule. */
  async reloaded(crons: readonly CronJob[]): Promise<void> {
    if (this.#started) await this.#crons.sync(crons);
  }

  /** A cron firing, a pump of the job runner or a scheduled action is running. */
  get busy(): boolean {
    return this.#crons.busy || this.#runner.busy;
  }

  /**
   * Resolves once no background work is running: due cron occurrences are scheduled and due jobs
   * have finished, including the jobs those jobs scheduled for now. Timers for later jobs stay.
   *
   * @example
   * clock.advance(60_000); // a test's clock: the crons and jobs of that minute start
   * await background.settled();
   */
  async settled(): Promise<void> {
    while (this.busy) {
      await this.#crons.settled();
      await this.#runner.settled();
    }
  }

  /** Stops starting work; mutations in flight finish, running actions are left to the shutdown. */
  async stop(): Promise<void> {
    await this.#crons.stop();
    await this.#runner.stop();
  }
}

// Runs due jobs of `_scheduled_functions`. One timer for the next due job (re-armed when a
// commit schedules an earlier one), no polling. Mutations run exactly once: the job's status
// is checked and set to `success` inside the very transaction of the mutation's writes.
// Actions run at most once: the job is marked `inProgress` durably before the action starts,
// and a job found `inProgress` at start-up was cut off by a crash, so it is marked failed, never
// run again. Concurrency is bounded: a batch of mutations at a time (they share group commits)
// and a fixed number of actions.

import type { Database, WriteTransaction } from "../db/types.js";
import type { ServerLogger } from "../logger.js";
import type { Outcome } from "../runtime/outcome.js";
import type { Caller, Idempotency, Runtime } from "../runtime/runtime.js";
import { runOutsideScope } from "../runtime/scope.js";
import type { ScheduledFunction } from "../define/system-tables.js";
import type { SchedulerClock } from "./clock.js";
import { BY_KIND_STATE_TIME, jobs, type JobKind } from "./scheduled-functions-table.js";
import { pruneFinishedJobs } from "./prune-jobs.js";

export interface JobRunnerOptions {
  db: Database;
  /** The runtime serving the current code (it changes on reload). */
  runtime: () => Runtime;
  clock: SchedulerClock;
  logger: ServerLogger;
  /** Most scheduled actions running at once (default 10). */
  maxConcurrentActions?: number;
  /** Scheduled mutations started together; they commit in shared batches (default 256). */
  mutationBatchSize?: number;
}

/** Scheduled functions run as trusted server code, as nobody. */
const SCHEDULED_CALLER: Caller = { origin: "server", identity: null };
export const INTERRUPTED_MESSAGE = "Interrupted by a server restart; a scheduled action runs at most once, so it was not run again.";
const RETRY_AFTER_ERROR_MS = 1_000;
const PRUNE_EVERY_MS = 60 * 60 * 1000;
const RECOVERY_BATCH = 1_000;

type Job = ScheduledFunction;

/**
 * The job runner of one server.
 *
 * @example
 * const runner = new JobRunner({ db, runtime: () => runtime, clock: realClock, logger });
 * await runner.start();
 * runner.wake(Date.now()); // after a commit that scheduled a job
 * await runner.stop();
 */
export class JobRunner {
  readonly #options: JobRunnerOptions;
  readonly #maxActions: number;
  readonly #batchSize: number;
  #started = false;
  #stopped = false;
  #pumping: Promise<void> | undefined;
  #pumpAgain = false;
  #timer: { at: number; cancel: () => void } | undefined;
  #cancelPrune: (() => void) | undefined;
  #actionsRunning = 0;
  /** The scheduled actions running now, for `settled`. */
  readonly #actions = new Set<Promise<void>>();

  constructor(options: JobRunnerOptions) {
    this.#options = options;
    this.#maxActions = options.maxConcurrentActions ?? 10;
    this.#batchSize = options.mutationBatchSize ?? 256;
  }

  /** Settles what a previous process left (interrupted actions, old finished jobs), then runs what is due. */
  async start(): Promise<void> {
    await this.#failInterruptedActions();
    this.#started = true;
    this.#prune();
    this.#requestPump();
  }

  /** A commit scheduled a job due at `time`: run it now, or make sure a timer wakes for it. */
  wake(time: number): void {
    if (!this.#started || this.#stopped) return;
    if (time <= this.#options.clock.now()) this.#requestPump();
    else this.#arm(time);
  }

  /** Stops starting jobs and waits for the mutations in flight. Running actions are left to finish or be cut off. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#timer?.cancel();
    this.#timer = undefined;
    this.#cancelPrune?.();
    await this.#pumping;
  }

  /** A pump or a scheduled action is running. */
  get busy(): boolean {
    return this.#pumping !== undefined || this.#actions.size > 0;
  }

  /**
   * Resolves once nothing of this runner is running: no pump, no scheduled action. A test's clock
   * waits for it before it moves time on, so jobs run in the order of their times.
   */
  async settled(): Promise<void> {
    while (this.busy) await Promise.all([this.#pumping, ...this.#actions]);
  }

  #requestPump(): void {
    if (this.#stopped) return;
    if (this.#pumping) {
      this.#pumpAgain = true;
      return;
    }
    this.#pumpAgain = false;
    // Outside any function's scope: the runner's timers and logs are the server's, not a handler's.
    this.#pumping = runOutsideScope(() => this.#pump()).finally(() => {
      this.#pumping = undefined;
      if (this.#pumpAgain) this.#requestPump();
    });
  }

  async #pump(): Promise<void> {
    try {
      for (;;) {
        this.#pumpAgain = false;
        const now = this.#options.clock.now();
        await this.#startDueActions(now);
        const ran = await this.#runDueMutations(now);
        if (this.#stopped) return;
        if (ran < this.#batchSize && !this.#pumpAgain) break;
      }
      await this.#armForNextJob();
    } catch (error) {
      if (this.#stopped) return;
      this.#options.logger.error(`Scheduled functions: ${(error as Error).stack ?? String(error)}`);
      this.#arm(this.#options.clock.now() + RETRY_AFTER_ERROR_MS);
    }
  }

  /** Keeps the earliest wake-up: a stale early timer costs one empty pump, a late one a missed job. */
  #arm(time: number): void {
    if (this.#stopped || (this.#timer !== undefined && this.#timer.at <= time)) return;
    this.#timer?.cancel();
    const timer = {
      at: time,
      cancel: runOutsideScope(() =>
        this.#options.clock.setTimer(time - this.#options.clock.now(), () => {
          if (this.#timer === timer) this.#timer = undefined;
          this.#requestPump();
        }),
      ),
    };
    this.#timer = timer;
  }

  async #armForNextJob(): Promise<void> {
    const kinds: JobKind[] = this.#actionsRunning < this.#maxActions ? ["mutation", "action"] : ["mutation"];
    // With every action slot taken, a finishing action pumps again; no timer is needed for actions.
    const { result: times } = await this.#options.db.read((tx) =>
      Promise.all(
        kinds.map(async (kind) => {
          const next = await jobs(tx.db.system)
            .withIndex(BY_KIND_STATE_TIME, (q) => q.eq("kind", kind).eq("state.kind", "pending"))
            .first();
          return next?.scheduledTime;
        }),
      ),
    );
    const next = Math.min(...times.map((time) => time ?? Infinity));
    if (next !== Infinity) this.#arm(next);
  }

  /** Reads up to `limit` due pending jobs of `kind`, oldest first. */
  async #due(kind: JobKind, now: number, limit: number): Promise<Job[]> {
    const { result } = await this.#options.db.read((tx) =>
      jobs(tx.db.system)
        .withIndex(BY_KIND_STATE_TIME, (q) => q.eq("kind", kind).eq("state.kind", "pending").lte("scheduledTime", now))
        .take(limit),
    );
    return result;
  }

  async #runDueMutations(now: number): Promise<number> {
    const due = await this.#due("mutation", now, this.#batchSize);
    // Started together, so their transactions share group commits.
    await Promise.all(due.map((job) => this.#runMutation(job)));
    return due.length;
  }

  async #runMutation(job: Job): Promise<void> {
    let alreadySettled = false;
    const exactlyOnce: Idempotency = {
      scheduledJobId: job._id,
      // Inside the mutation's transaction: a job no longer pending (canceled, or done by an
      // earlier run) must not run.
      async lookup(tx) {
        const current = await tx.db.system.get(job._id);
        if (current?.state.kind === "pending") return undefined;
        alreadySettled = true;
        return { ok: true, value: null, logLines: [], ts: tx.ts };
      },
      record: async (tx) => {
        await tx.systemWriter!.patch(job._id, { state: { kind: "success" }, completedTime: this.#options.clock.now() });
      },
    };
    const outcome = await this.#options.runtime().mutation(job.name, job.args[0] ?? {}, SCHEDULED_CALLER, exactlyOnce);
    if (alreadySettled) return;
    this.#log("mutation", job, outcome);
    // A failed mutation wrote nothing, so its status is a write of its own. Should the process
    // die first, the job is still pending and runs again: nothing of the failed run was kept.
    if (!outcome.ok) await this.#settle(job, outcome, "pending");
  }

  async #startDueActions(now: number): Promise<void> {
    const free = this.#maxActions - this.#actionsRunning;
    if (free <= 0) return;
    const due = await this.#due("action", now, free);
    if (due.length === 0) return;
    // Durably inProgress before anything runs: a crash after this point fails the job rather
    // than running the action twice.
    const { result: started } = await this.#options.db.write(
      async (tx) => {
        const claimed: Job[] = [];
        for (const job of due) {
          const current = await tx.db.system.get(job._id);
          if (current?.state.kind !== "pending") continue;
          await tx.systemWriter!.patch(job._id, { state: { kind: "inProgress" } });
          claimed.push(current);
        }
        return claimed;
      },
      { system: true },
    );
    for (const job of started) this.#runAction(job);
  }

  #runAction(job: Job): void {
    this.#actionsRunning++;
    const running = (async () => {
      const outcome = await this.#options.runtime().action(job.name, job.args[0] ?? {}, SCHEDULED_CALLER);
      this.#log("action", job, outcome);
      await this.#settle(job, outcome, "inProgress");
    })()
      .catch((error: unknown) => {
        if (!this.#stopped) this.#options.logger.error(`Scheduled action ${job.name} (${job._id}): ${(error as Error).message}`);
      })
      .finally(() => {
        this.#actionsRunning--;
        this.#actions.delete(running);
        this.#requestPump();
      });
    this.#actions.add(running);
  }

  /** Records how a job ended, unless it left `expected` meanwhile (canceled while running). */
  async #settle(job: Job, outcome: Outcome, expected: "pending" | "inProgress"): Promise<void> {
    const state = outcome.ok ? { kind: "success" } : { kind: "failed", error: outcome.message };
    await this.#options.db.write(
      async (tx: WriteTransaction) => {
        const current = await tx.db.system.get(job._id);
        if (current?.state.kind !== expected) return;
        await tx.systemWriter!.patch(job._id, { state, completedTime: this.#options.clock.now() });
      },
      { system: true },
    );
  }

  #log(kind: JobKind, job: Job, outcome: Outcome): void {
    const { logger } = this.#options;
    for (const line of outcome.logLines) logger.functionLine(kind, job.name, line);
    if (!outcome.ok) logger.functionLine(kind, job.name, `[ERROR] scheduled job ${job._id} failed: ${outcome.message}`);
  }

  async #failInterruptedActions(): Promise<void> {
    for (;;) {
      // Read first: a start-up with nothing to settle must not commit anything.
      const { result: found } = await this.#options.db.read((tx) =>
        jobs(tx.db.system)
          .withIndex(BY_KIND_STATE_TIME, (q) => q.eq("kind", "action").eq("state.kind", "inProgress"))
          .take(RECOVERY_BATCH),
      );
      if (found.length === 0) return;
      await this.#options.db.write(
        async (tx) => {
          const now = this.#options.clock.now();
          for (const job of found) {
            if ((await tx.db.system.get(job._id))?.state.kind !== "inProgress") continue;
            await tx.systemWriter!.patch(job._id, { state: { kind: "failed", error: INTERRUPTED_MESSAGE }, completedTime: now });
          }
        },
        { system: true },
      );
      this.#options.logger.warn(`Marked ${found.length} scheduled action(s) cut off by the last shutdown as failed (actions are never run twice).`);
    }
  }

  /** Finished jobs are kept a week for UIs and debugging, then deleted. */
  #prune(): void {
    if (this.#stopped) return;
    pruneFinishedJobs(this.#options.db, this.#options.clock.now()).catch((error: unknown) => {
      if (!this.#stopped) this.#options.logger.warn(`Pruning finished scheduled functions failed: ${String(error)}`);
    });
    this.#cancelPrune = runOutsideScope(() => this.#options.clock.setTimer(PRUNE_EVERY_MS, () => this.#prune()));
  }
}

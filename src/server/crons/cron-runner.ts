// Turns cron jobs into scheduled jobs. `sync` makes `_cron_jobs` match `crons.ts` (at start and
// on every reload); one timer waits for the earliest `nextRun`; when it fires, each due cron
// gets a row in `_scheduled_functions` and its next run in the same transaction, so every
// occurrence is scheduled exactly once and then runs like any scheduled function.
//
// Runs of one cron never overlap: an occurrence that comes while the previous run's job is still
// pending or in progress is skipped (and logged), so a slow job does not pile up behind itself.
//
// Missed runs are not replayed: a cron whose `nextRun` passed while the server was down moves to
// its next future occurrence (intervals keep their phase) and runs then. Catching up with even
// one run at start-up would repeat side effects on every restart of a crash-looping server.

import type { FunctionKind } from "../../functions/reference.js";
import { encodeValue } from "../../values/encoding.js";
import type { Database, WriteTransaction } from "../db/types.js";
import type { ServerLogger } from "../logger.js";
import { runOutsideScope } from "../runtime/scope.js";
import type { SchedulerClock } from "../scheduler/clock.js";
import type { ScheduledFunction } from "../define/system-tables.js";
import { insertJob, isFinished } from "../scheduler/scheduled-functions-table.js";
import type { CronJob } from "./cron-jobs.js";
import { BY_NEXT_RUN, CRON_JOBS_TABLE, cronRows, type CronJobRow } from "./cron-jobs-table.js";
import { nextRunTime } from "./cron-schedule.js";

export interface CronRunnerOptions {
  db: Database;
  clock: SchedulerClock;
  logger: ServerLogger;
  /** The kind of a function of the current code, undefined when it is missing. */
  kindOf(name: string): FunctionKind | undefined;
  /** Wakes the job runner after crons scheduled jobs. */
  jobsScheduled(earliestTime: number): void;
}

const RETRY_AFTER_ERROR_MS = 1_000;

/**
 * The cron runner of one server.
 *
 * @example
 * const crons = new CronRunner({ db, clock, logger, kindOf, jobsScheduled: (t) => runner.wake(t) });
 * await crons.sync(loaded.crons); // at start and after every reload
 * await crons.stop();
 */
export class CronRunner {
  readonly #options: CronRunnerOptions;
  /** Syncs and firings write one after another. */
  #work: Promise<void> = Promise.resolve();
  #timer: (() => void) | undefined;
  #stopped = false;
  #queued = 0;

  constructor(options: CronRunnerOptions) {
    this.#options = options;
  }

  /** Makes the stored crons match `crons` and re-arms the timer. */
  sync(crons: readonly CronJob[]): Promise<void> {
    return this.#serially(async () => {
      const now = this.#options.clock.now();
      // Plan on a read first: a start or reload that changes nothing must not commit anything.
      const { result: stored } = await this.#options.db.read((tx) => cronRows(tx.db.system).collect());
      if (isEmpty(planSync(stored, crons, now))) return this.#arm(earliestRun(stored));
      const { next, notes } = await this.#write(async (tx) => {
        const plan = planSync(await cronRows(tx.db.system).collect(), crons, now);
        const writer = tx.systemWriter!;
        for (const row of plan.inserts) await writer.insert(CRON_JOBS_TABLE, row);
        for (const { id, fields } of plan.patches) await writer.patch(id, fields);
        for (const id of plan.deletes) await writer.delete(id);
        return { next: (await cronRows(tx.db.system).withIndex(BY_NEXT_RUN).first())?.nextRun, notes: plan.notes };
      });
      for (const note of notes) this.#options.logger.info(note);
      this.#arm(next);
    });
  }

  /** Stops firing; a firing in progress completes. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#timer?.();
    this.#timer = undefined;
    await this.#work.catch(() => {});
  }

  /** A sync or a firing is queued or running. */
  get busy(): boolean {
    return this.#queued > 0;
  }

  /** Resolves once no sync or firing is queued or running (a test's clock waits for it). */
  async settled(): Promise<void> {
    while (this.busy) await this.#work;
  }

  #serially(fn: () => Promise<void>): Promise<void> {
    this.#queued++;
    const run = this.#work.then(() => (this.#stopped ? undefined : fn())).finally(() => this.#queued--);
    this.#work = run.catch(() => {});
    return run;
  }

  #write<T>(fn: (tx: WriteTransaction) => Promise<T>): Promise<T> {
    return this.#options.db.write(fn, { system: true }).then(({ result }) => result);
  }

  #arm(time: number | undefined): void {
    this.#timer?.();
    this.#timer = undefined;
    if (time === undefined || this.#stopped) return;
    const delay = time - this.#options.clock.now();
    this.#timer = runOutsideScope(() => this.#options.clock.setTimer(delay, () => void this.#serially(() => this.#fire())));
  }

  async #fire(): Promise<void> {
    let next: number | undefined;
    try {
      // A timer may wake early (long waits are split, a sync may have moved a cron): then there
      // is nothing to write.
      const { result: stored } = await this.#options.db.read((tx) => cronRows(tx.db.system).collect());
      if (!stored.some((row) => row.nextRun <= this.#options.clock.now())) return this.#arm(earliestRun(stored));
      const fired = await this.#write(async (tx) => {
        const now = this.#options.clock.now();
        const due = await cronRows(tx.db.system)
          .withIndex(BY_NEXT_RUN, (q) => q.lte("nextRun", now))
          .collect();
        let earliest: number | undefined;
        const skipped: string[] = [];
        for (const row of due) {
          if (await this.#schedule(tx, row, now)) earliest = Math.min(earliest ?? Infinity, row.nextRun);
          else skipped.push(row.name);
        }
        next = (await cronRows(tx.db.system).withIndex(BY_NEXT_RUN).first())?.nextRun;
        return { earliest, skipped };
      });
      for (const name of fired.skipped) this.#options.logger.warn(`Cron job "${name}": skipped a run because the previous one is still running.`);
      if (fired.earliest !== undefined) this.#options.jobsScheduled(fired.earliest);
    } catch (error) {
      if (this.#stopped) return;
      this.#options.logger.error(`Cron jobs: ${(error as Error).stack ?? String(error)}`);
      next = this.#options.clock.now() + RETRY_AFTER_ERROR_MS;
    }
    this.#arm(next);
  }

  /**
   * One occurrence: a job due at the planned time, and the cron's next run after now. Returns
   * false when the previous run is still going, so this one is skipped.
   */
  async #schedule(tx: WriteTransaction, row: CronJobRow, now: number): Promise<boolean> {
    const writer = tx.systemWriter!;
    const nextRun = nextRunTime(row.schedule, now, row.nextRun);
    const previous = row.lastJob === undefined ? null : ((await writer.get(row.lastJob)) as ScheduledFunction | null);
    if (previous !== null && !isFinished(previous.state)) {
      await writer.patch(row._id, { nextRun });
      return false;
    }
    const kind = this.#options.kindOf(row.functionName);
    let lastJob: CronJobRow["lastJob"];
    if (kind === "mutation" || kind === "action") {
      lastJob = await insertJob(writer, { name: row.functionName, kind, args: row.args[0] ?? {}, scheduledTime: row.nextRun });
    } else {
      this.#options.logger.error(`Cron job "${row.name}": ${row.functionName} is not a mutation or action of the current code; skipped this run.`);
    }
    await writer.patch(row._id, { lastRun: now, nextRun, lastJob });
    return true;
  }
}

/** What a sync changes in `_cron_jobs`. */
interface SyncPlan {
  inserts: Omit<CronJobRow, "_id" | "_creationTime">[];
  patches: { id: CronJobRow["_id"]; fields: Partial<Omit<CronJobRow, "_id" | "_creationTime">> }[];
  deletes: CronJobRow["_id"][];
  /** For the dev terminal: runs skipped while the server was down. */
  notes: string[];
}

/** The changes that make the stored rows match `crons` at `now`. */
function planSync(stored: readonly CronJobRow[], crons: readonly CronJob[], now: number): SyncPlan {
  const plan: SyncPlan = { inserts: [], patches: [], deletes: [], notes: [] };
  const byName = new Map(stored.map((row) => [row.name, row]));
  for (const cron of crons) {
    const definition = JSON.stringify([cron.schedule, cron.functionName, encodeValue(cron.args)]);
    const row = byName.get(cron.name);
    byName.delete(cron.name);
    if (row === undefined || row.definition !== definition) {
      // New or changed in crons.ts: scheduled afresh from now.
      const fields = { functionName: cron.functionName, args: [cron.args], schedule: cron.schedule, definition, nextRun: nextRunTime(cron.schedule, now) };
      if (row === undefined) plan.inserts.push({ name: cron.name, ...fields });
      else plan.patches.push({ id: row._id, fields });
    } else if (row.nextRun <= now) {
      const nextRun = nextRunTime(cron.schedule, now, row.nextRun);
      plan.patches.push({ id: row._id, fields: { nextRun } });
      plan.notes.push(`Cron job "${cron.name}" was due at ${iso(row.nextRun)} while the server was down; missed runs are skipped, next run at ${iso(nextRun)}.`);
    }
  }
  plan.deletes.push(...[...byName.values()].map((row) => row._id));
  return plan;
}

function isEmpty(plan: SyncPlan): boolean {
  return plan.inserts.length === 0 && plan.patches.length === 0 && plan.deletes.length === 0;
}

function earliestRun(rows: readonly CronJobRow[]): number | undefined {
  return rows.length === 0 ? undefined : Math.min(...rows.map((row) => row.nextRun));
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

// Executes functions: resolves the name, validates arguments, builds the context, runs the
// handler in its execution scope (determinism, log capture) inside the right kind of
// transaction, checks the result. It knows the database and the loaded modules - not sockets.

import { randomUUID } from "node:crypto";
import type { UserIdentity } from "../define/context.js";
import { canonicalizeName } from "../../functions/names.js";
import { getFunctionName, isFunctionReference, type FunctionKind } from "../../functions/reference.js";
import { AppError } from "../../values/app-error.js";
import { decodeValue, encodeValue } from "../../values/encoding.js";
import { describeType, isPlainObject, type Value } from "../../values/value.js";
import { DatabaseUnavailableError, isConnectionError } from "../db/connection-lost.js";
import { isPromise, type MaybePromise } from "../db/engine.js";
import type { Database, ReadCall, ReadResult, Timestamp, WriteTransaction } from "../db/types.js";
import type { LoadedFunction, LoadedModules } from "./load.js";
import { failure, wireValue, type Outcome } from "./outcome.js";
import { ActionDeadline } from "./action-deadline.js";
import { appendLogLine } from "./log-lines.js";
import { QueryCache, type CacheRun } from "./query-cache.js";
import type { QueryOutcome } from "./query-outcome.js";
import { resolveFunction, type CallOrigin } from "./registry.js";
import { newScope, runInScope, runOutsideScope, currentScope, type ExecutionScope } from "./scope.js";
import { ArgumentValidationError, checkArgs, checkResult } from "./validation.js";
import { standaloneScheduler, transactionScheduler, type SchedulerContext, type TransactionScheduler } from "../scheduler/scheduler-api.js";
import type { PublicHttpAction } from "../http-actions/http-action.js";
import { identityKey } from "../auth/identity.js";
import type { FileStorage } from "../storage/file-storage.js";
import { actionStorage, queryStorage, transactionStorage, type TransactionStorage } from "../storage/storage-api.js";
import { actionVectorSearch } from "./vector-search-ctx.js";
import { applySystemWrite, newFileRow, type SystemWriteEffects } from "./system-writes.js";
import type { SystemWriteName, SystemWriter } from "./system-writer.js";

export type { QueryOutcome } from "./query-outcome.js";

/** Who is calling and as whom. */
export interface Caller {
  origin: CallOrigin;
  identity: UserIdentity | null;
  /**
   * Why the request's token was refused, when the transport lets the function decide (HTTP
   * actions: a webhook may send an `Authorization` header that is not ours). Asking for the
   * identity then throws this message.
   */
  identityError?: string;
}

/** Options of a query run. */
export interface QueryOptions {
  /** A journal from an earlier result of the same subscription. */
  journal?: string | null;
  /** False runs the query even when the cache holds its result (benchmarks of execution). */
  cache?: boolean;
  /**
   * The canonical encoding of `args` (sorted keys), when the caller already made it (a
   * subscription keeps one): spares encoding the arguments again for the cache key.
   */
  encodedArgs?: string;
}

/** One query of `Runtime.queryBatch`. */
export interface QueryCall {
  name: string;
  args: Value;
  caller: Caller;
  options?: QueryOptions;
}

/** A query ready to run in a batch: its read, its scope, and its cache bookkeeping. */
interface PreparedQuery {
  call: ReadCall<Outcome>;
  readonly scope: ExecutionScope;
  readonly key: string | undefined;
  readonly cacheRun: CacheRun | undefined;
  showsSnapshotTs: boolean;
}

/** A mutation's outcome plus its commit timestamp when it committed. */
export type MutationOutcome = Outcome & { readonly ts?: Timestamp };

/**
 * Exactly-once hooks, run inside the mutation's own transaction: `lookup` first (a recorded
 * outcome is returned instead of running the handler again), `record` after a success.
 */
export interface Idempotency {
  /** The (sessionId, requestId) the outcome is recorded under: a forwarded mutation keeps it. */
  readonly key?: MutationKey;
  /** The scheduled job this mutation runs as: its `ctx.scheduler.cancel` of that job throws. */
  readonly scheduledJobId?: string;
  /** May answer synchronously (no promise): most lookups need no read. */
  lookup(tx: WriteTransaction): MaybePromise<(Outcome & { ok: true; ts: Timestamp }) | undefined>;
  record(tx: WriteTransaction, outcome: Outcome & { ok: true }, ts: Timestamp): Promise<unknown>;
}

/** What identifies one mutation request for exactly-once. */
export interface MutationKey {
  readonly sessionId: string;
  readonly requestId: number;
}

/** A mutation a follower hands to the leader, keyed so that a retry has exactly one effect. */
export interface ForwardedMutation extends MutationKey {
  readonly name: string;
  readonly args: Value;
  readonly caller: Caller;
  /** True for a system write (`system-writes.ts`: an action's scheduler or storage write), not a function. */
  readonly system?: boolean;
}

/**
 * Where mutations commit. In a cluster only the leader writes: on a follower every mutation -
 * from a socket, the HTTP API or an action's `runMutation` - is forwarded.
 */
export interface MutationRoute {
  /** True when this node commits mutations itself. */
  isLocal(): boolean;
  /** Runs the mutation on the leader; resolves once this node shows its commit. */
  forward(call: ForwardedMutation): Promise<MutationOutcome>;
}

/** Faults tests inject: never set outside tests. */
export interface TestOnlyFaults {
  /** Called after a mutation or system write committed and before anyone is answered (a test crashes the process here). */
  afterCommit?(name: string, ts: Timestamp): void;
}

/** How `ctx.scheduler` meets the job runner. */
export interface SchedulerHooks {
  /** The scheduler's clock (milliseconds since the epoch). */
  now(): number;
  /** Called after a commit that scheduled jobs, with the earliest time it scheduled. */
  jobsScheduled(earliestTime: number): void;
}

export interface RuntimeOptions {
  /** Where `ctx.storage` keeps files. */
  storage: FileStorage;
  /** The longest an action (or HTTP action) may run. */
  actionTimeoutMs?: number;
  /** Without it jobs are still written (and run by the next server that has a runner). */
  scheduler?: SchedulerHooks;
  /**
   * A call of a missing function names the closest existing ones ("Did you mean
   * messages:list?"; public ones only for clients). Default false; production servers keep it off.
   */
  suggestNames?: boolean;
  /** Where mutations commit (a cluster's follower forwards them); default: here. */
  mutations?: MutationRoute;
  /** Test-only fault injection. */
  testOnlyFaults?: TestOnlyFaults;
}

/** What an HTTP action produced: its Response, or why it has none. */
export type HttpActionOutcome =
  | { readonly ok: true; readonly response: Response; readonly logLines: string[] }
  | (Outcome & { readonly ok: false });

const ACTION_TIMEOUT_MS = 10 * 60 * 1000;
const WRITE_METHODS = new Set(["insert", "patch", "replace", "delete"]);

/**
 * The function runtime over one database.
 *
 * @example
 * const runtime = new Runtime(loaded, db, { storage });
 * const outcome = await runtime.query("messages:list", { room: "a" }, { origin: "client", identity: null });
 */
export class Runtime {
  #modules: LoadedModules;
  readonly #db: Database;
  /** Query outcomes whose function called `ctx.meta.getSnapshotTs()` (never cached). */
  readonly #showsSnapshotTs = new WeakSet<QueryOutcome>();
  readonly #actionTimeoutMs: number;
  readonly #executions = new Map<string, number>();
  readonly #scheduler: SchedulerHooks;
  readonly #schedulerContext: SchedulerContext;
  readonly #cache: QueryCache;
  readonly #storage: FileStorage;
  readonly #suggestNames: boolean;
  readonly #route: MutationRoute | undefined;
  readonly #faults: TestOnlyFaults | undefined;

  constructor(modules: LoadedModules, db: Database, options: RuntimeOptions) {
    this.#modules = modules;
    this.#db = db;
    this.#storage = options.storage;
    this.#suggestNames = options.suggestNames ?? false;
    this.#route = options.mutations;
    this.#faults = options.testOnlyFaults;
    this.#cache = new QueryCache(db);
    this.#actionTimeoutMs = options.actionTimeoutMs ?? ACTION_TIMEOUT_MS;
    this.#scheduler = options.scheduler ?? { now: () => Date.now(), jobsScheduled: () => {} };
    this.#schedulerContext = {
      now: () => this.#scheduler.now(),
      kindOf: (name) => this.kindOf(name, "server"),
      checkArgs: (name, args) => {
        const found = this.#modules.functions.get(canonicalizeName(name));
        if (found !== undefined) checkArgs(found.name, found.definition.args, args);
      },
    };
  }

  /** The code now served. */
  get modules(): LoadedModules {
    return this.#modules;
  }

  /** Hot swap: calls that start from now on run the new code; calls in flight finish on the old. */
  setModules(modules: LoadedModules): void {
    this.#modules = modules;
    this.#cache.clear();
  }

  /** The newest commit timestamp of the database. */
  latestTimestamp(): Timestamp {
    return this.#db.latestTimestamp();
  }

  /** The kind of `name` as `origin` may see it; undefined when it cannot call it. */
  kindOf(name: string, origin: CallOrigin): FunctionKind | undefined {
    const found = this.#modules.functions.get(canonicalizeName(name));
    if (found === undefined || (origin === "client" && found.definition.visibility !== "public")) return undefined;
    return found.definition.kind;
  }

  /** The outcome of calling a function `origin` cannot see (the same message for missing and internal). */
  notFound(name: string, origin: CallOrigin): Outcome {
    try {
      resolveFunction(this.#modules, name, "query", origin, this.#suggestNames);
      throw new Error(`${name} exists`);
    } catch (error) {
      return failure(error, []);
    }
  }

  /**
   * Runs a query at one snapshot, or answers from the cache when nothing it read has changed
   * since; failures are outcomes too, and keep their read set.
   */
  async query(name: string, args: Value, caller: Caller, options: QueryOptions = {}): Promise<QueryOutcome> {
    return (await this.queryBatch([{ name, args, caller, options }]))[0]!;
  }

  /**
   * Runs many queries at one snapshot of one read transaction (each with its own exact read set,
   * scope and outcome: one query's failure is its own), answering from the cache where it can.
   * Outcomes come back in the order of `calls`. Rejects only when the database failed.
   *
   * @example
   * const [a, b] = await runtime.queryBatch([{ name: "items:first", args: { x: 1 }, caller }, { name: "items:first", args: { x: 2 }, caller }]);
   */
  async queryBatch(calls: readonly QueryCall[]): Promise<QueryOutcome[]> {
    const outcomes: QueryOutcome[] = new Array<QueryOutcome>(calls.length);
    const runs: PreparedQuery[] = [];
    const positions: number[] = [];
    for (let i = 0; i < calls.length; i++) {
      const { name, args, caller, options = {} } = calls[i]!;
      let fn;
      try {
        fn = resolveFunction(this.#modules, name, "query", caller.origin, this.#suggestNames);
      } catch (error) {
        outcomes[i] = { ...failure(error, []), ts: this.#db.latestTimestamp(), readSet: undefined, usedIdentity: false };
        continue;
      }
      const key = options.cache === false ? undefined : cacheKey(fn.name, args, caller, options.journal, options.encodedArgs);
      const cached = key === undefined ? undefined : this.#cache.get(key);
      if (cached !== undefined) {
        outcomes[i] = cached;
        continue;
      }
      runs.push(this.#prepareQuery(fn, args, caller, options, key));
      positions.push(i);
    }
    if (runs.length === 0) return outcomes;
    const results = await this.#db.readBatch(runs.map((run) => run.call));
    for (let j = 0; j < runs.length; j++) outcomes[positions[j]!] = this.#completeQuery(runs[j]!, results[j]!);
    return outcomes;
  }

  /** One query's read function, and what `#completeQuery` needs to make its outcome. */
  #prepareQuery(fn: LoadedFunction, args: Value, caller: Caller, options: QueryOptions, key: string | undefined): PreparedQuery {
    const scope = newScope("query", fn.name, this.#scheduler.now());
    const handler = fn.definition.handler as (ctx: unknown, args: Value) => unknown;
    this.#count(fn.name);
    // Begun before the read opens its snapshot, so every commit the result might miss is seen.
    const prepared: PreparedQuery = { scope, key, cacheRun: key === undefined ? undefined : this.#cache.begin(), showsSnapshotTs: false, call: undefined! };
    const meta = (ts: bigint) => ({
      getSnapshotTs: () => {
        prepared.showsSnapshotTs = true;
        return ts;
      },
    });
    prepared.call = {
      fn: (tx) =>
        runInScope(scope, async (): Promise<Outcome> => {
          try {
            const validArgs = argumentsObject(fn.name, args);
            checkArgs(fn.name, fn.definition.args, validArgs);
            const ctx = { db: readOnly(tx.db), auth: authFor(caller), storage: queryStorage(tx, this.#storage), meta: meta(tx.ts) };
            const { value, encoded } = checkResult(fn.name, fn.definition.returns, await handler(ctx, validArgs));
            return { ok: true, value, encoded, logLines: scope.logLines };
          } catch (error) {
            // The database went away under the query: not the function's failure. Thrown on, the
            // read runs it again on a new snapshot (a live query must not keep a failed result
            // whose read set stopped at the lost connection: no commit would ever re-run it), or,
            // once the engine gave up reconnecting, fails the call as unavailable (HTTP: 503).
            if (isConnectionError(error) || error instanceof DatabaseUnavailableError) throw error;
            return failure(error, scope.logLines);
          }
        }),
      options: { paginationEndCursor: journalEndCursor(options.journal) },
    };
    return prepared;
  }

  /** The outcome of a prepared query from its read; offered to the cache. */
  #completeQuery(prepared: PreparedQuery, read: ReadResult<Outcome>): QueryOutcome {
    const { readSet, ts, paginationEndCursor } = read;
    // The read function made this object for this run alone: completed in place, where copying
    // it with a spread cost a few microseconds per query (10,000 subscriptions added at once).
    const outcome = read.result as Outcome & { -readonly [K in keyof QueryOutcome]: QueryOutcome[K] };
    outcome.ts = ts;
    outcome.readSet = readSet;
    outcome.usedIdentity = prepared.scope.usedIdentity;
    if (paginationEndCursor !== undefined) outcome.journal = JSON.stringify({ endCursor: paginationEndCursor });
    if (prepared.showsSnapshotTs) this.#showsSnapshotTs.add(outcome);
    if (prepared.key !== undefined && prepared.cacheRun !== undefined) {
      // A result that shows its snapshot's timestamp is only right at that snapshot: like Convex,
      // it is not served again from the cache (without a read set, `finish` keeps nothing).
      this.#cache.finish(prepared.cacheRun, prepared.key, prepared.showsSnapshotTs ? { ...outcome, readSet: undefined } : outcome);
    }
    return outcome;
  }

  /**
   * Runs a mutation as one serializable transaction; a throw writes nothing. `onQueued` is called
   * once its transaction is in the database's write queue: a write queued after that point
   * commits after this one (a caller that needs order may start its next mutation then, to share
   * this one's group commit). It is not called when the mutation fails before queueing, nor for
   * a mutation forwarded to the cluster's leader (its order is kept by waiting for its answer).
   *
   * @example
   * const outcome = await runtime.mutation("messages:send", { body: "hi" }, caller, undefined, () => startNext());
   */
  async mutation(name: string, args: Value, caller: Caller, idempotency?: Idempotency, onQueued?: () => void): Promise<MutationOutcome> {
    if (this.#route !== undefined && !this.#route.isLocal()) {
      // A call without a key of its own (HTTP API, runMutation) gets one: a retry after a lost
      // answer (the leader died after COMMIT) must find its record, not run again.
      const key = idempotency?.key ?? { sessionId: `forwarded-${randomUUID()}`, requestId: 0 };
      return this.#route.forward({ name, args, caller, sessionId: key.sessionId, requestId: key.requestId });
    }
    let scope: ExecutionScope | undefined;
    try {
      const fn = resolveFunction(this.#modules, name, "mutation", caller.origin, this.#suggestNames);
      const handler = fn.definition.handler as (ctx: unknown, args: Value) => unknown;
      const mutationScope = newScope("mutation", fn.name, this.#scheduler.now());
      scope = mutationScope;
      let scheduled: number | undefined;
      let deletedDigests: string[] = [];
      // Contents of files the mutation stored, held until its transaction ended (then let go:
      // those of a rollback are removed).
      const storedDigests: string[] = [];
      const writing = this.#db.write(
        async (tx) => {
          const lookedUp = idempotency?.lookup(tx);
          const recorded = isPromise(lookedUp) ? await lookedUp : lookedUp;
          if (recorded) return { outcome: recorded, replayedTs: recorded.ts };
          this.#count(fn.name);
          // Jobs are rows of this very transaction: a mutation that throws schedules nothing.
          // Scheduler and storage are built on first use: most mutations touch neither, and
          // their closures were a measurable share of every mutation's allocations.
          let jobs: TransactionScheduler | undefined;
          let files: TransactionStorage | undefined;
          const schedulerContext = this.#schedulerContext;
          const storage = this.#storage;
          const outcome = await runInScope(mutationScope, async (): Promise<Outcome & { ok: true }> => {
            const validArgs = argumentsObject(fn.name, args);
            checkArgs(fn.name, fn.definition.args, validArgs);
            // A mutation reads everything committed before its own commit timestamp.
            const ctx = {
              db: tx.db,
              auth: authFor(caller),
              get scheduler() {
                return (jobs ??= transactionScheduler(tx, schedulerContext, idempotency?.scheduledJobId)).scheduler;
              },
              get storage() {
                return (files ??= transactionStorage(tx, storage, storedDigests)).storage;
              },
              meta: { getSnapshotTs: () => tx.ts - 1n },
            };
            const { value, encoded } = checkResult(fn.name, fn.definition.returns, await handler(ctx, validArgs));
            return { ok: true, value, encoded, logLines: mutationScope.logLines };
          });
          await idempotency?.record(tx, outcome, tx.ts);
          scheduled = jobs?.earliestScheduledTime();
          deletedDigests = files?.deletedDigests() ?? [];
          return { outcome, replayedTs: undefined };
        },
        // System access for the scheduler's rows and the idempotency records; `ctx.db` stays user-only.
        { system: true },
      );
      onQueued?.();
      let written: Awaited<typeof writing>;
      try {
        written = await writing;
      } finally {
        // After the transaction ended either way (no `.finally()` chain: one promise less per mutation).
        if (storedDigests.length > 0) void this.#storage.letGo(storedDigests);
      }
      const { result, ts } = written;
      if (result.replayedTs === undefined) this.#faults?.afterCommit?.(name, ts);
      if (scheduled !== undefined) this.#notifyScheduled(scheduled);
      if (deletedDigests.length > 0) this.#releaseBlobs(deletedDigests);
      // A replayed mutation answers with its original commit timestamp.
      return { ...result.outcome, ts: result.replayedTs ?? ts };
    } catch (error) {
      return failure(error, scope?.logLines ?? []);
    }
  }

  /**
   * Runs a system write (an action's `ctx.scheduler` or `ctx.storage` write, a stored file's
   * row) as one transaction - on a follower, at the leader, forwarded like a mutation under
   * `idempotency`'s key or a fresh one, so a retry after a lost answer has exactly one effect.
   * After the commit the leader wakes its job runner or frees a deleted file's blob.
   *
   * @example
   * const outcome = await runtime.systemWrite("storage.deleteFile", { id });
   */
  async systemWrite(name: SystemWriteName, args: Value, idempotency?: Idempotency): Promise<MutationOutcome> {
    if (this.#route !== undefined && !this.#route.isLocal()) {
      const key = idempotency?.key ?? { sessionId: `forwarded-${randomUUID()}`, requestId: 0 };
      return this.#route.forward({ name, args, caller: { origin: "server", identity: null }, sessionId: key.sessionId, requestId: key.requestId, system: true });
    }
    try {
      const write = () =>
        this.#db.write(
          async (tx) => {
            const recorded = await idempotency?.lookup(tx);
            if (recorded) return { outcome: recorded, replayedTs: recorded.ts, effects: {} as SystemWriteEffects };
            const { value, effects } = await applySystemWrite(tx, name, args, this.#scheduler.now());
            const outcome = { ok: true as const, value, logLines: [] };
            await idempotency?.record(tx, outcome, tx.ts);
            return { outcome, replayedTs: undefined, effects };
          },
          { system: true },
        );
      // A follower wrote this row's blob: hold it here, where blobs are released, until the row commits.
      const { result, ts } = name === "storage.insertFile" && isPlainObject(args) ? await this.#storage.withBlobHeld(newFileRow(args).sha256, write) : await write();
      if (result.replayedTs === undefined) this.#faults?.afterCommit?.(name, ts);
      if (result.effects.scheduledTime !== undefined) this.#notifyScheduled(result.effects.scheduledTime);
      // Awaited (it never rejects): once `ctx.storage.delete` returns, the contents are gone too.
      if (result.effects.deletedDigest !== undefined) await this.#storage.release([result.effects.deletedDigest]);
      return { ...result.outcome, ts: result.replayedTs ?? ts };
    } catch (error) {
      return failure(error, []);
    }
  }

  /**
   * `systemWrite` as actions use it: the value, or a throw with the reason. Runs outside the
   * caller's scope (the database's own work must not log into the action).
   *
   * @example
   * const scheduler = standaloneScheduler(context, runtime.systemWriter());
   */
  systemWriter(): SystemWriter {
    return async (name, args) => {
      const outcome = await runOutsideScope(() => this.systemWrite(name, args));
      if (outcome.ok) return outcome.value;
      throw thrownFor(outcome);
    };
  }

  /** Runs an action: no database, but it may call other functions, each its own transaction. */
  async action(name: string, args: Value, caller: Caller): Promise<Outcome> {
    let scope: ExecutionScope | undefined;
    try {
      const fn = resolveFunction(this.#modules, name, "action", caller.origin, this.#suggestNames);
      const handler = fn.definition.handler as (ctx: unknown, args: Value) => unknown;
      const actionScope = newScope("action", fn.name);
      this.#count(fn.name);
      scope = actionScope;
      const deadline = new ActionDeadline(fn.name, this.#actionTimeoutMs);
      const run = runInScope(actionScope, async (): Promise<Outcome> => {
        const validArgs = argumentsObject(fn.name, args);
        checkArgs(fn.name, fn.definition.args, validArgs);
        const { value, encoded } = checkResult(fn.name, fn.definition.returns, await handler(deadline.guard(this.#actionCtx(caller)), validArgs));
        return { ok: true, value, encoded, logLines: actionScope.logLines };
      });
      return await deadline.race(run);
    } catch (error) {
      return failure(error, scope?.logLines ?? []);
    }
  }

  /**
   * Runs an HTTP action handler as an action (real time, fetch allowed, logs captured) under
   * the name of its route.
   *
   * @example
   * const outcome = await runtime.httpAction("POST /postMessage", postMessage, request, caller);
   * if (outcome.ok) send(outcome.response);
   */
  async httpAction(route: string, action: PublicHttpAction, request: Request, caller: Caller): Promise<HttpActionOutcome> {
    const scope = newScope("action", route);
    const handler = action.handler as (ctx: unknown, request: Request) => unknown;
    const deadline = new ActionDeadline(route, this.#actionTimeoutMs);
    try {
      const run = runInScope(scope, async () => {
        const response: unknown = await handler(deadline.guard(this.#actionCtx(caller)), request);
        if (!(response instanceof Response)) {
          throw new TypeError(`The HTTP action for ${route} must return a Response (new Response(body, { status })), got ${describeType(response)}.`);
        }
        return response;
      });
      return { ok: true, response: await deadline.race(run), logLines: scope.logLines };
    } catch (error) {
      return failure(error, scope.logLines);
    }
  }

  /** `ctx` of actions and HTTP actions. */
  #actionCtx(caller: Caller) {
    return {
      runQuery: (ref: unknown, nestedArgs?: unknown) => this.#nested("query", ref, nestedArgs, caller),
      runMutation: (ref: unknown, nestedArgs?: unknown) => this.#nested("mutation", ref, nestedArgs, caller),
      runAction: (ref: unknown, nestedArgs?: unknown) => this.#nested("action", ref, nestedArgs, caller),
      auth: authFor(caller),
      scheduler: standaloneScheduler(this.#schedulerContext, this.systemWriter()),
      storage: actionStorage(this.#storage, this.systemWriter()),
      vectorSearch: (table: unknown, index: unknown, query: unknown) => actionVectorSearch(this.#db, table, index, query),
    };
  }

  /** Frees the blobs of files a mutation deleted, after its commit (never fails the mutation). */
  #releaseBlobs(digests: string[]): void {
    void this.#storage.release(digests);
  }

  /** Wakes the job runner. After a commit: whatever happens here, the caller's call succeeded. */
  #notifyScheduled(time: number): void {
    try {
      this.#scheduler.jobsScheduled(time);
    } catch (error) {
      console.error("syncline: waking the job runner failed; the jobs are saved and run at the next wake-up", error);
    }
  }

  /** How many times each function started executing (tests prove sharing and invalidation with it). */
  executionCount(name: string): number {
    return this.#executions.get(canonicalizeName(name)) ?? 0;
  }

  #count(name: string): void {
    this.#executions.set(name, (this.#executions.get(name) ?? 0) + 1);
  }

  /** `ctx.runQuery` and friends: trusted calls (internal functions allowed) with the caller's identity. */
  async #nested(kind: FunctionKind, ref: unknown, args: unknown, caller: Caller): Promise<Value> {
    if (!isFunctionReference(ref)) {
      throw new TypeError(`ctx.run${kind[0]!.toUpperCase()}${kind.slice(1)} expects a function reference such as internal.module.fn.`);
    }
    const name = getFunctionName(ref);
    // A copy through the wire encoding: the callee gets plain values, never shared objects.
    const copied = decodeValue(encodeValue((args ?? {}) as Value, "args"));
    const parent = currentScope();
    // The caller's identity travels with the call, and so does a refused token (HTTP actions).
    const nestedCaller: Caller = { ...caller, origin: "server" };
    const outcome = await runOutsideScope(() =>
      kind === "query"
        ? this.query(name, copied, nestedCaller)
        : kind === "mutation"
          ? this.mutation(name, copied, nestedCaller)
          : this.action(name, copied, nestedCaller),
    );
    if (parent) for (const line of outcome.logLines) appendLogLine(parent.logLines, line);
    // A copy again: the caller may change what it got, and a query's value is also the cached
    // result other callers get.
    if (outcome.ok) return decodeValue(wireValue(outcome));
    throw thrownFor(outcome);
  }
}

/**
 * What makes two query calls the same: function, canonical arguments, identity and journal.
 * Undefined (not cached) for arguments that cannot be encoded - the run reports why - and for a
 * caller whose token was refused, whose identity the query must not read as plain null.
 */
function cacheKey(name: string, args: Value, caller: Caller, journal: string | null | undefined, known: string | undefined): string | undefined {
  if (caller.identityError !== undefined) return undefined;
  let encodedArgs: string;
  try {
    encodedArgs = known ?? JSON.stringify(encodeValue(args));
  } catch {
    return undefined;
  }
  return `${name}\u0000${encodedArgs}\u0000${identityKey(caller.identity)}\u0000${journal ?? ""}`;
}

/** The end cursor recorded in a journal, if it holds one. */
function journalEndCursor(journal: string | null | undefined): string | undefined {
  if (!journal) return undefined;
  try {
    const parsed = JSON.parse(journal) as { endCursor?: unknown };
    return typeof parsed.endCursor === "string" ? parsed.endCursor : undefined;
  } catch {
    return undefined; // a journal we did not write: start fresh rather than fail the query
  }
}

/** What a failed nested call or system write throws at its caller: its application error, or its message. */
function thrownFor(outcome: Outcome & { ok: false }): Error {
  return outcome.errorData !== undefined ? new AppError(outcome.errorData, outcome.message) : new Error(outcome.message);
}

function argumentsObject(name: string, args: Value): Value {
  if (!isPlainObject(args)) throw new ArgumentValidationError(`ArgumentValidationError: arguments of ${name} must be an object.`);
  return args;
}

function authFor(caller: Caller) {
  return {
    getUserIdentity: async () => {
      // Recorded so live queries that never ask survive a token whose claims changed.
      const scope = currentScope();
      if (scope !== undefined) scope.usedIdentity = true;
      if (caller.identityError !== undefined) throw new Error(caller.identityError);
      return caller.identity;
    },
  };
}

/** Queries get `ctx.db` without writers; a write attempt says why instead of "not a function". */
function readOnly<T extends object>(db: T): T {
  return new Proxy(db, READ_ONLY as ProxyHandler<T>);
}

/** The one handler of every query's `ctx.db` (one object for all: a query makes only its Proxy). */
const READ_ONLY: ProxyHandler<object> = {
  get(target, property, receiver) {
    if (typeof property === "string" && WRITE_METHODS.has(property)) {
      return () => {
        throw new Error(`ctx.db.${property} is not available in queries: queries are read-only. Write from a mutation.`);
      };
    }
    return Reflect.get(target, property, receiver);
  },
};


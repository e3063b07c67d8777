// `syncTest`: the real runtime of a functions folder inside the test's own process - bundling
// and loading, the runtime with its validation and determinism, the database (SQLite in a
// private temporary file), the scheduler and crons on a clock the test moves, HTTP actions -
// with no server process and no port.

import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { openDatabase } from "../server/db/index.js";
import type { Database } from "../server/db/types.js";
import type { AnyDataModel, GenericDataModel } from "../server/define/data-model.js";
import type { ServerLogger } from "../server/logger.js";
import { Runtime } from "../server/runtime/runtime.js";
import { parseAuthConfig } from "../server/auth/config.js";
import { BackgroundJobs } from "../server/scheduler/background-jobs.js";
import { SERVER_SYSTEM_TABLES } from "../server/server-storage.js";
import { MemoryBlobStore } from "../server/storage/blob-store.js";
import { FileStorage } from "../server/storage/file-storage.js";
import type { SynclineClient } from "../client/client.js";
import { FakeTime, type FinishScheduledOptions } from "./fake-time.js";
import { TEST_SITE_URL } from "./http-fetch.js";
import { InProcessSync } from "./in-process-sync.js";
import { loadedFromModules, loadedFunctions } from "./loaded-functions.js";
import { SyncTestCalls, type TestRuntimeParts } from "./test-calls.js";
import { TestClock } from "./test-clock.js";
import { completeIdentity, TestTokenVerifier, type TestIdentity } from "./test-identities.js";

export interface SyncTestOptions {
  /**
   * The functions folder: a path (from the current directory) or a `file:` URL, handy to name it
   * from the test file: `new URL("../syncline", import.meta.url)`. Default `./syncline`.
   */
  dir?: string | URL;
  /**
   * Instead of `dir`: the folder's modules as the test runner imports them, keyed by path -
   * `import.meta.glob("../syncline/**")` in vitest (lazy or eager). Nothing is bundled: the
   * functions run from the test runner's own module graph (the folder is the one holding
   * `_generated/`, else the deepest folder all paths share).
   */
  modules?: Record<string, unknown>;
  /** Where the clock starts (default: now). It moves only with `advanceTime` and `finishScheduledFunctions`. */
  startTime?: number | Date;
  /** Where the functions' console lines go (default: the console, as `[Q(messages:list)] [LOG] 'hi'`). */
  logger?: ServerLogger;
}

/** Function log lines on the console, where test runners show them next to the test. */
const testConsoleLogger: ServerLogger = {
  info: (message) => console.info(message),
  warn: (message) => console.warn(message),
  error: (message) => console.error(message),
  functionLine: (kind, name, line) => console.log(`[${kind === "httpAction" ? "H" : kind[0]!.toUpperCase()}(${name})] ${line}`),
};

/**
 * A running test runtime. Calls run as nobody; `withIdentity` gives the same calls as a user.
 *
 * @example
 * const t = await syncTest({ dir: "syncline" });
 * await t.mutation(api.messages.send, { room: "a", body: "hi" });
 * await t.advanceTime(60_000); // jobs and crons of that minute run, in order
 * await t.close();
 */
export class SyncTest<DM extends GenericDataModel = AnyDataModel> extends SyncTestCalls<DM> {
  readonly #time: FakeTime;
  readonly #clock: TestClock;
  readonly #background: BackgroundJobs;
  #closing: Promise<void> | undefined;

  /** @internal Use `syncTest()`. */
  constructor(parts: TestRuntimeParts, clock: TestClock, background: BackgroundJobs) {
    super(parts, null);
    this.#clock = clock;
    this.#background = background;
    this.#time = new FakeTime(clock, background, parts.db);
  }

  /**
   * The same calls as the user with these claims: `ctx.auth.getUserIdentity()` returns them
   * (completed with an issuer, a subject and `tokenIdentifier` when missing).
   *
   * @example
   * const asAda = t.withIdentity({ subject: "ada", name: "Ada" });
   * await asAda.mutation(api.messages.send, { room: "a", body: "hi" }); // the message's author is Ada
   */
  withIdentity(claims: TestIdentity): SyncTestCalls<DM> {
    return new SyncTestCalls<DM>(this.parts, completeIdentity(claims));
  }

  /** The clock's time (milliseconds since the epoch): what `Date.now()` returns in queries and mutations. */
  now(): number {
    return this.#clock.now();
  }

  /**
   * Moves time forward by `ms`: every scheduled function and cron occurrence due on the way runs,
   * in the order of their times, each with the clock at its own time; resolves when they are done.
   *
   * @example
   * await t.mutation(api.reminders.remindIn, { minutes: 5 });
   * await t.advanceTime(5 * 60_000); // the reminder ran
   */
  async advanceTime(ms: number): Promise<void> {
    this.parts.assertOpen();
    await this.#time.advance(ms);
  }

  /**
   * Runs scheduled functions until none is pending - jobs scheduled by jobs too - moving time to
   * each next one. Throws `ScheduledFunctionsPendingError` after `maxRounds` (default 100) moves,
   * for functions that keep scheduling themselves.
   *
   * @example
   * await t.mutation(api.orders.place, { item: "book" }); // schedules the payment, which schedules the email
   * await t.finishScheduledFunctions();
   */
  async finishScheduledFunctions(options?: FinishScheduledOptions): Promise<void> {
    this.parts.assertOpen();
    await this.#time.finish(options);
  }

  /**
   * Closes in-process clients, stops the scheduler and deletes the database. Safe to call twice.
   *
   * @example
   * afterEach(() => t.close());
   */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.parts.closed = true;
      await Promise.all([...this.parts.clients].map((client) => client.close()));
      this.parts.sync.close();
      await this.#background.stop();
      this.#clock.clear();
      await this.parts.db.close();
    })();
    return this.#closing;
  }
}

/**
 * Starts the real runtime of a functions folder in this process, on a fresh in-memory database.
 * The folder is bundled once per process (and again when a file changed), so every further
 * runtime over it starts in a few milliseconds.
 *
 * @example
 * import { syncTest } from "syncline/testing";
 * import { api } from "../syncline/_generated/api";
 * import type { DataModel } from "../syncline/_generated/dataModel";
 *
 * const t = await syncTest<DataModel>({ dir: "syncline" });
 * await t.mutation(api.messages.send, { room: "a", body: "hi" });
 * expect(await t.query(api.messages.list, { room: "a" })).toMatchObject([{ body: "hi" }]);
 * await t.close();
 */
export async function syncTest<DM extends GenericDataModel = AnyDataModel>(options: SyncTestOptions = {}): Promise<SyncTest<DM>> {
  if (options.modules !== undefined && options.dir !== undefined) throw new TypeError("Give syncTest either dir or modules, not both.");
  const loaded = options.modules !== undefined ? await loadedFromModules(options.modules) : await loadedFunctions(functionsFolder(options.dir));
  const authConfig = loaded.authConfig === undefined ? undefined : parseAuthConfig(loaded.authConfig);
  const start = options.startTime instanceof Date ? options.startTime.getTime() : (options.startTime ?? Date.now());
  const clock = new TestClock(start);
  const logger = options.logger ?? testConsoleLogger;
  const db: Database = await openDatabase({ path: ":memory:", systemTables: SERVER_SYSTEM_TABLES });
  try {
    await db.setSchema(loaded.schema);
    const storage = new FileStorage({ db, blobs: new MemoryBlobStore(), baseUrl: () => TEST_SITE_URL, now: () => clock.now(), warn: (message) => logger.warn(message) });
    const background: BackgroundJobs = new BackgroundJobs({ db, runtime: (): Runtime => runtime, clock, logger });
    const runtime: Runtime = new Runtime(loaded, db, { storage, scheduler: background.schedulerHooks });
    const verifier = new TestTokenVerifier(authConfig);
    const parts: TestRuntimeParts = {
      runtime: () => runtime,
      db,
      storage,
      logger,
      verifier,
      sync: new InProcessSync({ runtime: () => runtime, db, logger, verifier: () => verifier }),
      clients: new Set<SynclineClient>(),
      closed: false,
      assertOpen() {
        if (this.closed) throw new Error("This test runtime is closed (t.close() was called).");
      },
    };
    await background.start(loaded.crons);
    return new SyncTest<DM>(parts, clock, background);
  } catch (error) {
    await db.close();
    throw error;
  }
}

/** The absolute path of the functions folder option. */
function functionsFolder(dir: string | URL | undefined): string {
  if (!(dir instanceof URL)) return resolve(dir ?? "syncline");
  if (dir.protocol !== "file:") {
    // happy-dom's URL resolves `new URL("../syncline", import.meta.url)` against http://localhost.
    throw new TypeError(`The functions folder must be a path or a file: URL, got ${dir.href}. In a DOM test environment write join(import.meta.dirname, "../syncline") instead.`);
  }
  return fileURLToPath(dir);
}

// `startServer`: the whole reference server in one call - database, functions, runtime, the
// HTTP API and sync on one port, HTTP actions on the site port, and the background runners of
// scheduled functions and crons. Used by `syncline dev`, by tests (port 0, ":memory:") and by
// embedders.

import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { dirname, join, resolve } from "node:path";
import { openDatabase } from "./db/index.js";
import type { Database } from "./db/types.js";
import { FunctionsHost } from "./functions-host.js";
import { handleApiRequest } from "./http/api-routes.js";
import { isAdminHeader } from "./http/admin.js";
import { HttpProblem, sendProblem } from "./http/request-body.js";
import { listenUrl } from "./http/listen-url.js";
import { logOutcome, silentLogger, type ServerLogger } from "./logger.js";
import { Runtime, type Caller } from "./runtime/runtime.js";
import { assertFunctionsFolder } from "./runtime/bundle.js";
import { parseAuthConfig, type AuthConfig } from "./auth/config.js";
import { AuthenticationError, TokenVerifier } from "./auth/verifier.js";
import type { LoadedModules } from "./runtime/load.js";
import { mutationRecordTables } from "./sync/mutation-records.js";
import { SyncEndpoint } from "./sync/sync-endpoint.js";
import { CRON_JOBS_TABLE, cronJobsTable } from "./crons/cron-jobs-table.js";
import { startSiteServer, type SiteServer } from "./http-actions/site-server.js";
import { BackgroundJobs } from "./scheduler/background-jobs.js";
import { realClock, type SchedulerClock } from "./scheduler/clock.js";
import { SCHEDULED_FUNCTIONS_TABLE, scheduledFunctionsTable } from "./scheduler/scheduled-functions-table.js";
import { DirectoryBlobStore, MemoryBlobStore, type BlobStore } from "./storage/blob-store.js";
import { FileStorage } from "./storage/file-storage.js";
import { STORAGE_TABLE, storageTable } from "./storage/storage-table.js";
import { UPLOAD_URL_LIFETIME_MS } from "./storage/upload-tokens.js";

export interface ServerOptions {
  /** The functions folder (default `./syncline`). */
  dir?: string;
  /** Port of the API (default 3210; 0 picks a free one). */
  port?: number;
  /** Interface to listen on (default 127.0.0.1). */
  host?: string;
  /**
   * Database file, ":memory:", or a `postgres://` / `postgresql://` URL (default: the
   * environment variable SYNCLINE_DATABASE_URL, else `<project>/.syncline/data.sqlite`). With a
   * file, stored files' contents go to the folder `<db>-files` beside it (in memory with
   * ":memory:"); with Postgres, into the database. Any other `scheme://` is refused.
   */
  db?: string;
  /**
   * The address clients reach this server at, which file and upload URLs from `ctx.storage`
   * start with (default `http://<host>:<port>`). Set it when a proxy or another host name is in
   * front of the server.
   */
  url?: string;
  /** Production mode: plain error messages are redacted to "Server Error". */
  prod?: boolean;
  /** Write `_generated/` on every (re)load. */
  codegen?: boolean;
  /** Callers presenting this key may call internal functions (`syncline run`). */
  adminKey?: string;
  logger?: ServerLogger;
  /** Send a Ping after this much silence on a socket (default 15 s). */
  pingAfterMs?: number;
  /**
   * Port of the site serving HTTP actions from `http.ts`: default `port + 1` (3211 for the
   * default API port), and 0 - a free one - when `port` is 0.
   */
  sitePort?: number;
  /**
   * Run scheduled functions and cron jobs (default true). `syncline run` without a dev server
   * turns it off: a one-off call must not run other work; jobs it schedules wait for the server.
   */
  runJobs?: boolean;
  /** The scheduler's clock (default: real time). Tests inject one they advance by hand. */
  clock?: SchedulerClock;
}

export interface RunningServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  /** `http://127.0.0.1:<sitePort>`: the HTTP actions of `http.ts`. */
  readonly siteUrl: string;
  readonly sitePort: number;
  readonly runtime: Runtime;
  readonly db: Database;
  /** The sync endpoint: sessions and the shared subscriptions. */
  readonly sync: SyncEndpoint;
  /** Rebuilds and swaps the functions without dropping connections; rejects (and keeps the old code) on errors. */
  reload(): Promise<void>;
  /** Stops listening, closes connections, releases the database. */
  close(): Promise<void>;
}

/**
 * Starts a server.
 *
 * @example
 * const server = await startServer({ dir: "syncline", port: 0, db: ":memory:" });
 * console.log(server.url);
 * await server.close();
 */
export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  process.setSourceMapsEnabled(true);
  const dir = resolve(options.dir ?? "syncline");
  assertFunctionsFolder(dir);
  const project = dirname(dir);
  const logger = options.logger ?? silentLogger;
  const prod = options.prod ?? false;
  const dbPath = options.db ?? (process.env.SYNCLINE_DATABASE_URL || undefined) ?? join(project, ".syncline", "data.sqlite");
  const db = await openDatabase({
    path: dbPath,
    systemTables: {
      [STORAGE_TABLE]: storageTable,
      ...mutationRecordTables,
      [SCHEDULED_FUNCTIONS_TABLE]: scheduledFunctionsTable,
      [CRON_JOBS_TABLE]: cronJobsTable,
    },
  });
  let publicUrl = "";
  let storage: FileStorage;
  try {
    storage = new FileStorage({
      db,
      blobs: (await db.fileContents?.()) ?? (await openBlobStore(dbPath)),
      baseUrl: () => publicUrl,
      now: () => (options.clock ?? realClock).now(),
      warn: (message) => logger.warn(message),
    });
  } catch (error) {
    await db.close();
    throw error;
  }
  const host = new FunctionsHost({
    dir,
    buildRoot: join(project, ".syncline", "build"),
    db,
    codegen: options.codegen ?? false,
    check: (next) => void authConfigOf(next),
  });
  let runtime: Runtime;
  let verifier: TokenVerifier;
  const background = new BackgroundJobs({ db, runtime: () => runtime, clock: options.clock ?? realClock, logger });
  let loaded: LoadedModules;
  try {
    loaded = await host.load();
    verifier = new TokenVerifier(authConfigOf(loaded));
    runtime = new Runtime(loaded, db, { storage, scheduler: background.schedulerHooks });
  } catch (error) {
    host.dispose();
    await db.close();
    throw error;
  }

  const callerFor = async (request: IncomingMessage): Promise<Caller> => {
    const authorization = request.headers.authorization;
    if (isAdminHeader(authorization, options.adminKey)) return { origin: "server", identity: null };
    if (authorization?.startsWith("Bearer ")) {
      try {
        const { identity } = await verifier.verify(authorization.slice("Bearer ".length).trim());
        return { origin: "client", identity };
      } catch (error) {
        if (error instanceof AuthenticationError) throw new HttpProblem(401, "Unauthenticated", error.message);
        throw error;
      }
    }
    return { origin: "client", identity: null };
  };

  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const path = (request.url ?? "/").split("?")[0]!;
    const handled = path.startsWith("/api/")
      ? handleApiRequest(request, response, {
          runtime: () => runtime,
          prod,
          callerFor,
          storage,
          onCall: (kind, name, outcome) => logOutcome(logger, kind, name, outcome),
        })
      : Promise.reject(new HttpProblem(404, "NotFound", `There is nothing at ${path}; the API is under /api/.`));
    handled.catch((error: unknown) => {
      if (error instanceof HttpProblem) return sendProblem(response, error);
      logger.error(`Internal error answering ${request.method} ${path}: ${(error as Error).stack ?? String(error)}`);
      sendProblem(response, new HttpProblem(500, "InternalServerError", prod ? "Server Error" : String((error as Error).message)));
    });
  });
  // Node cuts off a request still arriving after 5 minutes; an upload of a large file over a slow
  // link may take longer. As long as an upload URL is valid, then.
  server.requestTimeout = UPLOAD_URL_LIFETIME_MS;
  // Requests Node cannot even parse (oversized headers such as a 1 MB token, bad framing) get a
  // plain answer instead of a reset connection.
  server.on("clientError", (error: NodeJS.ErrnoException, socket) => {
    if (!socket.writable) return socket.destroy();
    const tooLarge = error.code === "HPE_HEADER_OVERFLOW";
    const body = JSON.stringify({
      code: tooLarge ? "HeadersTooLarge" : "BadRequest",
      message: tooLarge ? "Request headers are too large (a token in Authorization must be under 16 KB)." : "Malformed HTTP request.",
    });
    socket.end(`HTTP/1.1 ${tooLarge ? "431 Request Header Fields Too Large" : "400 Bad Request"}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  });
  const sync = new SyncEndpoint(server, {
    runtime: () => runtime,
    db,
    prod,
    logger,
    verifier: () => verifier,
    ...(options.pingAfterMs !== undefined ? { pingAfterMs: options.pingAfterMs } : {}),
  });
  try {
    await new Promise<void>((resolveListen, rejectListen) => {
      server.once("error", rejectListen);
      server.listen(options.port ?? 3210, options.host ?? "127.0.0.1", () => {
        server.off("error", rejectListen);
        resolveListen();
      });
    });
  } catch (error) {
    sync.close();
    await db.close();
    host.dispose();
    if ((error as NodeJS.ErrnoException).code !== "EADDRINUSE") throw error;
    throw new Error(
      `Port ${options.port ?? 3210} on ${options.host ?? "127.0.0.1"} is in use (another syncline dev?); stop that or choose another with port / --port.`,
      { cause: error },
    );
  }
  const port = (server.address() as AddressInfo).port;
  const url = listenUrl(options.host ?? "127.0.0.1", port);
  publicUrl = options.url?.replace(/\/+$/, "") ?? url;
  const closeApi = async () => {
    sync.close();
    await new Promise<void>((resolveClose) => {
      server.close(() => resolveClose());
      server.closeAllConnections();
    });
  };

  let site: SiteServer | undefined;
  try {
    site = await startSiteServer({
      port: options.sitePort ?? (options.port === 0 ? 0 : port + 1),
      host: options.host ?? "127.0.0.1",
      runtime: () => runtime,
      prod,
      logger,
      callerFor,
      apiUrl: url,
    });
    if (options.runJobs ?? true) await background.start(loaded.crons);
  } catch (error) {
    await background.stop();
    await site?.close();
    await closeApi();
    await db.close();
    host.dispose();
    throw error;
  }

  // Contents a crash left without a `_storage` row. Requests do not wait for this; `close` does,
  // so the sweep never runs into a closed database.
  const sweeping = storage.sweep().catch((error: unknown) => logger.warn(`Removing unused file contents failed: ${(error as Error).message}`));
  let closed: Promise<void> | undefined;
  return {
    url,
    port,
    siteUrl: site.url,
    sitePort: site.port,
    get runtime() {
      return runtime;
    },
    db,
    sync,
    async reload() {
      const loaded = await host.load();
      const nextVerifier = new TokenVerifier(authConfigOf(loaded));
      runtime.setModules(loaded);
      verifier = nextVerifier;
      // Every live query re-runs on the new code; clients see what changed without reconnecting.
      sync.reloaded();
      // A changed crons.ts reschedules now, not at the next restart.
      await background.reloaded(loaded.crons);
    },
    close() {
      closed ??= (async () => {
        // Background work first: it must not start jobs on a database about to close.
        await background.stop();
        await site.close();
        await closeApi();
        await sweeping;
        await db.close();
        host.dispose();
      })();
      return closed;
    },
  };
}

/**
 * Where stored files' contents go: a folder named after the database file (as SQLite names its
 * `-wal`), so two databases in one folder never sweep each other's files; in memory with it.
 */
async function openBlobStore(dbPath: string): Promise<BlobStore> {
  return dbPath === ":memory:" ? new MemoryBlobStore() : await DirectoryBlobStore.open(`${resolve(dbPath)}-files`);
}

/** The checked auth configuration of loaded code (a malformed one fails the load). */
function authConfigOf(loaded: LoadedModules): AuthConfig | undefined {
  if (loaded.authConfig === undefined) return undefined;
  const file = loaded.modules.find((module) => module.modulePath === "auth.config")?.file ?? "auth.config.ts";
  return parseAuthConfig(loaded.authConfig, file);
}

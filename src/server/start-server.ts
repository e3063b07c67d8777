// `startServer`: the whole reference server in one call - database, functions, runtime, the
// HTTP API and sync on one port, HTTP actions on the site port, and the background runners of
// scheduled functions and crons. Used by `syncline dev`, by tests (port 0, ":memory:") and by
// embedders.

import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { dirname, join, resolve } from "node:path";
import { databaseLocation, DatabaseInUseError, openDatabase } from "./db/index.js";
import type { Database } from "./db/types.js";
import { FunctionsHost } from "./functions-host.js";
import { handleApiRequest } from "./http/api-routes.js";
import { isAdminHeader } from "./http/admin.js";
import { HttpProblem, sendProblem } from "./http/request-body.js";
import { listenUrl } from "./http/listen-url.js";
import { answerClientError, slowClientOptions } from "./http/slow-clients.js";
import { clientWentAway, logClientGone, rememberClientAddress } from "./http/client-gone.js";
import { readServerRecord, recordServer } from "./server-record.js";
import { logOutcome, silentLogger, type ServerLogger } from "./logger.js";
import { Runtime, type Caller, type ForwardedMutation, type MutationOutcome, type TestOnlyFaults } from "./runtime/runtime.js";
import { isSystemWriteName, type NewFileRow } from "./runtime/system-writes.js";
import type { FileMetadata } from "./define/system-tables.js";
import { failure } from "./runtime/outcome.js";
import { assertFunctionsFolder } from "./runtime/bundle.js";
import { parseAuthConfig, type AuthConfig } from "./auth/config.js";
import { AuthenticationError, TokenVerifier } from "./auth/verifier.js";
import type { LoadedModules } from "./runtime/load.js";
import { SyncEndpoint } from "./sync/sync-endpoint.js";
import { idempotencyFor } from "./sync/mutation-records.js";
import { handleInternalMutation } from "./cluster/internal-endpoint.js";
import { INTERNAL_MUTATION_PATH } from "./cluster/forwarded-wire.js";
import { MutationForwarder } from "./cluster/mutation-forwarder.js";
import { advertiseAddress } from "./cluster/advertise-address.js";
import { startSiteServer, type SiteServer } from "./http-actions/site-server.js";
import { BackgroundJobs } from "./scheduler/background-jobs.js";
import { realClock, type SchedulerClock } from "./scheduler/clock.js";
import { openBlobStore, SERVER_SYSTEM_TABLES } from "./server-storage.js";
import { FileStorage } from "./storage/file-storage.js";
import { UPLOAD_URL_LIFETIME_MS } from "./storage/upload-tokens.js";
import { clusterNodeStatus, defaultNodeId, singleNodeStatus, type NodeStatus } from "./node-status.js";
import { RequestDrain } from "./http/request-drain.js";
import { SERVICE_RESTART } from "./sync/sync-endpoint.js";
import { answerProbe } from "./http/probes.js";
import { settlesWithin } from "./timers.js";

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
   * Most bytes the SQLite database file may hold (default: no limit but the disk's). Mutations
   * that would grow it further fail with a retryable "database is full" error, exactly as on a
   * full disk, while queries and subscriptions keep serving; deleting documents frees room again.
   */
  maxDatabaseBytes?: number;
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
  /**
   * Refuse to start (and to reload) when `_generated/` is missing or is not what codegen would
   * write now, with a StaleGeneratedError saying to run `syncline codegen` (`syncline serve`).
   * Ignored with `codegen`, which rewrites it.
   */
  verifyGenerated?: boolean;
  /** Callers presenting this key may call internal functions (`syncline run`). */
  adminKey?: string;
  logger?: ServerLogger;
  /** Send a Ping after this much silence on a socket (default 15 s). */
  pingAfterMs?: number;
  /**
   * Most bytes that may wait to be sent to one WebSocket client (default 8 MiB). A client that
   * reads slowly gets its query results coalesced into the newest state; when responses would
   * still exceed this, its socket is closed with 1013 "SlowClient" and the client reconnects.
   */
  maxQueuedBytesPerSocket?: number;
  /** Most queries one WebSocket may hold (default 10,000); each one past it fails with a clear QueryFailed. */
  maxSubscriptionsPerSocket?: number;
  /**
   * Mutations waiting plus actions running on one WebSocket at which the server stops reading
   * it until one finishes (default 64): a client sending faster than the server commits is
   * slowed down, never refused.
   */
  maxRequestsInFlightPerSocket?: number;
  /** Largest WebSocket frame (default 32 MiB); a larger one closes the socket with 1009. */
  maxFrameBytes?: number;
  /** How long a client may take to send an HTTP request's headers, on both ports (default 20 s); then 408. */
  headersTimeoutMs?: number;
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
  /**
   * This node's name on `GET /health`, in the logs and in a cluster (default: the environment
   * variable SYNCLINE_NODE_ID, else `<hostname>-<pid>`; unique per node). Every server on one Postgres database is a node: one leads (writes,
   * runs the scheduler and crons), the others follow it and forward mutations to it.
   */
  nodeId?: string;
  /**
   * Postgres: the secret every node of a cluster shares (default: SYNCLINE_NODE_SECRET). Followers
   * present it when they forward mutations to the leader; without it they cannot.
   */
  nodeSecret?: string;
  /**
   * Postgres: the address other nodes reach this one at when it leads (default:
   * SYNCLINE_ADVERTISE_URL; else, listening on every interface, the machine's first non-internal
   * IPv4 address; else the URL it listens on). Stored in the leader row.
   */
  advertiseUrl?: string;
  /**
   * Postgres: how often a follower polls the commit log as the backstop of its LISTEN connection
   * (ms; default: SYNCLINE_FOLLOWER_POLL_MS, else 250).
   */
  followerPollMs?: number;
  /**
   * Called when a newer leader fenced this node off (it must never write again). Default: log
   * the reason and exit the process with code 75, so a supervisor restarts it as a follower.
   */
  onFenced?: (error: Error) => void;
  /** Fault injection for tests only (crash after a commit, before answering). */
  testOnlyFaults?: TestOnlyFaults;
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
  /**
   * `starting` until `startServer` resolves, `serving`, then `draining` from `drain()` and
   * `closed` once closed. `GET /ready` answers 200 only while `serving`.
   */
  readonly state: ServerState;
  /** What `GET /health` reports about this node. */
  nodeStatus(): NodeStatus;
  /**
   * Stops gracefully (a deploy, a scale-down): `/ready` turns 503 at once; new sockets and
   * requests are refused with 503 (the load balancer retries them on another node); the work
   * already received - mutations, actions, HTTP requests and HTTP actions - finishes and is
   * answered, for at most `timeoutMs` (default 5 s); then every WebSocket is closed with 1012
   * "Service Restart", which clients answer by reconnecting at once (to another node), and the
   * server closes as `close()` does, releasing the database last.
   *
   * @example
   * process.once("SIGTERM", async () => {
   *   const drained = await server.drain({ timeoutMs: 10_000 });
   *   process.exit(0);
   * });
   */
  drain(options?: { timeoutMs?: number }): Promise<DrainOutcome>;
  /** Stops listening, closes connections, releases the database. */
  close(): Promise<void>;
}

/** Where a server is in its life; see `RunningServer.state`. */
export type ServerState = "starting" | "serving" | "draining" | "closed";

/** What a drain did. */
export interface DrainOutcome {
  /** True when everything in flight finished before the timeout. */
  finished: boolean;
  /** How long the drain took, until the database was closed (ms). */
  ms: number;
  /** WebSockets closed with 1012. */
  sockets: number;
  /** HTTP requests (both ports) still unanswered when the timeout cut the drain short. */
  requestsCutOff: number;
}

/** How long `drain()` lets work in flight finish by default. */
export const DEFAULT_DRAIN_TIMEOUT_MS = 5_000;

/**
 * Starts a server.
 *
 * @example
 * const server = await startServer({ dir: "syncline", port: 0, db: ":memory:" });
 * console.log(server.url);
 * await server.close();
 */
/** Errors of loading the functions folder (a build, schema or auth config error), as opposed to the server itself failing. */
const loadFailures = new WeakSet<object>();

/**
 * True when `startServer` failed because the functions folder did not load - something the user
 * fixes by editing it, so `syncline dev` keeps watching instead of exiting.
 *
 * @example
 * try { await startServer(options); } catch (error) { if (!isLoadFailure(error)) throw error; }
 */
export function isLoadFailure(error: unknown): boolean {
  return typeof error === "object" && error !== null && loadFailures.has(error);
}

export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  process.setSourceMapsEnabled(true);
  const dir = resolve(options.dir ?? "syncline");
  assertFunctionsFolder(dir);
  const project = dirname(dir);
  const logger = options.logger ?? silentLogger;
  const prod = options.prod ?? false;
  const dbPath = options.db ?? (process.env.SYNCLINE_DATABASE_URL || undefined) ?? join(project, ".syncline", "data.sqlite");
  const nodeId = options.nodeId ?? defaultNodeId();
  const nodeSecret = options.nodeSecret ?? (process.env.SYNCLINE_NODE_SECRET || undefined);
  const db = await openDatabase({ path: dbPath, systemTables: SERVER_SYSTEM_TABLES, ...definedOnly({ maxSizeBytes: options.maxDatabaseBytes }), cluster: { nodeId, ...definedOnly({ pollMs: options.followerPollMs ?? numberFromEnv("SYNCLINE_FOLLOWER_POLL_MS") }) } }).catch((error: unknown) => {
    // Say where the server holding the database listens, when it recorded that.
    const holder = error instanceof DatabaseInUseError ? readServerRecord(dbPath) : undefined;
    throw holder === undefined ? error : new DatabaseInUseError((error as DatabaseInUseError).file, holder.url);
  });
  let publicUrl = "";
  let storage: FileStorage;
  try {
    storage = new FileStorage({
      db,
      blobs: await openBlobStore(db, dbPath),
      baseUrl: () => publicUrl,
      now: () => (options.clock ?? realClock).now(),
      warn: (message) => logger.warn(message),
      // In a cluster the bytes are written here and the row at the leader (system-writes.ts).
      ...(db.cluster !== undefined
        ? {
            insertRow: (row: NewFileRow) => runtime.systemWriter()("storage.insertFile", { ...row }) as Promise<FileMetadata["_id"]>,
            releasesBlobs: () => db.cluster?.role === "leader",
            uploadSecret: nodeSecret,
          }
        : {}),
    });
  } catch (error) {
    await db.close();
    throw error;
  }
  const host = new FunctionsHost({
    dir,
    buildRoot: join(project, ".syncline", "build"),
    db,
    generated: options.codegen === true ? "write" : options.verifyGenerated === true ? "verify" : "ignore",
    check: (next) => void authConfigOf(next),
  });
  let runtime: Runtime;
  let verifier: TokenVerifier;
  const cluster = db.cluster;
  /** A forwarded mutation (or system write) run here, recorded under its own (sessionId, requestId). */
  const runLocal = (call: ForwardedMutation): Promise<MutationOutcome> => {
    const idempotency = idempotencyFor(call.sessionId, call.requestId);
    if (call.system !== true) return runtime.mutation(call.name, call.args, call.caller, idempotency);
    if (!isSystemWriteName(call.name)) return Promise.resolve(failure(new Error(`There is no system write ${JSON.stringify(call.name)}.`), []));
    return runtime.systemWrite(call.name, call.args, idempotency);
  };
  const stopFencedWatch = cluster?.onFenced(
    options.onFenced ??
      ((error) => {
        // Said even by a silent server: an operator must learn why the process ended.
        const line = `syncline: stopping: ${error.message}`;
        if (options.logger !== undefined) logger.error(line);
        else process.stderr.write(`${line}\n`);
        process.exit(75);
      }),
  );
  const background = new BackgroundJobs({ db, runtime: () => runtime, clock: options.clock ?? realClock, logger });
  let loaded: LoadedModules;
  try {
    loaded = await host.load();
    verifier = new TokenVerifier(authConfigOf(loaded));
    runtime = new Runtime(loaded, db, {
      storage,
      scheduler: background.schedulerHooks,
      suggestNames: !prod,
      ...(cluster !== undefined ? { mutations: new MutationForwarder({ node: cluster, secret: nodeSecret, runLocal }) } : {}),
      ...(options.testOnlyFaults !== undefined ? { testOnlyFaults: options.testOnlyFaults } : {}),
    });
  } catch (error) {
    host.dispose();
    await db.close();
    if (typeof error === "object" && error !== null) loadFailures.add(error);
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

  let state: ServerState = "starting";
  const nodeStatus = cluster !== undefined ? clusterNodeStatus(cluster) : singleNodeStatus(nodeId, db);
  const apiRequests = new RequestDrain();
  const server = createServer(slowClientOptions(options.headersTimeoutMs), (request: IncomingMessage, response: ServerResponse) => {
    rememberClientAddress(request);
    const path = (request.url ?? "/").split("?")[0]!;
    // The probes answer in every state: they are how a load balancer learns about the drain.
    if (answerProbe(request, response, path, () => ({ state, node: nodeStatus(), connections: sync.connections }))) return;
    if (!apiRequests.admit(response)) return;
    const handled = path === INTERNAL_MUTATION_PATH
      ? handleInternalMutation(request, response, { secret: nodeSecret, isLeader: () => cluster?.role === "leader", run: runLocal })
      : path.startsWith("/api/")
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
      if (clientWentAway(error, request)) {
        logClientGone(logger, request, `${request.method} ${path}`, error);
        return response.destroy();
      }
      logger.error(`Internal error answering ${request.method} ${path}: ${(error as Error).stack ?? String(error)}`);
      sendProblem(response, new HttpProblem(500, "InternalServerError", prod ? "Server Error" : String((error as Error).message)));
    });
  });
  // Node cuts off a request still arriving after 5 minutes; an upload of a large file over a slow
  // link may take longer. As long as an upload URL is valid, then.
  server.requestTimeout = UPLOAD_URL_LIFETIME_MS;
  // Requests Node cannot even parse (oversized headers such as a 1 MB token, bad framing) or
  // whose headers never finished get a plain answer instead of a reset connection.
  server.on("clientError", answerClientError);
  const sync = new SyncEndpoint(server, {
    runtime: () => runtime,
    db,
    prod,
    logger,
    verifier: () => verifier,
    ...(cluster !== undefined ? { cluster } : {}),
    ...(options.pingAfterMs !== undefined ? { pingAfterMs: options.pingAfterMs } : {}),
    ...definedOnly({
      maxQueuedBytesPerSocket: options.maxQueuedBytesPerSocket,
      maxSubscriptionsPerSocket: options.maxSubscriptionsPerSocket,
      maxRequestsInFlightPerSocket: options.maxRequestsInFlightPerSocket,
      maxFrameBytes: options.maxFrameBytes,
    }),
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
  /** The sweep, jobs and crons, which only a leader runs, were started. */
  let leaderDutiesStarted = cluster === undefined || cluster.role === "leader";
  try {
    site = await startSiteServer({
      port: options.sitePort ?? (options.port === 0 ? 0 : port + 1),
      host: options.host ?? "127.0.0.1",
      runtime: () => runtime,
      prod,
      logger,
      callerFor,
      apiUrl: url,
      ...definedOnly({ headersTimeoutMs: options.headersTimeoutMs }),
    });
    if (cluster !== undefined) await cluster.advertise(advertiseAddress(options.advertiseUrl ?? process.env.SYNCLINE_ADVERTISE_URL, options.host ?? "127.0.0.1", port, url));
    // Jobs and crons run on the leader only: a follower starts them when it takes over.
    if ((options.runJobs ?? true) && leaderDutiesStarted) await background.start(loaded.crons);
  } catch (error) {
    await background.stop();
    await site?.close();
    await closeApi();
    await db.close();
    host.dispose();
    throw error;
  }

  // A file database gets a record beside it; ":memory:" has no second server, and a second
  // server on Postgres joins the cluster as a follower.
  const forgetRecord = dbPath === ":memory:" || databaseLocation(dbPath).engine !== "sqlite" ? () => {} : recordServer(dbPath, url);
  // Everything runs: `/ready` may send clients here.
  state = "serving";
  // Contents a crash left without a `_storage` row. Requests do not wait for this; `close` does,
  // so the sweep never runs into a closed database.
  const sweep = () => storage.sweep().catch((error: unknown) => logger.warn(`Removing unused file contents failed: ${(error as Error).message}`));
  let sweeping: Promise<void> = leaderDutiesStarted ? sweep() : Promise.resolve();
  let leading: Promise<void> = Promise.resolve();
  // A follower that takes over (the leader died) starts what only the leader runs.
  const stopLeaderWatch = cluster?.onLeader(() => {
    if (leaderDutiesStarted) return;
    leaderDutiesStarted = true;
    logger.info(`Node ${cluster.nodeId} now leads (epoch ${cluster.status().epoch}).`);
    sweeping = sweep();
    if (options.runJobs ?? true) {
      leading = background.start(runtime.modules.crons).catch((error: unknown) => logger.error(`Starting scheduled functions and crons failed: ${(error as Error).message}`));
    }
  });
  let closed: Promise<void> | undefined;
  const running: RunningServer = {
    url,
    port,
    siteUrl: site.url,
    sitePort: site.port,
    get runtime() {
      return runtime;
    },
    db,
    sync,
    get state() {
      return state;
    },
    nodeStatus,
    async drain({ timeoutMs = DEFAULT_DRAIN_TIMEOUT_MS } = {}) {
      const begun = Date.now();
      if (state === "draining" || state === "closed") {
        await running.close();
        return { finished: true, ms: Date.now() - begun, sockets: 0, requestsCutOff: 0 };
      }
      state = "draining";
      const finished = await settlesWithin(Promise.all([sync.drain(), apiRequests.drain(), site.drain()]), timeoutMs);
      const requestsCutOff = apiRequests.active + site.active;
      const sockets = await sync.closeSockets(SERVICE_RESTART, "Service Restart");
      await running.close();
      return { finished, ms: Date.now() - begun, sockets, requestsCutOff };
    },
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
        state = "closed";
        // Background work first: it must not start jobs on a database about to close.
        stopLeaderWatch?.();
        stopFencedWatch?.();
        await leading;
        await background.stop();
        await site.close();
        await closeApi();
        await sweeping;
        forgetRecord();
        await db.close();
        host.dispose();
      })();
      return closed;
    },
  };
  return running;
}

/** A positive number from the environment variable `name`, if it holds one. */
function numberFromEnv(name: string): number | undefined {
  const value = Number(process.env[name]);
  return Number.isFinite(value) && value > 0 ? value : undefined;
}

/** `values` without its undefined entries (options are `exactOptionalPropertyTypes`). */
function definedOnly<T extends Record<string, unknown>>(values: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined)) as { [K in keyof T]?: Exclude<T[K], undefined> };
}

/** The checked auth configuration of loaded code (a malformed one fails the load). */
function authConfigOf(loaded: LoadedModules): AuthConfig | undefined {
  if (loaded.authConfig === undefined) return undefined;
  const file = loaded.modules.find((module) => module.modulePath === "auth.config")?.file ?? "auth.config.ts";
  return parseAuthConfig(loaded.authConfig, file);
}

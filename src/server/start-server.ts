// `startServer`: the whole reference server in one call - database, functions, runtime, the
// HTTP API and sync on one port, HTTP actions on the site port, and the background runners of
// scheduled functions and crons. Used by `syncline dev`, by tests (port 0, ":memory:") and by
// embedders. This file puts the parts together in the order they start, and undoes what started
// when a later part fails; each part is wired in its own file under start/.

import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { databaseLocation } from "./db/index.js";
import { FunctionsHost } from "./functions-host.js";
import { listenUrl } from "./http/listen-url.js";
import { Runtime } from "./runtime/runtime.js";
import type { LoadedModules } from "./runtime/load.js";
import type { TokenVerifier } from "./auth/verifier.js";
import { SyncEndpoint } from "./sync/sync-endpoint.js";
import { MutationForwarder } from "./cluster/mutation-forwarder.js";
import { advertiseAddress } from "./cluster/advertise-address.js";
import { startSiteServer, type SiteServer } from "./http-actions/site-server.js";
import { BackgroundJobs } from "./scheduler/background-jobs.js";
import type { FileStorage } from "./storage/file-storage.js";
import { recordServer } from "./server-record.js";
import { clusterNodeStatus, singleNodeStatus } from "./node-status.js";
import { createApiServer, listenApi } from "./start/api-server.js";
import { closeHttpServer } from "./listen-and-close.js";
import { exitWhenFenced, forwardedMutationRunner, LeaderDuties } from "./start/cluster-wiring.js";
import { drainThenClose } from "./start/drain.js";
import { markLoadFailure } from "./start/load-failure.js";
import { openFileStorage, openServerDatabase } from "./start/open-storage.js";
import { authConfigOf, requestCaller, verifierFor } from "./start/request-auth.js";
import { definedOnly, resolveServerOptions, sitePortFor } from "./start/resolve-options.js";
import { DEFAULT_DRAIN_TIMEOUT_MS, type RunningServer, type ServerState } from "./start/running-server.js";
import type { ServerOptions } from "./start/server-options.js";

export type { ServerOptions } from "./start/server-options.js";
export { DEFAULT_DRAIN_TIMEOUT_MS, type DrainOutcome, type RunningServer, type ServerState } from "./start/running-server.js";
export { isLoadFailure } from "./start/load-failure.js";

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
  const resolved = resolveServerOptions(options);
  const { dir, project, dbPath, host, logger, prod, clock, nodeId, nodeSecret } = resolved;
  const db = await openServerDatabase(resolved, options);
  let publicUrl = "";
  let storage: FileStorage;
  try {
    storage = await openFileStorage({ db, dbPath, baseUrl: () => publicUrl, clock, logger, runtime: () => runtime, nodeSecret });
  } catch (error) {
    await db.close();
    throw error;
  }
  const functions = new FunctionsHost({
    dir,
    buildRoot: join(project, ".syncline", "build"),
    db,
    generated: resolved.generated,
    check: (next) => void authConfigOf(next),
  });
  let runtime: Runtime;
  let verifier: TokenVerifier;
  const cluster = db.cluster;
  const runLocal = forwardedMutationRunner(() => runtime);
  const stopFencedWatch = cluster?.onFenced(options.onFenced ?? exitWhenFenced(options.logger));
  const background = new BackgroundJobs({ db, runtime: () => runtime, clock, logger });
  let loaded: LoadedModules;
  try {
    loaded = await functions.load();
    verifier = verifierFor(loaded);
    runtime = new Runtime(loaded, db, {
      storage,
      scheduler: background.schedulerHooks,
      suggestNames: !prod,
      ...(cluster !== undefined ? { mutations: new MutationForwarder({ node: cluster, secret: nodeSecret, runLocal }) } : {}),
      ...(options.testOnlyFaults !== undefined ? { testOnlyFaults: options.testOnlyFaults } : {}),
    });
  } catch (error) {
    functions.dispose();
    await db.close();
    markLoadFailure(error);
    throw error;
  }

  const callerFor = requestCaller(options.adminKey, () => verifier);
  let state: ServerState = "starting";
  const nodeStatus = cluster !== undefined ? clusterNodeStatus(cluster) : singleNodeStatus(nodeId, db);
  const { server, requests: apiRequests } = createApiServer({
    runtime: () => runtime,
    prod,
    callerFor,
    storage,
    logger,
    headersTimeoutMs: options.headersTimeoutMs,
    probe: () => ({ state, node: nodeStatus(), connections: sync.connections }),
    internal: { secret: nodeSecret, isLeader: () => cluster?.role === "leader", run: runLocal },
  });
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
    await listenApi(server, host, resolved.port);
  } catch (error) {
    sync.close();
    await db.close();
    functions.dispose();
    throw error;
  }
  const port = (server.address() as AddressInfo).port;
  const url = listenUrl(host, port);
  publicUrl = options.url?.replace(/\/+$/, "") ?? url;
  const closeApi = async () => {
    sync.close();
    await closeHttpServer(server);
  };

  let site: SiteServer | undefined;
  const duties = new LeaderDuties({ cluster, storage, logger, startJobs: resolved.runJobs ? () => background.start(runtime.modules.crons) : undefined });
  try {
    site = await startSiteServer({
      port: sitePortFor(options, port),
      host,
      runtime: () => runtime,
      prod,
      logger,
      callerFor,
      apiUrl: url,
      ...definedOnly({ headersTimeoutMs: options.headersTimeoutMs }),
    });
    if (cluster !== undefined) await cluster.advertise(advertiseAddress(resolved.advertiseUrl, host, port, url));
    // Jobs and crons run on the leader only: a follower starts them when it takes over.
    if (resolved.runJobs && duties.started) await background.start(loaded.crons);
  } catch (error) {
    await background.stop();
    await site?.close();
    await closeApi();
    await db.close();
    functions.dispose();
    throw error;
  }

  // A file database gets a record beside it; ":memory:" has no second server, and a second
  // server on Postgres joins the cluster as a follower.
  const forgetRecord = dbPath === ":memory:" || databaseLocation(dbPath).engine !== "sqlite" ? () => {} : recordServer(dbPath, url);
  // Everything runs: `/ready` may send clients here.
  state = "serving";
  duties.begin();
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
      if (state === "draining" || state === "closed") {
        const begun = Date.now();
        await running.close();
        return { finished: true, ms: Date.now() - begun, sockets: 0, requestsCutOff: 0 };
      }
      state = "draining";
      return drainThenClose({ sync, requests: [apiRequests, site], close: () => running.close() }, timeoutMs);
    },
    async reload() {
      const loaded = await functions.load();
      const nextVerifier = verifierFor(loaded);
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
        stopFencedWatch?.();
        await duties.stop();
        await background.stop();
        await site.close();
        await closeApi();
        // The sweep never runs into a closed database.
        await duties.sweeping;
        forgetRecord();
        await db.close();
        functions.dispose();
      })();
      return closed;
    },
  };
  return running;
}

// `syncline serve`: the production server. Unlike `dev` it watches nothing and generates
// nothing: it runs the functions as deployed and refuses to start when `_generated/` does not
// match them (the clients were built against that `api`). Errors reach clients redacted, logs
// are JSON lines when stdout is not a terminal, and SIGTERM drains: `/ready` turns 503, the
// work in flight finishes, sockets close with 1012 so clients reconnect at once to another
// node, and the database (with a leader's lock) is released last.

import { consoleLogger, jsonLogger, type ServerLogger } from "../server/logger.js";
import { constants } from "node:os";
import { DEFAULT_DRAIN_TIMEOUT_MS, startServer, type DrainOutcome, type RunningServer } from "../server/start-server.js";
import { databaseLocation } from "../server/db/location.js";
import { verifyGeneratedStep } from "../codegen/generated-step.js";
import { onStopSignals } from "./stop-signals.js";

export interface ServeOptions {
  /** The functions folder, with its `_generated/` up to date. */
  dir: string;
  port: number;
  /** The site port of HTTP actions (default port + 1). */
  sitePort?: number;
  /** The interface to listen on (the command's default, 0.0.0.0, is every interface). */
  host: string;
  /** A SQLite file or a PostgreSQL URL (default as `startServer`: SYNCLINE_DATABASE_URL, else `.syncline/data.sqlite`). */
  db?: string;
  /** Where clients reach the server when that is not its own address (file and upload URLs start with it). */
  url?: string;
  /** This node's name on `/health` and in the logs (default SYNCLINE_NODE_ID, else `<host name>-<pid>`). */
  nodeId?: string;
  /** How long a drain lets work in flight finish (default DEFAULT_DRAIN_TIMEOUT_MS). */
  drainTimeoutMs?: number;
  /** JSON log lines (default: when stdout is not a terminal). */
  json?: boolean;
}

/**
 * Serves until SIGTERM or SIGINT, then drains; resolves to the exit code (1 when the server
 * could not start). A second signal during the drain exits at once.
 *
 * @example
 * process.exitCode = await serve({ dir: resolve("syncline"), port: 3210, host: "0.0.0.0" });
 */
export async function serve(options: ServeOptions): Promise<number> {
  const logger = (options.json ?? process.stdout.isTTY !== true) ? jsonLogger() : consoleLogger();
  const started = Date.now();
  let stopRequested!: (signal: NodeJS.Signals) => void;
  const stop = new Promise<NodeJS.Signals>((resolve) => (stopRequested = resolve));
  // From the start: a signal while starting drains as soon as the server is up.
  const stopListening = onStopSignals(
    (signal) => stopRequested(signal),
    (signal) => {
      logger.warn(`${signal} again: exiting without finishing the drain.`, { signal });
      // A process ended by a signal exits with 128 plus its number (130 for SIGINT, 143 for SIGTERM).
      process.exit(128 + constants.signals[signal]);
    },
  );
  let server: RunningServer;
  try {
    server = await startServer({
      dir: options.dir,
      port: options.port,
      host: options.host,
      prod: true,
      generated: verifyGeneratedStep,
      logger,
      ...(options.sitePort !== undefined ? { sitePort: options.sitePort } : {}),
      ...(options.db !== undefined ? { db: options.db } : {}),
      ...(options.url !== undefined ? { url: options.url } : {}),
      ...(options.nodeId !== undefined ? { nodeId: options.nodeId } : {}),
    });
  } catch (error) {
    stopListening();
    logger.error((error as Error).message);
    return 1;
  }
  const node = server.nodeStatus();
  const engine = databaseEngine(options.db ?? (process.env.SYNCLINE_DATABASE_URL || undefined));
  logger.info(`Syncline serving in ${Date.now() - started} ms: API ${server.url}, HTTP actions ${server.siteUrl}, node ${node.nodeId} (${node.role}), ${engine}`, {
    url: server.url,
    siteUrl: server.siteUrl,
    nodeId: node.nodeId,
    role: node.role,
    database: engine,
    functions: server.runtime.modules.functions.size,
  });

  const signal = await stop;
  const timeoutMs = options.drainTimeoutMs ?? DEFAULT_DRAIN_TIMEOUT_MS;
  logger.info(`${signal}: draining (at most ${timeoutMs} ms): /ready answers 503, new requests and sockets are refused.`, { signal, timeoutMs });
  const drained = await server.drain({ timeoutMs });
  stopListening();
  logStopped(logger, drained);
  return 0;
}

function logStopped(logger: ServerLogger, drained: DrainOutcome): void {
  const fields = { ms: drained.ms, sockets: drained.sockets, finished: drained.finished, requestsCutOff: drained.requestsCutOff };
  if (drained.finished) {
    logger.info(`Stopped in ${drained.ms} ms: everything in flight was answered, ${drained.sockets} sockets closed with 1012 (clients reconnect at once).`, fields);
  } else {
    logger.warn(
      `Stopped in ${drained.ms} ms: the drain timeout passed with work in flight (${drained.requestsCutOff} HTTP requests cut off; ` +
        `unanswered mutations are resent by their clients and applied once), ${drained.sockets} sockets closed with 1012.`,
      fields,
    );
  }
}

/** Which engine the database is, for the start-up line (never the URL: it may hold a password). */
function databaseEngine(db: string | undefined): string {
  return db === undefined || databaseLocation(db).engine === "sqlite" ? "SQLite" : "PostgreSQL";
}

// The defaults of `ServerOptions`, resolved once when a server starts: the project's folders,
// the database, the node's name and secret from the environment, the interface and ports. Every
// other part of `startServer` reads the resolved values, so each default is decided in one place.

import { dirname, join, resolve } from "node:path";
import type { GeneratedFilesStep } from "../generated-files.js";
import { silentLogger, type ServerLogger } from "../logger.js";
import { defaultNodeId } from "../node-status.js";
import { assertFunctionsFolder } from "../runtime/bundle.js";
import { realClock, type SchedulerClock } from "../scheduler/clock.js";
import type { ServerOptions } from "./server-options.js";

/** `ServerOptions` with its defaults applied. */
export interface ResolvedOptions {
  /** The functions folder, absolute. */
  dir: string;
  /** The folder holding the functions folder, where `.syncline/` lives. */
  project: string;
  /** Database file, ":memory:" or a Postgres URL. */
  dbPath: string;
  host: string;
  /** The port asked for (0: a free one). */
  port: number;
  logger: ServerLogger;
  prod: boolean;
  generated: GeneratedFilesStep | undefined;
  clock: SchedulerClock;
  runJobs: boolean;
  nodeId: string;
  nodeSecret: string | undefined;
  /** Postgres: the follower's poll interval, when one was set. */
  followerPollMs: number | undefined;
  /** Postgres: the address to advertise as leader, when one was set. */
  advertiseUrl: string | undefined;
}

/** The API port when none is given. */
const DEFAULT_PORT = 3210;
/** The interface to listen on when none is given: this machine only. */
const DEFAULT_HOST = "127.0.0.1";

/**
 * Applies the defaults of `options`; throws when the functions folder is not one.
 *
 * @example
 * const { dbPath, nodeId } = resolveServerOptions({ dir: "syncline", db: ":memory:" });
 */
export function resolveServerOptions(options: ServerOptions): ResolvedOptions {
  const dir = resolve(options.dir ?? "syncline");
  assertFunctionsFolder(dir);
  const project = dirname(dir);
  return {
    dir,
    project,
    dbPath: options.db ?? (process.env.SYNCLINE_DATABASE_URL || undefined) ?? join(project, ".syncline", "data.sqlite"),
    host: options.host ?? DEFAULT_HOST,
    port: options.port ?? DEFAULT_PORT,
    logger: options.logger ?? silentLogger,
    prod: options.prod ?? false,
    generated: options.generated,
    clock: options.clock ?? realClock,
    runJobs: options.runJobs ?? true,
    nodeId: options.nodeId ?? defaultNodeId(),
    nodeSecret: options.nodeSecret ?? (process.env.SYNCLINE_NODE_SECRET || undefined),
    followerPollMs: options.followerPollMs ?? numberFromEnv("SYNCLINE_FOLLOWER_POLL_MS"),
    advertiseUrl: options.advertiseUrl ?? process.env.SYNCLINE_ADVERTISE_URL,
  };
}

/**
 * The site port (HTTP actions) once the API listens on `apiPort`: the one asked for, else the
 * next port, else - when the API port was picked freely - a free one too.
 *
 * @example
 * sitePortFor({ port: 3210 }, 3210); // 3211
 */
export function sitePortFor(options: Pick<ServerOptions, "port" | "sitePort">, apiPort: number): number {
  return options.sitePort ?? (options.port === 0 ? 0 : apiPort + 1);
}

/**
 * `values` without its undefined entries (options are `exactOptionalPropertyTypes`).
 *
 * @example
 * definedOnly({ a: 1, b: undefined }); // { a: 1 }
 */
export function definedOnly<T extends Record<string, unknown>>(values: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined)) as { [K in keyof T]?: Exclude<T[K], undefined> };
}

/** A positive number from the environment variable `name`, if it holds one. */
function numberFromEnv(name: string): number | undefined {
  const value = Number(process.env[name]);
  return Number.isFinite(value) && value > 0 ? value : undefined;
}

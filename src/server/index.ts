// `syncline/server`: what functions code and server embedders import.

import type { Database } from "./db/types.js";

export * from "./define/index.js";
export { anyApi } from "../functions/any-api.js";
export { startServer, DEFAULT_DRAIN_TIMEOUT_MS, type ServerOptions, type RunningServer, type ServerState, type DrainOutcome } from "./start-server.js";
export { StaleGeneratedError, type GeneratedFilesStep } from "./generated-files.js";
export type { NodeStatus } from "./node-status.js";
export { DatabaseInUseError } from "./db/sqlite/file-lock.js";
export { DatabaseOpenError } from "./db/open-error.js";
export { StorageFullError } from "./db/storage-full.js";
export { DatabaseUnavailableError } from "./db/connection-lost.js";
export { ScheduledFunctionCancelingItself } from "./scheduler/scheduler-api.js";
/**
 * The SQLite engine behind `RunningServer.db` for a file or ":memory:": `setMaxSize` raises (or,
 * with undefined, lifts) its size limit while the server runs. Declared here rather than
 * re-exported from the engine's class so that user projects need no SQLite driver types.
 */
export type EmbeddedDatabase = Database & { setMaxSize(bytes: number | undefined): void };
export { consoleLogger, jsonLogger, silentLogger, type ServerLogger, type LogSource, type LogFields } from "./logger.js";
export type { ClusterNode, ClusterStatus, LeaderAddress, NodeRole } from "./db/cluster-node.js";
export type { TestOnlyFaults } from "./runtime/runtime.js";
export { cronJobs, Crons, type CronJob, type IntervalSchedule } from "./crons/cron-jobs.js";
export type { CronSchedule, DayOfWeek } from "./crons/cron-schedule.js";
export { httpRouter, HttpRouter, ROUTABLE_METHODS, type RoutableMethod, type RouteSpec, type RouteMatch } from "./http-actions/http-router.js";
export { httpAction, type HttpActionBuilder, type HttpActionHandler, type PublicHttpAction } from "./http-actions/http-action.js";
export type { SchedulerClock } from "./scheduler/clock.js";

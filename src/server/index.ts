// `syncline/server`: what functions code and server embedders import.

export * from "./define/index.js";
export { anyApi } from "../functions/any-api.js";
export { startServer, type ServerOptions, type RunningServer } from "./start-server.js";
export { DatabaseInUseError } from "./db/sqlite/file-lock.js";
export type { ClusterNode, ClusterStatus, LeaderAddress, NodeRole } from "./db/cluster-node.js";
export type { TestOnlyFaults } from "./runtime/runtime.js";
export { consoleLogger, silentLogger, type ServerLogger, type LogSource } from "./logger.js";
export { cronJobs, Crons, type CronJob, type IntervalSchedule } from "./crons/cron-jobs.js";
export type { CronSchedule, DayOfWeek } from "./crons/cron-schedule.js";
export { httpRouter, HttpRouter, ROUTABLE_METHODS, type RoutableMethod, type RouteSpec, type RouteMatch } from "./http-actions/http-router.js";
export { httpAction, type HttpActionBuilder, type HttpActionHandler, type PublicHttpAction } from "./http-actions/http-action.js";
export type { SchedulerClock } from "./scheduler/clock.js";

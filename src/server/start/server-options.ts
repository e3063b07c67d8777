// What `startServer` takes: every option with its default and why it exists. Resolving the
// defaults (environment variables, the project's folders) is resolve-options.ts's job.

import type { GeneratedFilesStep } from "../generated-files.js";
import type { ServerLogger } from "../logger.js";
import type { TestOnlyFaults } from "../runtime/runtime.js";
import type { SchedulerClock } from "../scheduler/clock.js";

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
   * Postgres: how long a lost database connection is retried before the calls waiting on it fail
   * (ms, default 30,000). They fail with a retryable error: the HTTP API answers 503 with
   * `Retry-After`; a subscription keeps its last result and runs again once the database is back.
   * Raise it when the database's own failover takes longer.
   */
  databaseReconnectTimeoutMs?: number;
  /**
   * The address clients reach this server at, which file and upload URLs from `ctx.storage`
   * start with (default `http://<host>:<port>`). Set it when a proxy or another host name is in
   * front of the server.
   */
  url?: string;
  /** Production mode: plain error messages are redacted to "Server Error". */
  prod?: boolean;
  /**
   * What every (re)load does with `_generated/` (default: leaves it alone). The code generator
   * makes the two steps: `writeGeneratedStep` rewrites it (`syncline dev`); `verifyGeneratedStep`
   * refuses to start (and to reload) when it is missing or is not what codegen would write now,
   * with a StaleGeneratedError saying to run `syncline codegen` (`syncline serve`).
   */
  generated?: GeneratedFilesStep;
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

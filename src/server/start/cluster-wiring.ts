// How a server takes its place in a cluster of nodes on one Postgres database: running the
// mutations followers forward to it, stopping when a newer leader fences it off, and taking up
// the duties only a leader has (the file sweep, scheduled functions, crons) when it takes over.

import type { ClusterNode } from "../db/cluster-node.js";
import type { ServerLogger } from "../logger.js";
import { failure } from "../runtime/outcome.js";
import type { ForwardedMutation, MutationOutcome, Runtime } from "../runtime/runtime.js";
import { isSystemWriteName } from "../runtime/system-writes.js";
import type { FileStorage } from "../storage/file-storage.js";
import { idempotencyFor } from "../sync/mutation-records.js";

/**
 * Runs a forwarded mutation (or system write) here, recorded under its own (sessionId,
 * requestId) so a retried forward runs once.
 *
 * @example
 * new MutationForwarder({ node: cluster, secret, runLocal: forwardedMutationRunner(() => runtime) });
 */
export function forwardedMutationRunner(runtime: () => Runtime): (call: ForwardedMutation) => Promise<MutationOutcome> {
  return (call) => {
    const idempotency = idempotencyFor(call.sessionId, call.requestId);
    if (call.system !== true) return runtime().mutation(call.name, call.args, call.caller, idempotency);
    if (!isSystemWriteName(call.name)) return Promise.resolve(failure(new Error(`There is no system write ${JSON.stringify(call.name)}.`), []));
    return runtime().systemWrite(call.name, call.args, idempotency);
  };
}

/**
 * What a fenced node does unless told otherwise: say why and exit with code 75, so a supervisor
 * restarts it as a follower. `logger` is the one the embedder gave, if any.
 *
 * @example
 * cluster?.onFenced(options.onFenced ?? exitWhenFenced(options.logger));
 */
export function exitWhenFenced(logger: ServerLogger | undefined): (error: Error) => void {
  return (error) => {
    // Said even by a silent server: an operator must learn why the process ended.
    const line = `syncline: stopping: ${error.message}`;
    if (logger !== undefined) logger.error(line);
    else process.stderr.write(`${line}\n`);
    process.exit(75);
  };
}

export interface LeaderDutiesOptions {
  /** The cluster this node is part of; undefined for a server alone on its database. */
  cluster: ClusterNode | undefined;
  storage: Pick<FileStorage, "sweep">;
  /** Starts scheduled functions and crons; undefined when this server runs no jobs. */
  startJobs: (() => Promise<void>) | undefined;
  logger: ServerLogger;
}

/**
 * The work only a leader does - or a server alone on its database: removing file contents a
 * crash left without a `_storage` row, and (started by the server at boot, by this on a
 * takeover) scheduled functions and crons.
 *
 * @example
 * const duties = new LeaderDuties({ cluster, storage, startJobs, logger });
 * if (duties.started) await background.start(loaded.crons);
 * duties.begin();
 * // on close:
 * await duties.stop();
 * await duties.sweeping;
 */
export class LeaderDuties {
  readonly #options: LeaderDutiesOptions;
  #started: boolean;
  #sweeping: Promise<void> = Promise.resolve();
  #leading: Promise<void> = Promise.resolve();
  #stopWatch: (() => void) | undefined;

  constructor(options: LeaderDutiesOptions) {
    this.#options = options;
    this.#started = options.cluster === undefined || options.cluster.role === "leader";
  }

  /** True once this node has the duties: from the start when it leads (or is alone), else from a takeover. */
  get started(): boolean {
    return this.#started;
  }

  /** Settles when the last sweep has; the database must stay open until then. */
  get sweeping(): Promise<void> {
    return this.#sweeping;
  }

  /**
   * Once the server serves: sweeps when it leads, and takes up every duty when a follower
   * takes over from a dead leader. Requests do not wait for the sweep.
   */
  begin(): void {
    const { cluster, startJobs, logger } = this.#options;
    this.#sweeping = this.#started ? this.#sweep() : Promise.resolve();
    this.#stopWatch = cluster?.onLeader(() => {
      if (this.#started) return;
      this.#started = true;
      logger.info(`Node ${cluster.nodeId} now leads (epoch ${cluster.status().epoch}).`);
      this.#sweeping = this.#sweep();
      if (startJobs !== undefined) {
        this.#leading = startJobs().catch((error: unknown) => logger.error(`Starting scheduled functions and crons failed: ${(error as Error).message}`));
      }
    });
  }

  /** Stops watching for a takeover and waits for one under way to have started its jobs. */
  async stop(): Promise<void> {
    this.#stopWatch?.();
    await this.#leading;
  }

  #sweep(): Promise<void> {
    const { storage, logger } = this.#options;
    return storage.sweep().catch((error: unknown) => logger.warn(`Removing unused file contents failed: ${(error as Error).message}`));
  }
}

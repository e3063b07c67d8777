// What one node of a cluster (several servers on one PostgreSQL database) tells the rest of the
// server: whether it writes (the leader) or follows the leader's commit log, how far it has
// applied that log, and where the leader takes forwarded mutations. SQLite databases have no
// cluster: a lone server is always the writer.

import type { Timestamp } from "./timestamp.js";

/** A node's role: the leader is the one writer; followers apply its commit log. */
export type NodeRole = "leader" | "follower";

/** Where the current leader takes forwarded mutations, as its leader row says. */
export interface LeaderAddress {
  readonly epoch: bigint;
  readonly nodeId: string;
  /** The leader's internal base URL (`advertiseUrl`), empty until it listens. */
  readonly address: string;
}

/** This node's view of the cluster, for `/health` and for routing writes. */
export interface ClusterStatus {
  readonly nodeId: string;
  readonly role: NodeRole;
  /** The leader epoch this node last saw (its own while it leads). */
  readonly epoch: bigint;
  /** The newest commit this node has applied: reads and subscriptions show exactly this far. */
  readonly appliedTs: Timestamp;
  /** How far behind the newest commit it knows of (ms of commit time; 0 on the leader). */
  readonly lagMs: number;
}

/** How a database in a cluster exposes its node. */
export interface ClusterNode {
  readonly nodeId: string;
  /** "leader" or "follower"; changes when this node takes over from a dead leader. */
  readonly role: NodeRole;
  /**
   * The status for `/health`.
   *
   * @example
   * const { role, epoch, appliedTs, lagMs } = db.cluster!.status();
   */
  status(): ClusterStatus;
  /**
   * Calls `listener` when this node becomes the leader (after a failover too); returns the
   * unsubscribe. Runs at once when it already leads.
   *
   * @example
   * db.cluster?.onLeader(() => void background.start(crons));
   */
  onLeader(listener: () => void): () => void;
  /**
   * Calls `listener` once, when this node learns a newer leader fenced it off: it must stop (the
   * server logs it and exits non-zero). Returns the unsubscribe.
   *
   * @example
   * db.cluster?.onFenced((error) => { console.error(error.message); process.exit(75); });
   */
  onFenced(listener: (error: Error) => void): () => void;
  /**
   * Resolves true once this node has applied commit `ts` (at once when it has), false after
   * `timeoutMs`.
   *
   * @example
   * if (!(await db.cluster!.waitForApplied(ts, 10_000))) throw new Error("this node lags");
   */
  waitForApplied(ts: Timestamp, timeoutMs: number): Promise<boolean>;
  /**
   * The leader's row (read from the database now): where to forward mutations.
   *
   * @example
   * const { address } = await db.cluster!.leader();
   */
  leader(): Promise<LeaderAddress>;
  /**
   * Records where this node takes forwarded mutations (written to the leader row while it leads).
   *
   * @example
   * await db.cluster!.advertise("http://10.0.0.7:3210");
   */
  advertise(address: string): Promise<void>;
  /**
   * For a drain, called last: finishes queued writes, releases the leader lock (another node
   * takes over at once) and stops trying to take it again. A follower only stops trying.
   *
   * @example
   * await db.cluster?.releaseLeadership();
   */
  releaseLeadership(): Promise<void>;
}

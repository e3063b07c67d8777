// One node's membership in a cluster on one PostgreSQL database (scaleout.md, design (a)):
// every node keeps trying the leader lock on its writer connection; the holder is the leader
// (bumps the epoch, writes), the others follow the commit log (commit-tail.ts). A leader also
// watches the leader row, so one whose lock session was cut off (and that writes nothing, which
// would have found out) learns of its successor within a poll and stops.

import type { ClusterNode, ClusterStatus, LeaderAddress, NodeRole } from "../cluster-node.js";
import type { Timestamp } from "../types.js";
import type { CommitTail } from "./commit-tail.js";
import { FencedError } from "./leader-row.js";
import { outsideCaller } from "./session.js";

/** What the membership asks of its database. */
export interface MemberHost {
  /** The newest applied commit. */
  appliedTs(): Timestamp;
  /** Newest commit timestamp the last catch-up saw in the log (for the lag). */
  headTs(): Timestamp;
  /** Tries the leader lock on the writer; the backend pid when taken. */
  tryLock(): Promise<number | undefined>;
  /** Becomes the leader (lock held by `pid`): catches up, bumps the epoch, loads the writer state. */
  promote(pid: number, nodeId: string, address: string): Promise<bigint>;
  /** The leader row as stored now. */
  readLeader(): Promise<LeaderAddress>;
  /** Stores this leader's address. */
  writeAddress(epoch: bigint, address: string): Promise<unknown>;
  /** Refuses new writes, lets queued ones finish, and releases the lock. */
  release(): Promise<void>;
  /** Resolves true once `ts` is applied, false after `timeoutMs`. */
  waitForApplied(ts: Timestamp, timeoutMs: number): Promise<boolean>;
  /** Stops all writing for good. */
  fence(error: Error): void;
}

/** Cluster timing. */
export interface MemberTiming {
  /** How often a follower tries the leader lock, and a leader re-reads the leader row (ms). */
  electionMs: number;
}

/**
 * The `ClusterNode` of a Postgres database.
 *
 * @example
 * const member = new ClusterMember(host, "node-a", "leader", epoch, tail, { electionMs: 500 });
 * member.start();
 */
export class ClusterMember implements ClusterNode {
  private currentRole: NodeRole;
  private currentEpoch: bigint;
  private address = "";
  private timer: NodeJS.Timeout | undefined;
  private ticking = false;
  private stopped = false;
  private fenced: Error | undefined;
  private readonly leaderListeners = new Set<() => void>();
  private readonly fencedListeners = new Set<(error: Error) => void>();

  constructor(
    private readonly host: MemberHost,
    readonly nodeId: string,
    role: NodeRole,
    epoch: bigint,
    /** The follower's commit tail (stopped while this node leads). */
    readonly tail: CommitTail,
    private readonly timing: MemberTiming,
  ) {
    this.currentRole = role;
    this.currentEpoch = epoch;
  }

  get role(): NodeRole {
    return this.currentRole;
  }

  get epoch(): bigint {
    return this.currentEpoch;
  }

  status(): ClusterStatus {
    const applied = this.host.appliedTs();
    const head = this.host.headTs();
    const lagMs = this.currentRole === "leader" || head <= applied ? 0 : Number((head - applied) / 1_000_000n);
    return { nodeId: this.nodeId, role: this.currentRole, epoch: this.currentEpoch, appliedTs: applied, lagMs };
  }

  /** Starts the election loop (and the tail on a follower). */
  async start(): Promise<void> {
    if (this.currentRole === "follower") await this.tail.start();
    this.timer = outsideCaller(() => setInterval(() => void this.tick(), this.timing.electionMs));
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    if (this.ticking || this.stopped || this.fenced !== undefined) return;
    this.ticking = true;
    try {
      if (this.currentRole === "follower") {
        const pid = await this.host.tryLock();
        if (pid === undefined || this.stopped) return;
        await this.tail.stop();
        this.currentEpoch = await this.host.promote(pid, this.nodeId, this.address);
        this.currentRole = "leader";
        for (const listener of [...this.leaderListeners]) listener();
      } else {
        const leader = await this.host.readLeader();
        if (leader.epoch !== this.currentEpoch) {
          this.fence(new FencedError(`Node ${this.nodeId} (epoch ${this.currentEpoch}) was replaced by leader ${leader.nodeId || "?"} (epoch ${leader.epoch}); this node never writes again.`));
        }
      }
    } catch (error) {
      if (error instanceof FencedError) this.fence(error);
      // Anything else (Postgres unreachable, the lock lost during a promotion): the next tick tries again.
    } finally {
      this.ticking = false;
    }
  }

  /** Stops this node writing for good and tells the listeners (the server exits). */
  fence(error: Error): void {
    if (this.fenced !== undefined) return;
    this.fenced = error;
    this.host.fence(error);
    for (const listener of [...this.fencedListeners]) listener(error);
  }

  onLeader(listener: () => void): () => void {
    this.leaderListeners.add(listener);
    if (this.currentRole === "leader") listener();
    return () => this.leaderListeners.delete(listener);
  }

  onFenced(listener: (error: Error) => void): () => void {
    this.fencedListeners.add(listener);
    if (this.fenced !== undefined) listener(this.fenced);
    return () => this.fencedListeners.delete(listener);
  }

  waitForApplied(ts: Timestamp, timeoutMs: number): Promise<boolean> {
    if (this.host.appliedTs() >= ts) return Promise.resolve(true);
    // The leader's commits are the commit order: a timestamp past its own was never committed
    // (the client saw another database, or a clock that ran ahead), and waiting cannot bring it.
    if (this.currentRole === "leader") return Promise.resolve(false);
    this.tail.wake();
    return this.host.waitForApplied(ts, timeoutMs);
  }

  leader(): Promise<LeaderAddress> {
    return this.host.readLeader();
  }

  async advertise(address: string): Promise<void> {
    this.address = address;
    if (this.currentRole === "leader") await this.host.writeAddress(this.currentEpoch, address);
  }

  async releaseLeadership(): Promise<void> {
    this.stop();
    if (this.currentRole !== "leader") return;
    this.currentRole = "follower";
    await this.host.release();
    // Still serving while it drains: it follows the next leader's commits like any follower.
    await this.tail.start();
  }

  /** Stops the loops (closing the database). */
  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) clearInterval(this.timer);
  }
}

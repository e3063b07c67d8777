// A follower node's side of the cluster: catching up with the commit log the leader writes.
// Each wake-up of the commit tail (a NOTIFY or the backstop poll) reads the commits after the
// applied one in one snapshot, reloads the catalog when they name an index this node does not
// know, and tells the same listeners the leader's own commits go to - so a follower's
// subscriptions see every commit, in order.

import type pg from "pg";
import type { Catalog } from "../catalog.js";
import type { NodeRole } from "../cluster-node.js";
import { notify } from "../database-common.js";
import type { Commit } from "../types.js";
import { readCatalogRows, withAliases } from "./catalog-rows.js";
import { commitsSince, prunedThrough } from "./commit-log.js";
import type { ConfirmedCommits } from "./confirmed-commits.js";
import { isConnectionError } from "./errors.js";
import { FencedError } from "./leader-row.js";
import { inTransaction, withPooledSession } from "./session.js";
import type { PostgresSettings } from "./settings.js";
import { readLastTs } from "./store.js";

/** What a follower's catch-up reads of (and reports to) its database. */
export interface FollowerHost {
  /** The pooled read connections (the catch-up takes one per wake-up). */
  readonly pool: pg.Pool;
  readonly catalog: Catalog;
  readonly settings: PostgresSettings;
  /** Advanced per applied commit: the follower's applied position. */
  readonly confirmed: ConfirmedCommits;
  /** Told of every applied commit, in timestamp order. */
  readonly listeners: ReadonlySet<(commit: Commit) => void>;
  /** True once the database is closing. */
  closed(): boolean;
  /** The node's role now: only a "follower" catches up. */
  role(): NodeRole | "promoting";
  /** Records `ts` as the newest applied commit (the writer starts from it once promoted). */
  applied(ts: bigint): void;
  /** Stops every write for good (the follower fell behind the log's retention). */
  fenceOff(error: Error): void;
}

/**
 * Applies the leader's commits on a follower.
 *
 * @example
 * const following = new CommitLogFollower(host, lastTs);
 * await following.catchUp(); // on every commit-tail wake-up
 */
export class CommitLogFollower {
  /** The newest commit timestamp a follower's last catch-up found. */
  headTs: bigint;
  /** Index ids known to the catalog: a commit naming another one makes a follower reload it. */
  knownIndexIds: Set<number>;

  constructor(
    private readonly host: FollowerHost,
    lastTs: bigint,
  ) {
    this.headTs = lastTs;
    this.knownIndexIds = host.catalog.indexIds();
  }

  /**
   * A follower's catch-up: the commit log after the applied timestamp (one statement: a gapless
   * prefix, the leader commits batches one after another), the catalog when a commit names an
   * index this node does not know or changed the schema, then every commit in order through the
   * same listeners the leader's own commits go through. Never throws: the next wake-up retries.
   *
   * @example
   * const tail = new CommitTail({ connect, catchUp: () => following.catchUp(), pollMs: 1000 });
   */
  async catchUp(): Promise<void> {
    if (this.host.closed() || this.host.role() !== "follower") return;
    try {
      const from = this.host.confirmed.ts;
      const { commits, catalogRows, head } = await withPooledSession(this.host.pool, (conn) =>
        inTransaction(
          conn,
          async (tx) => {
            const [commits, head, pruned] = await Promise.all([commitsSince(tx, from), readLastTs(tx), prunedThrough(tx)]);
            if (pruned > from) {
              // Commits this node never applied are gone from the log: its subscriptions cannot be
              // brought up to date. Stop (the server exits) and come back fresh.
              throw new FencedError(`This follower fell behind the commit log's retention (${Math.round(this.host.settings.commitLogRetentionMs / 60_000)} min); it restarts to catch up.`);
            }
            const stale = commits.some((commit) => commit.writeSet.writes.length === 0 || commit.writeSet.writes.some((write) => !this.knownIndexIds.has(write.indexId)));
            const catalogRows = stale ? await readCatalogRows(tx) : undefined;
            return { commits, catalogRows, head };
          },
          "ISOLATION LEVEL REPEATABLE READ READ ONLY",
        ),
      );
      if (this.host.role() !== "follower" || this.host.confirmed.ts !== from) return; // promoted, or another catch-up applied these
      if (head > this.headTs) this.headTs = head;
      let aliases = new Map<number, number>();
      if (catalogRows !== undefined) {
        aliases = this.host.catalog.refresh(catalogRows.tables, catalogRows.indexes);
        this.knownIndexIds = this.host.catalog.indexIds();
      }
      for (const commit of commits) {
        const applied = aliases.size === 0 ? commit : withAliases(commit, aliases);
        for (const listener of [...this.host.listeners]) notify(listener, applied);
        this.host.applied(commit.ts);
        this.host.confirmed.advance(commit.ts);
      }
    } catch (error) {
      if (error instanceof FencedError) this.host.fenceOff(error);
      else if (!isConnectionError(error)) console.error("syncline: following the commit log failed; retrying", error);
    }
  }
}

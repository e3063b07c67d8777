// What one node says about itself on `GET /health`: who it is, whether it holds the write
// order (leader) or follows the commit log, under which leader epoch, and how far it has
// applied that log. Load balancers and operators read it; `/ready` decides routing.
//
// A single server is its own leader of epoch 1 with nothing to catch up on. The cluster core
// (several nodes on one Postgres) replaces `singleNodeStatus` with the values of its election
// and of its commit-log follower.

import { hostname } from "node:os";
import type { Database } from "./db/types.js";

/** One node's place in the cluster, as `GET /health` reports it. */
export interface NodeStatus {
  /** The node's name (`--node-id`, `SYNCLINE_NODE_ID`; default: the host name). */
  nodeId: string;
  /** `leader`: commits mutations and runs the scheduler; `follower`: forwards them to the leader. */
  role: "leader" | "follower";
  /** The leader epoch this node last saw: each new leader bumps it, a stale one can never commit. */
  epoch: number;
  /**
   * The newest commit timestamp this node has applied (nanoseconds since the Unix epoch, as a
   * decimal string: it does not fit in a JSON number).
   */
  appliedTimestamp: string;
  /** How far behind the leader's newest commit this node is, in ms (0 on the leader). */
  lagMs: number;
}

/** Where the node's status comes from: called on every `/health` request. */
export type NodeStatusSource = () => NodeStatus;

/**
 * The node id a server uses when none is given: `SYNCLINE_NODE_ID`, else the host name (a
 * container's host name is unique in its cluster; give several nodes on one machine their own).
 *
 * @example
 * defaultNodeId(); // "web-7c9f" (the host name) unless SYNCLINE_NODE_ID is set
 */
export function defaultNodeId(): string {
  return process.env.SYNCLINE_NODE_ID || hostname();
}

/**
 * The status of a server that is the only one on its database: always the leader, epoch 1,
 * applied up to the database's latest commit, no lag.
 *
 * @example
 * const status = singleNodeStatus("web-1", db);
 * status(); // { nodeId: "web-1", role: "leader", epoch: 1, appliedTimestamp: "1765112233445566778", lagMs: 0 }
 */
export function singleNodeStatus(nodeId: string, db: Pick<Database, "latestTimestamp">): NodeStatusSource {
  return () => ({ nodeId, role: "leader", epoch: 1, appliedTimestamp: String(db.latestTimestamp()), lagMs: 0 });
}

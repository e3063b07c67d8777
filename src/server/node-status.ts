// What one node says about itself on `GET /health`: who it is, whether it holds the write
// order (leader) or follows the commit log, under which leader epoch, and how far it has
// applied that log. Load balancers and operators read it; `/ready` decides routing.
//
// A single server is its own leader of epoch 1 with nothing to catch up on; a node of a cluster
// (several servers on one Postgres) reports its election and how far it follows the commit log.

import { hostname } from "node:os";
import type { ClusterNode } from "./db/cluster-node.js";
import type { Database } from "./db/types.js";

/** One node's place in the cluster, as `GET /health` reports it. */
export interface NodeStatus {
  /** The node's name (`--node-id`, `SYNCLINE_NODE_ID`; default: `<host name>-<pid>`). */
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
 * The node id a server uses when none is given: `SYNCLINE_NODE_ID`, else `<host name>-<pid>`.
 * Ids must differ between the nodes of a cluster (a follower that took the leader's id for its
 * own would never forward to it); the process id keeps several nodes on one machine apart.
 *
 * @example
 * defaultNodeId(); // "web-7c9f-1" unless SYNCLINE_NODE_ID is set
 */
export function defaultNodeId(): string {
  return process.env.SYNCLINE_NODE_ID || `${hostname()}-${process.pid}`;
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

/**
 * The status of a node of a cluster, read from its election and commit-log follower.
 *
 * @example
 * const status = clusterNodeStatus(db.cluster!);
 * status(); // { nodeId: "web-2", role: "follower", epoch: 3, appliedTimestamp: "1765112233445566778", lagMs: 4 }
 */
export function clusterNodeStatus(cluster: Pick<ClusterNode, "status">): NodeStatusSource {
  return () => {
    const { nodeId, role, epoch, appliedTs, lagMs } = cluster.status();
    return { nodeId, role, epoch: Number(epoch), appliedTimestamp: String(appliedTs), lagMs };
  };
}

// How a Postgres database is tuned and how it joins a cluster: the options `openDatabase` fills
// in and hands to `PostgresDatabase`. Their own module so that the parts of the database
// (the write runner, the reads) can take them without importing database.ts.

import type pg from "pg";
import type { NodeRole } from "../cluster-node.js";

/** Tuning and fault handling of a Postgres database. */
export interface PostgresSettings {
  /** How long a lost connection is retried before in-flight work fails (ms). */
  reconnectTimeoutMs: number;
  /** How long commit-log rows are kept (ms). */
  commitLogRetentionMs: number;
}

/** How a database opened as a cluster node starts out. */
export interface MembershipInit {
  nodeId: string;
  role: NodeRole;
  /** The LISTEN connection of the commit tail. */
  connectListener: () => Promise<pg.Client>;
  /** The tail's backstop poll (ms). */
  pollMs: number;
  /** How often the leader lock is tried (ms). */
  electionMs: number;
}

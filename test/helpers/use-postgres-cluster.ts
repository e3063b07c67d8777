// A test file's own PostgreSQL cluster, and nodes of Syncline on it, started before the file's
// tests and stopped after them - the set-up every cluster test shares. Call at a test file's top
// level; the handles work inside tests and hooks, once the `beforeAll`s have run.

import { afterAll, beforeAll } from "vitest";
import { startNodes, type ClusterNodeProcess } from "./cluster-nodes.js";
import { startPostgresCluster, type PostgresCluster } from "./postgres-cluster.js";

/** initdb and the first start take a while on a loaded machine. */
const START_TIMEOUT_MS = 120_000;

/**
 * A temp PostgreSQL cluster for this file: started in `beforeAll`, destroyed in `afterAll`.
 * Takes what `startPostgresCluster` takes.
 *
 * @example
 * const postgres = usePostgresCluster();
 * it("...", () => { const db = postgres.createDatabase(); });
 */
export function usePostgresCluster(...settings: Parameters<typeof startPostgresCluster>): PostgresCluster {
  let cluster: PostgresCluster | undefined;
  beforeAll(async () => {
    cluster = await startPostgresCluster(...settings);
  }, START_TIMEOUT_MS);
  afterAll(() => cluster?.destroy());
  const started = (): PostgresCluster => {
    if (cluster === undefined) throw new Error("The Postgres cluster starts in beforeAll: use it inside a test or a hook.");
    return cluster;
  };
  return {
    get port() {
      return started().port;
    },
    get dir() {
      return started().dir;
    },
    url: (name) => started().url(name),
    createDatabase: (name) => started().createDatabase(name),
    psql: (sql, database) => started().psql(sql, database),
    stop: (mode) => started().stop(mode),
    start: () => started().start(),
    destroy: () => started().destroy(),
  };
}

/** The nodes `useClusterNodes` started and the database they share. */
export interface ClusterNodes {
  /** The database URL. */
  readonly db: string;
  /** node-0 (the leader), node-1, ...; a node pushed here in a later `beforeAll` is killed too. */
  readonly nodes: ClusterNodeProcess[];
}

/**
 * `count` node processes on a fresh database of `postgres` for this file's tests (node-0 leads):
 * started in `beforeAll` (after the cluster's), killed in `afterAll` (before it is destroyed).
 *
 * @example
 * const postgres = usePostgresCluster();
 * const cluster = useClusterNodes(postgres, 3);
 * it("...", async () => { const [leader, follower] = cluster.nodes; });
 */
export function useClusterNodes(postgres: PostgresCluster, count: number, env: Record<string, string> = {}): ClusterNodes {
  const nodes: ClusterNodeProcess[] = [];
  let db: string | undefined;
  beforeAll(async () => {
    const started = await startNodes(postgres, count, env);
    db = started.db;
    nodes.push(...started.nodes);
  }, START_TIMEOUT_MS);
  afterAll(() => Promise.all(nodes.map((node) => node.kill())));
  return {
    get db() {
      if (db === undefined) throw new Error("The cluster's nodes start in beforeAll: use them inside a test or a hook.");
      return db;
    },
    nodes,
  };
}

/**
 * `count` nodes on a fresh database of `postgres` for one test, killed after it (`cleanups`):
 * for a test that kills, crashes or configures its nodes unlike the file's others.
 *
 * @example
 * const { db, nodes } = await startTestNodes(postgres, 3, cleanups, { SYNCLINE_TEST_CRASH_AFTER_COMMIT: "counter:increment" });
 */
export async function startTestNodes(postgres: PostgresCluster, count: number, cleanups: (() => unknown)[], env: Record<string, string> = {}): Promise<{ db: string; nodes: ClusterNodeProcess[] }> {
  const started = await startNodes(postgres, count, env);
  cleanups.push(() => Promise.all(started.nodes.map((node) => node.kill())));
  return started;
}

// vitest globalSetup of the "postgres" project: one temp PostgreSQL cluster for the whole run
// (test-database.ts creates a database per test server on it), stopped and removed at the end.

import { startPostgresCluster } from "./postgres-cluster.js";

export default async function setup(): Promise<() => void> {
  const cluster = await startPostgresCluster();
  process.env.SYNCLINE_TEST_PG_DIR = cluster.dir;
  process.env.SYNCLINE_TEST_PG_PORT = String(cluster.port);
  return () => cluster.destroy();
}

// Which engine the tests run on. `SYNCLINE_TEST_ENGINE=postgres` (the "postgres" vitest project)
// makes every test database a fresh, empty database on the run's temp cluster (started once by
// postgres-global-setup.ts); otherwise it is SQLite's private ":memory:".

import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { postgresBin } from "./postgres-cluster.js";

/** The engine under test. */
export const TEST_ENGINE: "sqlite" | "postgres" = process.env.SYNCLINE_TEST_ENGINE === "postgres" ? "postgres" : "sqlite";

let created = 0;

/**
 * A fresh, empty database for one test server or database: its `db` option.
 *
 * @example
 * const server = await startServer({ dir, port: 0, db: testDatabase() });
 */
export function testDatabase(): string {
  if (TEST_ENGINE === "sqlite") return ":memory:";
  const dir = process.env.SYNCLINE_TEST_PG_DIR;
  const port = process.env.SYNCLINE_TEST_PG_PORT;
  if (dir === undefined || port === undefined) throw new Error("SYNCLINE_TEST_ENGINE=postgres needs the cluster of test/helpers/postgres-global-setup.ts (run the vitest project \"postgres\").");
  const name = `t_${process.pid}_${Date.now().toString(36)}_${++created}`;
  execFileSync(join(postgresBin()!, "psql"), ["-h", dir, "-p", port, "-U", "postgres", "-d", "postgres", "-XAtq", "-c", `CREATE DATABASE "${name}"`], { stdio: "ignore" });
  return `postgres://postgres@127.0.0.1:${port}/${name}`;
}

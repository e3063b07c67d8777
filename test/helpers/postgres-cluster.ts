// A real, private PostgreSQL cluster for tests: initdb into a temp folder, pg_ctl start on a free
// loopback port (unix socket in the same folder), stopped and removed by the test. initdb and
// pg_ctl refuse to run as root, so as root they run as the `postgres` OS user.

import { execFileSync } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";

/** Where PostgreSQL's programs are (the newest installed major version). */
export function postgresBin(): string | undefined {
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((name) => existsSync(join(root, name, "bin", "initdb")))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? undefined : join(root, versions[0], "bin");
}

/** A free loopback TCP port. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address !== null ? address.port : 0));
    });
  });
}

/** A running temp cluster. */
export interface PostgresCluster {
  readonly port: number;
  /** The data and socket folder. */
  readonly dir: string;
  /** A URL of database `name` on the cluster (user postgres, no password: trust auth). */
  url(name?: string): string;
  /** Creates an empty database and returns its URL (synchronous, so test code can call it anywhere). */
  createDatabase(name?: string): string;
  /** Runs SQL through psql on the `postgres` database; returns its unaligned output. */
  psql(sql: string, database?: string): string;
  /** `pg_ctl stop -m <mode>` (immediate = a crash: no checkpoint, connections cut). */
  stop(mode?: "fast" | "immediate"): void;
  /** Starts it again on the same port. */
  start(): void;
  /** Stops it and removes its folder. */
  destroy(): void;
}

let databases = 0;

/**
 * Starts a cluster; `settings` are extra `-c name=value` server settings.
 *
 * @example
 * const cluster = await startPostgresCluster();
 * const url = cluster.createDatabase();
 * ... cluster.destroy();
 */
export async function startPostgresCluster(settings: Record<string, string> = {}, options: { password?: string } = {}): Promise<PostgresCluster> {
  const bin = postgresBin();
  if (bin === undefined) throw new Error("PostgreSQL is not installed (/usr/lib/postgresql/*/bin/initdb): install the postgresql package.");
  const asRoot = userInfo().uid === 0;
  const dir = mkdtempSync(join(tmpdir(), "syncline-pg-"));
  chmodSync(dir, 0o755);
  const data = join(dir, "data");
  const run = (program: string, args: string[]) => {
    const command = asRoot ? ["runuser", ["-u", "postgres", "--", join(bin, program), ...args]] as const : [join(bin, program), args] as const;
    return execFileSync(command[0], command[1] as string[], { stdio: ["ignore", "pipe", "pipe"], encoding: "utf8" });
  };
  if (asRoot) chownSync(dir, Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" })), Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" })));
  // With a password, TCP connections must give it (the unix socket stays trusted for psql).
  const auth = options.password === undefined ? ["-A", "trust"] : ["--auth-local=trust", "--auth-host=scram-sha-256"];
  run("initdb", ["-D", data, ...auth, "-U", "postgres", "--no-sync"]);
  const port = await freePort();
  const serverSettings = { shared_buffers: "32MB", max_connections: "60", fsync: "off", synchronous_commit: "on", full_page_writes: "off", ...settings };
  const serverOptions = [`-p ${port}`, `-k ${dir}`, "-c listen_addresses=127.0.0.1", ...Object.entries(serverSettings).map(([k, v]) => `-c ${k}=${v}`)].join(" ");
  const start = () => void run("pg_ctl", ["-D", data, "-o", serverOptions, "-l", join(dir, "log"), "-w", "start"]);
  const stop = (mode: "fast" | "immediate" = "fast") => void run("pg_ctl", ["-D", data, "-m", mode, "-w", "stop"]);
  start();
  const psql = (sql: string, database = "postgres") =>
    execFileSync(join(bin, "psql"), ["-h", dir, "-p", String(port), "-U", "postgres", "-d", database, "-XAtq", "-v", "ON_ERROR_STOP=1", "-c", sql], { encoding: "utf8" });
  if (options.password !== undefined) psql(`ALTER USER postgres PASSWORD '${options.password.replace(/'/g, "''")}'`);
  const credentials = options.password === undefined ? "postgres" : `postgres:${encodeURIComponent(options.password)}`;
  const url = (name = "postgres") => `postgres://${credentials}@127.0.0.1:${port}/${name}`;
  let destroyed = false;
  return {
    port,
    dir,
    url,
    createDatabase(name = `test_${process.pid}_${++databases}`) {
      psql(`CREATE DATABASE "${name}"`);
      return url(name);
    },
    psql,
    stop,
    start,
    destroy() {
      if (destroyed) return;
      destroyed = true;
      try {
        stop("immediate");
      } catch {
        // already stopped
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

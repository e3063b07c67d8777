// Several Syncline nodes on one Postgres database, each a child process (serve.ts) a test can
// kill -9, SIGSTOP or SIGCONT by pid. Nodes start one after another, so the first one leads.

import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { createInterface } from "node:readline";
import type { PostgresCluster } from "./postgres-cluster.js";

const SERVE = join(import.meta.dirname, "../integration/support/serve.ts");
/** The fixture every cluster test serves. */
export const CLUSTER_FIXTURE = join(import.meta.dirname, "../fixtures/cluster/syncline");
export const NODE_SECRET = "cluster-test-secret";

export interface ClusterNodeProcess {
  readonly nodeId: string;
  readonly url: string;
  /** Its site port: the HTTP actions of `http.ts`. */
  readonly siteUrl: string;
  readonly process: ChildProcess;
  readonly pid: number;
  /** What it wrote to stderr so far. */
  readonly stderr: string[];
  /** Resolves with its exit code (or signal name) once it exited. */
  readonly exited: Promise<number | string>;
  /** SIGKILL, waiting for the exit. */
  kill(): Promise<void>;
}

/**
 * Starts one node of the cluster on `db`.
 *
 * @example
 * const node = await startNode(db, "node-a");
 */
export async function startNode(db: string, nodeId: string, env: Record<string, string> = {}): Promise<ClusterNodeProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", SERVE, CLUSTER_FIXTURE, db], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, SYNCLINE_NODE_ID: nodeId, SYNCLINE_NODE_SECRET: NODE_SECRET, ...env },
  });
  const stderr: string[] = [];
  child.stderr!.on("data", (chunk: Buffer) => stderr.push(chunk.toString()));
  const exited = new Promise<number | string>((resolve) => child.once("exit", (code, signal) => resolve(code ?? signal ?? "?")));
  const [url, siteUrl] = await new Promise<string[]>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once("line", (line) => resolve(line.split(" ")));
    void exited.then((code) => reject(new Error(`node ${nodeId} exited with ${code} before it printed its URL: ${stderr.join("")}`)));
  });
  return {
    nodeId,
    url: url!,
    siteUrl: siteUrl!,
    process: child,
    pid: child.pid!,
    stderr,
    exited,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      await exited;
    },
  };
}

/**
 * Starts `count` nodes (node-0 leads) on a fresh database of `postgres`.
 *
 * @example
 * const { db, nodes } = await startNodes(postgres, 3);
 */
export async function startNodes(postgres: PostgresCluster, count: number, env: Record<string, string> = {}): Promise<{ db: string; nodes: ClusterNodeProcess[] }> {
  const db = postgres.createDatabase();
  const nodes: ClusterNodeProcess[] = [];
  try {
    for (let i = 0; i < count; i++) nodes.push(await startNode(db, `node-${i}`, env));
  } catch (error) {
    await Promise.all(nodes.map((node) => node.kill()));
    throw error;
  }
  return { db, nodes };
}

/**
 * The leader row of `db`: epoch and node id.
 *
 * @example
 * expect(leaderOf(postgres, db).nodeId).toBe("node-0");
 */
export function leaderOf(postgres: PostgresCluster, db: string): { epoch: number; nodeId: string } {
  const [epoch, nodeId] = postgres.psql("SELECT epoch || '|' || node_id FROM syncline_leader", databaseName(db)).trim().split("|");
  return { epoch: Number(epoch), nodeId: nodeId ?? "" };
}

/** The database name of a URL from `createDatabase`. */
export function databaseName(db: string): string {
  return db.split("/").pop()!;
}

// Runs the server in a child process so a test can kill it like a crash would.

import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { createInterface } from "node:readline";

const SERVE = join(import.meta.dirname, "../integration/support/serve.ts");

export interface ChildServer {
  url: string;
  /** Where the HTTP actions are served. */
  siteUrl: string;
  process: ChildProcess;
  /** SIGKILL: no chance to flush or close anything. */
  kill(): Promise<void>;
  /** SIGTERM: a clean shutdown. */
  stop(): Promise<void>;
}

/** Starts `serve.ts` for `dir` on the database `dbFile` and waits for its URL. */
export async function startChildServer(
  dir: string,
  dbFile: string,
  options: { args?: string[]; env?: Record<string, string>; port?: number; sitePort?: number } = {},
): Promise<ChildServer> {
  const args = [
    ...(options.args ?? []),
    ...(options.port !== undefined ? ["--port", String(options.port)] : []),
    ...(options.sitePort !== undefined ? ["--site-port", String(options.sitePort)] : []),
  ];
  const child = spawn(process.execPath, ["--import", "tsx", SERVE, dir, dbFile, ...args], {
    stdio: ["ignore", "pipe", "inherit"],
    env: { ...process.env, ...options.env },
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const line = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once("line", resolve);
    child.once("exit", (code) => reject(new Error(`server exited with ${code} before it printed its URL`)));
  });
  const [url, siteUrl] = line.split(" ") as [string, string];
  return {
    url,
    siteUrl,
    process: child,
    async kill() {
      child.kill("SIGKILL");
      await exited;
    },
    async stop() {
      child.kill("SIGTERM");
      await exited;
    },
  };
}

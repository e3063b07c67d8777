// Runs the server in a child process so a test can kill it like a crash would.

import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { createInterface } from "node:readline";

const SERVE = join(import.meta.dirname, "../integration/support/serve.ts");

export interface ChildServer {
  url: string;
  process: ChildProcess;
  /** SIGKILL: no chance to flush or close anything. */
  kill(): Promise<void>;
  /** SIGTERM: a clean shutdown. */
  stop(): Promise<void>;
}

/** Starts `serve.ts` for `dir` on the database `dbFile` and waits for its URL. */
export async function startChildServer(dir: string, dbFile: string, extra: string[] = []): Promise<ChildServer> {
  const child = spawn(process.execPath, ["--import", "tsx", SERVE, dir, dbFile, ...extra], { stdio: ["ignore", "pipe", "inherit"] });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once("line", resolve);
    child.once("exit", (code) => reject(new Error(`server exited with ${code} before it printed its URL`)));
  });
  return {
    url,
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

// The `syncline` command as a child process, run from the sources through tsx. It starts in the
// repository (where tsx resolves), so every path it gets must be absolute. Children are stopped
// by their pid.

import { spawn } from "node:child_process";
import { join } from "node:path";
import { createInterface } from "node:readline";

export const CLI = join(import.meta.dirname, "../../src/cli/main.ts");
const REPO = join(import.meta.dirname, "../..");

/** Runs `syncline <args>` to the end. */
export function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", CLI, ...args], { cwd: REPO });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("exit", (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * Starts `syncline dev --dir <dir> --port 0 --no-typecheck <extra>` and resolves once it printed
 * its API URL; `stop(signal)` and `exited` resolve to its exit code. It is stopped after the test too.
 */
export async function startDev(dir: string, extra: string[], cleanups: (() => unknown)[]) {
  const child = spawn(process.execPath, ["--import", "tsx", CLI, "dev", "--dir", dir, "--port", "0", "--no-typecheck", ...extra], {
    cwd: REPO,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    await exited;
  });
  const output: string[] = [];
  createInterface({ input: child.stderr }).on("line", (line) => output.push(line));
  const url = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout }).on("line", (line) => {
      output.push(line);
      const api = /API:\s+(http:\S+)/.exec(line)?.[1];
      if (api) resolve(api);
    });
    child.once("exit", (code) => reject(new Error(`syncline dev exited with ${code}:\n${output.join("\n")}`)));
  });
  return {
    url,
    output,
    /** Its exit code, once it exits by itself. */
    exited,
    stop: (signal: NodeJS.Signals) => {
      child.kill(signal);
      return exited;
    },
  };
}

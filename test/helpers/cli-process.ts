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

/** A `syncline serve` child: its JSON log lines as they arrive, its URLs and its exit. */
export interface ServeProcess {
  url: string;
  siteUrl: string;
  pid: number;
  /** Every line it wrote to stdout, parsed (it logs JSON when stdout is a pipe). */
  logs: Record<string, unknown>[];
  /** Resolves to its exit code (null when a signal ended it) once it exits. */
  exited: Promise<number | null>;
  signal(signal: NodeJS.Signals): void;
}

/**
 * Starts `syncline serve --dir <dir> --host 127.0.0.1 --port 0 <extra>` and resolves once it
 * logged that it serves; it is stopped (SIGKILL, by pid) after the test if still running.
 */
export async function startServe(dir: string, extra: string[], cleanups: (() => unknown)[], env: Record<string, string> = {}): Promise<ServeProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", CLI, "serve", "--dir", dir, "--host", "127.0.0.1", "--port", "0", ...extra], {
    cwd: REPO,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, ...env },
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    await exited;
  });
  const logs: Record<string, unknown>[] = [];
  const stderr: string[] = [];
  createInterface({ input: child.stderr }).on("line", (line) => stderr.push(line));
  const serving = await new Promise<Record<string, unknown>>((resolve, reject) => {
    createInterface({ input: child.stdout }).on("line", (line) => {
      let entry: Record<string, unknown>;
      try {
        entry = JSON.parse(line) as Record<string, unknown>;
      } catch {
        entry = { notJson: line };
      }
      logs.push(entry);
      if (typeof entry.url === "string" && typeof entry.siteUrl === "string") resolve(entry);
    });
    child.once("exit", (code) => reject(new Error(`syncline serve exited with ${code}:\n${[...logs.map((entry) => JSON.stringify(entry)), ...stderr].join("\n")}`)));
  });
  return { url: serving.url as string, siteUrl: serving.siteUrl as string, pid: child.pid!, logs, exited, signal: (signal) => void child.kill(signal) };
}

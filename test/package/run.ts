// Running npm, node and the installed binaries from the package tests, in a clean environment.

import { execFile, type ChildProcess } from "node:child_process";
import { promisify } from "node:util";

// None of the `npm_*` variables of an enclosing `npm run` (they name this repository as the
// prefix, and would make npm in a fresh project act on the repository), nor the test runner's
// NODE_ENV=test (under which `vite build` bundles React's development build).
export const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith("npm_") && key !== "NODE_ENV"));

/** Runs `command` to its end in `cwd`; resolves to its stdout, rejects with its output. */
export async function run(command: string, args: string[], cwd: string, extraEnv: Record<string, string> = {}): Promise<string> {
  try {
    const { stdout } = await promisify(execFile)(command, args, { cwd, env: { ...env, ...extraEnv }, maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`${command} ${args.join(" ")} failed in ${cwd}:\n${stderr ?? ""}\n${stdout ?? ""}`, { cause: error });
  }
}

/** Stops a process by its PID (`signal`, then SIGKILL after 10 s); resolves to its exit code. */
export async function stop(child: ChildProcess, signal: NodeJS.Signals = "SIGTERM"): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  child.kill(signal);
  const killer = setTimeout(() => child.kill("SIGKILL"), 10_000);
  const code = await exited;
  clearTimeout(killer);
  return code;
}

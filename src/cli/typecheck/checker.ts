// Type-checks the functions folder in the background after each (re)load and reports through the
// dev logger. Type errors never block a reload: esbuild already deployed the code, and dev stays
// as fast as esbuild; the check only tells.
//
// Why a child process running the project's `tsc` and not a worker thread with the compiler
// API: it is the user's compiler with its own command-line semantics (tsconfig, incremental
// build info), so what we print is what `npx tsc` prints; a real project's program takes
// hundreds of MB, which a separate process returns to the OS when it ends and which never counts
// against the server's heap; cancelling is a kill, with nothing to cooperate; and a compiler
// crash (out of memory) cannot take the server down. The cost - a process start per check and
// parsing `--pretty false` text - is small next to the check itself.

import { spawn } from "node:child_process";
import { setPriority } from "node:os";
import { dirname, join } from "node:path";
import type { ServerLogger } from "../../server/logger.js";
import { chooseTsconfig } from "./choose-tsconfig.js";
import type { TypeScriptInstall } from "./find-typescript.js";
import { countFunctionsFiles, formatDiagnostic, isReported, parseTscOutput } from "./tsc-output.js";

export interface TypeCheckerOptions {
  /** The functions folder; its parent is the project. */
  dir: string;
  typescript: TypeScriptInstall;
  logger: ServerLogger;
}

export interface TypeChecker {
  /**
   * Checks now, cancelling a check still running (at most one runs at a time). Resolves once
   * reported, or at once when superseded; never rejects.
   */
  check(): Promise<void>;
  /** Cancels a running check: a change arrived, so its answer would describe gone code. */
  cancel(): void;
  /** Cancels and waits until no compiler runs. */
  stop(): Promise<void>;
}

// A long list is the start of a refactoring, not something to read in a terminal.
const MAX_SHOWN = 50;

/**
 * A background type checker for `syncline dev`.
 *
 * @example
 * const checker = createTypeChecker({ dir: "/app/syncline", typescript: findTypeScript("/app")!, logger });
 * void checker.check(); // after every successful reload
 * // Type errors in functions (1) - the server keeps running the new code:
 * // syncline/messages.ts:4:9 - error TS2322: Type 'string' is not assignable to type 'number'.
 */
export function createTypeChecker({ dir, typescript, logger }: TypeCheckerOptions): TypeChecker {
  const projectRoot = dirname(dir);
  const stateDir = join(projectRoot, ".syncline", "typecheck");
  let running: { kill(): void; exited: Promise<unknown> } | undefined;
  let generation = 0;
  let failing = false;

  const cancel = () => {
    generation++;
    running?.kill();
  };

  async function check(): Promise<void> {
    const mine = ++generation;
    running?.kill();
    await running?.exited;
    if (mine !== generation) return; // a newer check (or a cancel) came while the old one exited
    try {
      const config = chooseTsconfig(dir, stateDir);
      // --incremental with the build info in .syncline: a check after a one-file edit re-checks
      // only what that file affects.
      // --listFiles: how many files a passing check covered, for its one line.
      const args = ["-p", config.file, "--noEmit", "--pretty", "false", "--listFiles", "--incremental", "--tsBuildInfoFile", join(stateDir, "functions.tsbuildinfo")];
      const tsc = runTsc(typescript.tsc, args, projectRoot);
      const handle = { kill: tsc.kill, exited: tsc.exited.catch(() => undefined) };
      running = handle;
      try {
        const outcome = await tsc.exited;
        if (mine === generation) report(outcome);
      } finally {
        if (running === handle) running = undefined;
      }
    } catch (error) {
      if (mine === generation) logger.warn(`Type check failed: ${(error as Error).message}`);
    }
  }

  function report({ code, signal, stdout, stderr }: TscOutcome): void {
    const all = parseTscOutput(stdout, projectRoot);
    // 0: clean; 1 and 2: diagnostics. Anything else, or a failure without a single diagnostic
    // (node's exit code for an uncaught exception is 1 too), is the compiler failing.
    if (signal !== null || (code !== 0 && all.length === 0) || (code !== 0 && code !== 1 && code !== 2)) {
      const said = (stderr.trim() || stdout.trim()).split("\n").slice(-10).join("\n");
      logger.warn(`Type check failed (tsc ${signal ?? `exited with ${code}`})${said ? `:\n${said}` : ""}`);
      return;
    }
    const shown = all.filter((diagnostic) => isReported(diagnostic, dir));
    if (shown.length === 0) {
      // One line per check, so a save is visibly checked; after errors, it says they are gone.
      const files = countFunctionsFiles(stdout, dir);
      logger.info(`Type check passed (${files} ${files === 1 ? "file" : "files"})${failing ? ": the type errors are fixed." : ""}`);
      failing = false;
      return;
    }
    failing = true;
    const lines = shown.slice(0, MAX_SHOWN).map((diagnostic) => formatDiagnostic(diagnostic, projectRoot));
    if (shown.length > MAX_SHOWN) lines.push(`... and ${shown.length - MAX_SHOWN} more`);
    logger.error([`Type errors in functions (${shown.length}) - the server keeps running the new code:`, ...lines].join("\n"));
  }

  return {
    check,
    cancel,
    async stop() {
      cancel();
      await running?.exited;
    },
  };
}

interface TscOutcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function runTsc(tsc: string, args: string[], cwd: string): { kill(): void; exited: Promise<TscOutcome> } {
  const child = spawn(process.execPath, [tsc, ...args], { cwd, stdio: ["ignore", "pipe", "pipe"] });
  // Background work: on a busy machine the server's requests go first.
  try {
    if (child.pid !== undefined) setPriority(child.pid, 10);
  } catch {
    // (not permitted on some systems; the check still runs)
  }
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (text: string) => (stdout += text));
  child.stderr.setEncoding("utf8").on("data", (text: string) => (stderr += text));
  const exited = new Promise<TscOutcome>((resolveExit, rejectExit) => {
    child.once("error", rejectExit);
    child.once("close", (code, signal) => resolveExit({ code, signal, stdout, stderr }));
  });
  return {
    exited,
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill();
    },
  };
}

// `syncline dev --run "<command>"`: a command that runs beside the dev server (Vite, a Node
// client under `tsx watch`) and lives as long as it does. It starts once the backend is ready
// and learns its URLs from SYNCLINE_URL and SYNCLINE_SITE_URL; every line it prints is prefixed
// with its name (`[vite] ...`); stopping the dev server stops it, and when it exits on its own
// the dev server says which command exited and why, and stops too.
//
// The command runs through the shell in a process group of its own: a command line such as
// `npm run web` is a tree of processes (npm, sh, vite), and the group lets one signal reach all
// of them. It also means a Ctrl-C in the terminal reaches only the dev server, which then stops
// the command; the command's stdin is therefore closed (a background group may not read the
// terminal).

import { spawn } from "node:child_process";
import { constants } from "node:os";
import { createInterface } from "node:readline";
import type { LogStream } from "../server/logger.js";

/** How a command ended: its exit code, or the signal that ended it. */
export interface CommandExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface Companion {
  /** The name its lines are prefixed with (`vite` for `npx vite --port 5000`). */
  readonly name: string;
  /** Resolves once the command exited (on its own or stopped) and its output was printed. */
  readonly exited: Promise<CommandExit>;
  /** Stops the command and everything it started (SIGTERM, SIGKILL after `graceMs`); resolves once it exited. */
  stop(graceMs?: number): Promise<CommandExit>;
}

/** Where a companion's lines go: already prefixed, one call per line, without the newline. */
export interface CompanionOutput {
  stdout(line: string): void;
  stderr(line: string): void;
}

export interface CompanionOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  output: CompanionOutput;
  /** Paints the `[name]` prefix (identity when output is not a terminal). */
  paint?: (prefix: string) => string;
}

const POSIX = process.platform !== "win32";

/**
 * Starts `command` through the shell, prefixing each of its lines with `[name] `.
 *
 * @example
 * const vite = startCompanion("vite", { cwd, env: { ...process.env, SYNCLINE_URL: url }, output });
 * const exit = await vite.exited; // { code: 1, signal: null } if vite failed
 */
export function startCompanion(command: string, options: CompanionOptions): Companion {
  const name = commandName(command);
  const label = (options.paint ?? ((text) => text))(`[${name}]`);
  const prefixed = (line: string) => withPrefix(label, line);
  const child = spawn(POSIX && isSimple(command) ? `exec ${command}` : command, {
    shell: true,
    cwd: options.cwd,
    env: options.env,
    stdio: ["ignore", "pipe", "pipe"],
    detached: POSIX,
  });
  const printed = [
    forEachLine(child.stdout, (line) => options.output.stdout(prefixed(line))),
    forEachLine(child.stderr, (line) => options.output.stderr(prefixed(line))),
  ];
  // A spawn that fails (no shell) reports `error` and no `exit`.
  const ended = new Promise<CommandExit>((resolve) => {
    child.once("exit", (code, signal) => resolve({ code, signal }));
    child.once("error", (error) => {
      options.output.stderr(prefixed(`could not start: ${error.message}`));
      resolve({ code: 127, signal: null });
    });
  });
  // Every process of the command holds its output pipes until it exits, so the pipes' end says
  // that all of them are gone - even on a machine whose init leaves them as zombies a while.
  const drained = Promise.all(printed);
  const drainedWithin = (ms: number) => Promise.race([drained, new Promise((resolve) => setTimeout(resolve, ms).unref())]);
  // Its last lines before the news of its exit - unless something it started still holds its
  // output open (`sh -c "server &"`), which must not hold up the news.
  const exited = ended.then(async (exit) => {
    await drainedWithin(500);
    return exit;
  });

  const signalGroup = (signal: NodeJS.Signals) => {
    if (child.pid === undefined) return;
    try {
      if (POSIX) process.kill(-child.pid, signal);
      else child.kill(signal);
    } catch {
      // None of them is left.
    }
  };
  // If the dev server itself dies (an uncaught error), the command must not outlive it. A
  // synchronous signal is all an `exit` listener may do.
  const killOnExit = () => signalGroup("SIGTERM");
  process.once("exit", killOnExit);
  void ended.then(() => {
    process.off("exit", killOnExit);
    // What it started and left behind (a shell's background job) goes with it.
    signalGroup("SIGTERM");
  });

  return {
    name,
    exited,
    async stop(graceMs = 5_000) {
      signalGroup("SIGTERM");
      const killer = setTimeout(() => signalGroup("SIGKILL"), graceMs);
      try {
        const exit = await ended;
        // The shell may be gone while what it started still shuts down: wait for all of them.
        await drainedWithin(graceMs + 1_000);
        return exit;
      } finally {
        clearTimeout(killer);
      }
    },
  };
}

/**
 * A command the shell can replace itself with (`exec vite`): one word after another, no
 * operators, redirections, substitutions or leading assignments. Then the command is the
 * process the dev server watches, so its own exit code or signal is what gets reported.
 */
function isSimple(command: string): boolean {
  return !/[;&|<>()`$\n\\]/.test(command) && !/^\s*\w+=/.test(command);
}

function forEachLine(stream: NodeJS.ReadableStream, onLine: (line: string) => void): Promise<void> {
  return new Promise((resolve) => {
    const lines = createInterface({ input: stream, crlfDelay: Infinity });
    lines.on("line", onLine);
    lines.once("close", () => resolve());
  });
}

// Package runners and node, whose name says nothing about what runs.
const RUNNERS = new Set(["npx", "bunx", "pnpx", "pnpm", "yarn", "npm", "bun", "exec", "run", "dlx", "node"]);

/**
 * The name a command's lines are prefixed with: its program's name, past package runners, paths
 * and environment assignments.
 *
 * @example
 * commandName("vite");                       // "vite"
 * commandName("npx vite --port 5000");       // "vite"
 * commandName("npm run web");                // "web"
 * commandName("node --watch server.js");     // "server"
 * commandName("PORT=5000 ./node_modules/.bin/vite"); // "vite"
 */
export function commandName(command: string): string {
  const words = command.trim().split(/\s+/).filter((word) => !/^\w+=/.test(word) && !word.startsWith("-"));
  const program = words.find((word) => !RUNNERS.has(word)) ?? words[0] ?? "command";
  return program.replace(/^["']|["']$/g, "").split(/[\\/]/).pop()!.replace(/\.(c|m)?[jt]s$|\.cmd$|\.exe$/i, "") || "command";
}

/**
 * Why a command ended, for the dev server's message.
 *
 * @example
 * describeExit("vite", { code: 1, signal: null });   // "vite exited with code 1"
 * describeExit("vite", { code: null, signal: "SIGKILL" }); // "vite was ended by SIGKILL"
 * describeExit("web", { code: 137, signal: null });   // "web exited with code 137 (a process it ran was ended by SIGKILL)"
 */
export function describeExit(name: string, { code, signal }: CommandExit): string {
  if (signal !== null) return `${name} was ended by ${signal}`;
  if (code === 127) return `${name} exited with code 127 (the shell did not find the command)`;
  // A shell reports a command that a signal ended as 128 + the signal's number.
  const bySignal = code !== null && code > 128 ? Object.entries(constants.signals).find(([, number]) => number === code - 128)?.[0] : undefined;
  return `${name} exited with code ${code}${bySignal === undefined ? "" : ` (a process it ran was ended by ${bySignal})`}`;
}

/**
 * The dev server's exit code once its command ended on its own: the command's, or 128 + the
 * signal's number, as shells report it.
 *
 * @example
 * exitCodeOf({ code: null, signal: "SIGKILL" }); // 137
 */
export function exitCodeOf({ code, signal }: CommandExit): number {
  if (signal !== null) return 128 + (constants.signals[signal] ?? 0);
  return code ?? 1;
}

/**
 * `stream` with `prefix` before every line written to it (the dev server's own lines when it
 * runs a command beside it: `[syncline] API: ...`).
 *
 * @example
 * consoleLogger(prefixLines(process.stdout, "[syncline]"));
 */
export function prefixLines(stream: LogStream, prefix: string): LogStream {
  return {
    isTTY: stream.isTTY,
    write(text: string) {
      const lines = text.split("\n");
      const rest = lines.pop()!; // "" after a closing newline
      return stream.write(lines.map((line) => `${withPrefix(prefix, line)}\n`).join("") + (rest === "" ? "" : withPrefix(prefix, rest)));
    },
  };
}

/** `[name] line`, and an empty line as the bare `[name]` (no trailing space). */
function withPrefix(prefix: string, line: string): string {
  return line === "" ? prefix : `${prefix} ${line}`;
}

// What the server prints: its URLs, reloads, build errors, and the functions' log lines with
// the function's name (`[Q(messages:list)] [LOG] 'hi'`) or, for HTTP actions, the route
// (`[H(POST /postMessage)] [LOG] 'hi'`). Colored on a TTY, plain elsewhere; `jsonLogger` writes
// the same events as one JSON object per line, for log collectors.

import type { FunctionKind } from "../functions/reference.js";
import type { Outcome } from "./runtime/outcome.js";

/** What produced a log line: a function of some kind, or an HTTP action (named by its route). */
export type LogSource = FunctionKind | "httpAction";

/** Values a log line carries besides its message (JSON logs show them as keys; the console does not). */
export type LogFields = Record<string, string | number | boolean | null>;

export interface ServerLogger {
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /**
   * Routine events an operator may look into but need not act on (a client that went away
   * mid-request). The console logger prints them only with `SYNCLINE_DEBUG=1`.
   */
  debug?(message: string): void;
  /** One log line of a function call. */
  functionLine(kind: LogSource, name: string, line: string): void;
}

const KIND_LETTER: Record<LogSource, string> = { query: "Q", mutation: "M", action: "A", httpAction: "H" };

/** Where a console logger writes: process.stdout, or a stream that passes lines on (prefixed). */
export interface LogStream {
  readonly isTTY?: boolean;
  write(text: string): unknown;
}

/** A logger writing to the process's stdout/stderr. */
export function consoleLogger(stream: LogStream = process.stdout): ServerLogger {
  const color = stream.isTTY === true && process.env.NO_COLOR === undefined;
  const paint = (code: number, text: string) => (color ? `\x1b[${code}m${text}\x1b[0m` : text);
  const write = (text: string) => stream.write(`${text}\n`);
  return {
    info: (message) => write(message),
    warn: (message) => write(paint(33, message)),
    error: (message) => write(paint(31, message)),
    debug: (message) => {
      if (process.env.SYNCLINE_DEBUG) write(paint(2, message));
    },
    functionLine(kind, name, line) {
      const level = /^\[(\w+)\]/.exec(line)?.[1];
      const body = level === "ERROR" ? paint(31, line) : level === "WARN" ? paint(33, line) : line;
      write(`${paint(2, `[${KIND_LETTER[kind]}(${name})]`)} ${body}`);
    },
  };
}

/** The level of a function's log line, from its `[LOG]` / `[WARN]` / ... prefix. */
const FUNCTION_LEVELS: Record<string, "debug" | "info" | "warn" | "error"> = { DEBUG: "debug", INFO: "info", LOG: "info", WARN: "warn", ERROR: "error" };

/**
 * A logger writing one JSON object per line - `{"time","level","msg",...fields}` - for log
 * collectors (`syncline serve` uses it when stdout is not a terminal). A message spanning
 * several lines (a stack) stays one object. A function's lines carry `function` and `kind`;
 * debug lines are written with `SYNCLINE_DEBUG=1`, as on the console.
 *
 * @example
 * jsonLogger().info("Syncline serving", { url: "http://0.0.0.0:3210" });
 * // {"time":"2026-12-07T15:40:00.000Z","level":"info","msg":"Syncline serving","url":"http://0.0.0.0:3210"}
 */
export function jsonLogger(stream: LogStream = process.stdout): ServerLogger {
  const write = (level: string, msg: string, fields?: LogFields) => {
    const line = { time: new Date().toISOString(), level, msg };
    // The three keys every line has come first, and fields never replace them.
    stream.write(`${JSON.stringify(fields === undefined ? line : { ...line, ...fields, ...line })}\n`);
  };
  return {
    info: (message, fields) => write("info", message, fields),
    warn: (message, fields) => write("warn", message, fields),
    error: (message, fields) => write("error", message, fields),
    debug: (message) => {
      if (process.env.SYNCLINE_DEBUG) write("debug", message);
    },
    functionLine(kind, name, line) {
      const prefix = /^\[(\w+)\] ?/.exec(line);
      write(FUNCTION_LEVELS[prefix?.[1] ?? ""] ?? "info", prefix ? line.slice(prefix[0].length) : line, { kind, function: name });
    },
  };
}

/** A logger that prints nothing (tests, embedding). */
export const silentLogger: ServerLogger = { info() {}, warn() {}, error() {}, functionLine() {} };

/**
 * Prints what one function call logged and, when it failed, why - for every way a function runs
 * (HTTP, a socket's mutation or action, a live query's execution).
 *
 * @example
 * logOutcome(logger, "query", "messages:list", outcome);
 */
export function logOutcome(logger: ServerLogger, kind: LogSource, name: string, outcome: Outcome): void {
  for (const line of outcome.logLines) logger.functionLine(kind, name, line);
  if (!outcome.ok) logger.functionLine(kind, name, `[ERROR] ${outcome.message}`);
}

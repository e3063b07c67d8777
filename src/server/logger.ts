// What the server prints: its URLs, reloads, build errors, and the functions' log lines with
// the function's name (`[Q(messages:list)] [LOG] 'hi'`) or, for HTTP actions, the route
// (`[H(POST /postMessage)] [LOG] 'hi'`). Colored on a TTY, plain elsewhere.

import type { FunctionKind } from "../functions/reference.js";
import type { Outcome } from "./runtime/outcome.js";

/** What produced a log line: a function of some kind, or an HTTP action (named by its route). */
export type LogSource = FunctionKind | "httpAction";

export interface ServerLogger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
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

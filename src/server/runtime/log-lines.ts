// Log lines (protocol.md §15): each console call inside a function becomes "[LEVEL] <args>",
// args rendered like Node's util.inspect and joined by spaces (`[LOG] 'hi' 42`).

import { inspect } from "node:util";

export type LogLevel = "DEBUG" | "INFO" | "LOG" | "WARN" | "ERROR";

/** Console methods and the level each one logs at. */
export const CONSOLE_LEVELS = {
  debug: "DEBUG",
  info: "INFO",
  log: "LOG",
  warn: "WARN",
  error: "ERROR",
  trace: "ERROR",
} as const satisfies Record<string, LogLevel>;

const MAX_LINE_LENGTH = 32 * 1024;
/** A function that logs more than this keeps the first lines and one line saying how many were dropped. */
export const MAX_LOG_LINES = 256;

/** Formats one console call. */
export function formatLogLine(level: LogLevel, args: readonly unknown[]): string {
  const text = args.map((arg) => inspect(arg, { depth: 4, breakLength: Infinity })).join(" ");
  const line = `[${level}] ${text}`;
  return line.length > MAX_LINE_LENGTH ? `${line.slice(0, MAX_LINE_LENGTH)}... (truncated)` : line;
}

/** Appends a line, keeping the bound: the line past the limit is replaced by one notice. */
export function appendLogLine(lines: string[], line: string): void {
  if (lines.length < MAX_LOG_LINES) lines.push(line);
  else if (lines.length === MAX_LOG_LINES) lines.push(`[WARN] 'Log lines after the first ${MAX_LOG_LINES} of this call were dropped.'`);
}

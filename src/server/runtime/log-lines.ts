// Log lines (protocol.md §15): each console call inside a function becomes "[LEVEL] <args>",
// args rendered like Node's util.inspect and joined by spaces (`[LOG] 'hi' 42`).

import { formatWithOptions, inspect } from "node:util";

export type LogLevel = "DEBUG" | "INFO" | "LOG" | "WARN" | "ERROR";

/** Console methods and the level each one logs at (`console.trace` logs at ERROR too, with a stack). */
export const CONSOLE_LEVELS = {
  debug: "DEBUG",
  info: "INFO",
  log: "LOG",
  warn: "WARN",
  error: "ERROR",
} as const satisfies Record<string, LogLevel>;

const MAX_LINE_LENGTH = 32 * 1024;
/** A function that logs more than this keeps the first lines and one line saying how many were dropped. */
export const MAX_LOG_LINES = 256;

const INSPECT_OPTIONS = { depth: 4, breakLength: Infinity };
/** A printf-style directive (`%s`, `%d`, `%o`, ...): Node's console formats these. */
const FORMAT_DIRECTIVE = /%[sdifjoOc%]/;

/**
 * Formats one console call. A first argument with printf-style directives is formatted as Node's
 * console would (`console.log("%s: %d", "n", 1)` gives `[LOG] 'n: 1'`), the rest is inspected.
 */
export function formatLogLine(level: LogLevel, args: readonly unknown[]): string {
  const text =
    typeof args[0] === "string" && FORMAT_DIRECTIVE.test(args[0])
      ? inspect(formatMessage(args), INSPECT_OPTIONS)
      : args.map((arg) => inspect(arg, INSPECT_OPTIONS)).join(" ");
  return rawLogLine(level, text);
}

/** The arguments as Node's console prints them (strings unquoted, directives applied). */
export function formatMessage(args: readonly unknown[]): string {
  return formatWithOptions(INSPECT_OPTIONS, ...args);
}

/** A line whose text is already formatted (a stack trace), bounded like every line. */
export function rawLogLine(level: LogLevel, text: string): string {
  const line = `[${level}] ${text}`;
  return line.length > MAX_LINE_LENGTH ? `${line.slice(0, MAX_LINE_LENGTH)}... (truncated)` : line;
}

/** Appends a line, keeping the bound: the line past the limit is replaced by one notice. */
export function appendLogLine(lines: string[], line: string): void {
  if (lines.length < MAX_LOG_LINES) lines.push(line);
  else if (lines.length === MAX_LOG_LINES) lines.push(`[WARN] 'Log lines after the first ${MAX_LOG_LINES} of this call were dropped.'`);
}

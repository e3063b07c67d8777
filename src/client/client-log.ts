// Everything the client prints goes through here: server log lines (protocol.md §15), failures of
// mutations and actions, connection trouble, and - with `verbose` - timestamped debug lines.
// Tokens never reach it in full.

import type { FunctionKind } from "../functions/reference.js";
import { functionPrefix } from "./errors.js";
import type { Logger } from "./types.js";

/** A server log line starts with its level, whose lowercase name is the console method to use. */
export const LOG_LINE = /^\[(DEBUG|INFO|LOG|WARN|ERROR)\] /;

/**
 * The client's log.
 *
 * @example
 * const log = new ClientLog(console, false);
 * log.functionLines("query", "messages:list", ["[LOG] 'hi' 42"]); // console.log("[Q(messages:list)] [LOG] 'hi' 42")
 */
export class ClientLog {
  readonly #logger: Logger | undefined;
  readonly verbose: boolean;

  constructor(logger: Logger | false | undefined, verbose: boolean) {
    this.#logger = logger === false ? undefined : (logger ?? console);
    this.verbose = verbose && this.#logger !== undefined;
  }

  /** A debug line, only with `verbose`. */
  debug(line: string): void {
    if (this.verbose) this.#logger!.debug(`${new Date().toISOString()} [syncline] ${line}`);
  }

  info(line: string): void {
    this.#logger?.info(`[syncline] ${line}`);
  }

  warn(line: string): void {
    this.#logger?.warn(`[syncline] ${line}`);
  }

  error(line: string): void {
    this.#logger?.error(`[syncline] ${line}`);
  }

  /** A function failed (mutations and actions are always reported, with their name). */
  functionFailed(kind: FunctionKind, name: string, message: string): void {
    this.#logger?.error(`[${functionPrefix(kind, name)}] ${message}`);
  }

  /** Prints a function's console lines with the matching console method (§15). */
  functionLines(kind: FunctionKind, name: string, lines: readonly string[]): void {
    const logger = this.#logger;
    if (logger === undefined) return;
    const prefix = `[${functionPrefix(kind, name)}]`;
    for (const line of lines) {
      const level = LOG_LINE.exec(line)?.[1]?.toLowerCase() as keyof Logger | undefined;
      if (level === undefined) logger.warn(`${prefix} (log line in an unknown format) ${line}`);
      else logger[level](`${prefix} ${line}`);
    }
  }
}

const SHORTEST_TOKEN_SHOWN = 32;

/**
 * At most the last 7 characters of a token (protocol.md §9), enough to tell tokens apart in a
 * log. A short token (an opaque secret rather than a JWT) shows nothing: its tail is most of it.
 */
export function redactToken(token: string): string {
  return token.length < SHORTEST_TOKEN_SHOWN ? "..." : `...${token.slice(-7)}`;
}

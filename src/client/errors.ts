// Errors the client produces: failures of functions (with the function named, protocol.md §11.4)
// and failures of the client itself (typed, with a code).

import type { FunctionKind } from "../functions/reference.js";
import { AppError } from "../values/app-error.js";
import type { Value } from "../values/value.js";

const LETTER: Record<FunctionKind, string> = { query: "Q", mutation: "M", action: "A" };

/** `[Q(messages:list)]`: the prefix naming the kind and function in messages and log lines. */
export function functionPrefix(kind: FunctionKind, name: string): string {
  return `${LETTER[kind]}(${name})`;
}

/**
 * The error a failed function call rejects with: an `AppError` carrying the function's data when
 * it threw one, a plain `Error` otherwise. Both name the function.
 */
export function functionError(kind: FunctionKind, name: string, message: string, errorData?: Value): Error {
  const text = `[${functionPrefix(kind, name)}] ${message}`;
  return errorData === undefined ? new Error(text) : new AppError(errorData, text);
}

export type ClientErrorCode =
  /** `close()` was called while the call was pending, or the call came after it. */
  | "CLIENT_CLOSED"
  /** The socket dropped while an action ran; actions are never resent (protocol.md §6). */
  | "CONNECTION_LOST";

/**
 * A failure of the client rather than of a function.
 *
 * @example
 * try { await client.action(api.files.upload, args) }
 * catch (e) { if (e instanceof SynclineClientError && e.code === "CONNECTION_LOST") retryLater() }
 */
export class SynclineClientError extends Error {
  override readonly name = "SynclineClientError";
  constructor(
    readonly code: ClientErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** What every call on a closed client (and every call pending when it closed) rejects with. */
export function clientClosedError(): SynclineClientError {
  return new SynclineClientError("CLIENT_CLOSED", "The SynclineClient was closed.");
}

export const CONNECTION_LOST_MESSAGE = "Connection lost while action was in flight";

/** The server broke the protocol (a transition that does not chain, an undecodable value). */
export class ProtocolViolation extends Error {
  override readonly name = "ProtocolViolation";
}

// What a close code means for reconnecting (protocol.md §10).

import type { BackoffReason } from "./backoff.js";

export const CLOSE_NORMAL = 1000;
export const CLOSE_GOING_AWAY = 1001;
export const CLOSE_NO_STATUS = 1005;
export const CLOSE_ABNORMAL = 1006;
export const CLOSE_INTERNAL_ERROR = 1011;
/** The server is restarting or draining for a deploy: other nodes (or it, once back) serve at once. */
export const CLOSE_SERVICE_RESTART = 1012;
export const CLOSE_OVERLOADED = 1013;
export const CLOSE_NOT_FOUND = 4040;

/** Closes that happen in ordinary operation (deploys, backgrounded tabs) and need no warning. */
export function isRoutineClose(code: number): boolean {
  return code === CLOSE_NORMAL || code === CLOSE_GOING_AWAY || code === CLOSE_NO_STATUS || code === CLOSE_NOT_FOUND || code === CLOSE_SERVICE_RESTART;
}

/** How long to back off after the server closed a socket with `code`. Every close is retried. */
export function backoffReasonForClose(code: number): BackoffReason {
  if (code === CLOSE_SERVICE_RESTART) return "restart";
  return code === CLOSE_OVERLOADED ? "overload" : "server";
}

// What a close code means for reconnecting (protocol.md §10).

import type { BackoffReason } from "./backoff.js";

export const CLOSE_NORMAL = 1000;
export const CLOSE_GOING_AWAY = 1001;
export const CLOSE_NO_STATUS = 1005;
export const CLOSE_ABNORMAL = 1006;
export const CLOSE_INTERNAL_ERROR = 1011;
export const CLOSE_OVERLOADED = 1013;
export const CLOSE_NOT_FOUND = 4040;

/** Closes that happen in ordinary operation (deploys, backgrounded tabs) and need no warning. */
export function isRoutineClose(code: number): boolean {
  return code === CLOSE_NORMAL || code === CLOSE_GOING_AWAY || code === CLOSE_NO_STATUS || code === CLOSE_NOT_FOUND;
}

/** How long to back off after the server closed a socket with `code`. Every close is retried. */
export function backoffReasonForClose(code: number): BackoffReason {
  return code === CLOSE_OVERLOADED ? "overload" : "server";
}

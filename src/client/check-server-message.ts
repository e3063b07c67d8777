// The shape of what the server sends, checked before the client acts on any of it (protocol.md
// §4). The engine changes several pieces of state per message: a field that turned out missing
// half-way through would leave them out of step (a result stored but never shown, a request
// forgotten but never settled). Values inside stay unchecked here: they are decoded, again before
// anything changes, by whoever reads them.

import type { ServerMessage, StateModification, StateVersion } from "../protocol/messages.js";
import { ProtocolViolation } from "./errors.js";

/**
 * Throws ProtocolViolation naming the first field of `message` the client cannot read.
 *
 * @example
 * checkServerMessage({ type: "ActionResponse", requestId: 0, success: true, result: 1 })
 * // throws "Malformed ActionResponse from the server: its logLines is missing or of the wrong type."
 */
export function checkServerMessage(message: ServerMessage): void {
  const field = malformedField(message);
  if (field !== undefined) throw new ProtocolViolation(`Malformed ${message.type} from the server: its ${field} is missing or of the wrong type.`);
}

/** The first field the client reads that is missing or of the wrong type. */
function malformedField(message: ServerMessage): string | undefined {
  switch (message.type) {
    case "Transition": {
      if (!isVersion(message.startVersion)) return "startVersion";
      if (!isVersion(message.endVersion)) return "endVersion";
      if (!Array.isArray(message.modifications)) return "modifications";
      const modifications = message.modifications;
      for (let i = 0; i < modifications.length; i++) {
        if (!isModification(modifications[i]!)) return `modification ${i} (${JSON.stringify(modifications[i])?.slice(0, 200)})`;
      }
      return undefined;
    }
    case "MutationResponse":
    case "ActionResponse":
      if (typeof message.requestId !== "number") return "requestId";
      if (typeof message.success !== "boolean") return "success";
      if (!isLogLines(message.logLines)) return "logLines";
      if (!message.success && typeof message.result !== "string") return "result";
      if (message.success && message.type === "MutationResponse" && typeof message.ts !== "string") return "ts";
      return undefined;
    case "AuthError":
    case "FatalError":
      return typeof message.error === "string" ? undefined : "error";
  }
  return undefined;
}

function isVersion(version: StateVersion): boolean {
  return typeof version === "object" && version !== null && typeof version.querySet === "number" && typeof version.identity === "number" && typeof version.ts === "string";
}

function isModification(modification: StateModification): boolean {
  if (typeof modification !== "object" || modification === null || typeof modification.queryId !== "number") return false;
  switch (modification.type) {
    case "QueryRemoved":
      return true;
    case "QueryUpdated":
      return modification.value !== undefined && isResultFields(modification);
    case "QueryFailed":
      return typeof modification.errorMessage === "string" && isResultFields(modification);
  }
  return false; // a type the client does not know
}

/** What both kinds of query result carry. */
function isResultFields(modification: { logLines: string[]; journal: string | null }): boolean {
  return isLogLines(modification.logLines) && (modification.journal == null || typeof modification.journal === "string");
}

function isLogLines(lines: unknown): boolean {
  if (!Array.isArray(lines)) return false;
  for (const line of lines) if (typeof line !== "string") return false;
  return true;
}

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
 * checkServerMessage({ type: "ActionResponse", requestId: 0, success: true, result: 1 }) // throws: no logLines
 */
export function checkServerMessage(message: ServerMessage): void {
  switch (message.type) {
    case "Transition":
      checkVersion(message.startVersion, "Transition startVersion");
      checkVersion(message.endVersion, "Transition endVersion");
      expectField(Array.isArray(message.modifications), "Transition modifications", "an array");
      for (const modification of message.modifications) checkModification(modification);
      return;
    case "MutationResponse":
    case "ActionResponse": {
      const where = message.type;
      expectField(typeof message.requestId === "number", `${where} requestId`, "a number");
      expectField(typeof message.success === "boolean", `${where} success`, "a boolean");
      expectField(isLogLines(message.logLines), `${where} logLines`, "an array of strings");
      if (!message.success) expectField(typeof message.result === "string", `${where} result of a failure`, "a message string");
      else if (message.type === "MutationResponse") expectField(typeof message.ts === "string", `${where} ts`, "an encoded timestamp");
      return;
    }
    case "AuthError":
    case "FatalError":
      expectField(typeof message.error === "string", `${message.type} error`, "a string");
      return;
  }
}

function checkVersion(version: StateVersion, where: string): void {
  expectField(typeof version === "object" && version !== null, where, "an object");
  expectField(typeof version.querySet === "number" && typeof version.identity === "number", `${where} querySet and identity`, "numbers");
  expectField(typeof version.ts === "string", `${where} ts`, "an encoded timestamp");
}

function checkModification(modification: StateModification): void {
  expectField(typeof modification === "object" && modification !== null, "a Transition modification", "an object");
  expectField(typeof modification.queryId === "number", `${modification.type} queryId`, "a number");
  if (modification.type === "QueryRemoved") return;
  expectField(modification.type === "QueryUpdated" || modification.type === "QueryFailed", `the modification type ${JSON.stringify(modification.type)}`, "one of QueryUpdated, QueryFailed and QueryRemoved");
  expectField(isLogLines(modification.logLines), `${modification.type} logLines`, "an array of strings");
  expectField(modification.journal == null || typeof modification.journal === "string", `${modification.type} journal`, "a string or null");
  if (modification.type === "QueryUpdated") expectField(modification.value !== undefined, "QueryUpdated value", "present");
  else expectField(typeof modification.errorMessage === "string", "QueryFailed errorMessage", "a string");
}

function isLogLines(lines: unknown): boolean {
  return Array.isArray(lines) && lines.every((line) => typeof line === "string");
}

function expectField(ok: boolean, field: string, expected: string): asserts ok {
  if (!ok) throw new ProtocolViolation(`The server sent a malformed message: ${field} must be ${expected}.`);
}

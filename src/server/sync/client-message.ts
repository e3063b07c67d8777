// Reading client frames (protocol.md §3). Anything that is not a well-formed message is a
// protocol violation: the session answers it with FatalError and closes.

import type { ClientMessage, QuerySetModification } from "../../protocol/messages.js";
import type { JSONValue } from "../../values/value.js";

/** A frame that breaks the protocol (the client has a bug). */
export class ProtocolViolation extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ProtocolViolation";
  }
}

type Fields = Record<string, unknown>;

/** Parses one text frame into a client message, or throws a ProtocolViolation saying what is wrong. */
export function parseClientMessage(text: string): ClientMessage {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ProtocolViolation(`Malformed message: not JSON (${(error as Error).message})`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new ProtocolViolation("Malformed message: not a JSON object");
  const m = parsed as Fields;
  switch (m.type) {
    case "Connect":
      return {
        type: "Connect",
        sessionId: string(m, "sessionId"),
        connectionCount: uint(m, "connectionCount"),
        lastCloseReason: m.lastCloseReason === null || m.lastCloseReason === undefined ? null : string(m, "lastCloseReason"),
        ...(m.maxObservedTimestamp !== undefined ? { maxObservedTimestamp: string(m, "maxObservedTimestamp") } : {}),
        clientTs: number(m, "clientTs", true),
      };
    case "ModifyQuerySet": {
      if (!Array.isArray(m.modifications)) throw field("ModifyQuerySet", "modifications", "an array");
      return {
        type: "ModifyQuerySet",
        baseVersion: uint(m, "baseVersion"),
        newVersion: uint(m, "newVersion"),
        modifications: m.modifications.map(modification),
      };
    }
    case "Mutation":
    case "Action":
      return {
        type: m.type,
        requestId: uint(m, "requestId"),
        udfPath: string(m, "udfPath"),
        args: argsArray(m, m.type),
        ...(typeof m.componentPath === "string" ? { componentPath: m.componentPath } : {}),
      };
    case "Authenticate":
      return authenticate(m);
    case "Event":
      return { type: "Event", eventType: typeof m.eventType === "string" ? m.eventType : "unknown", event: (m.event ?? null) as JSONValue };
    default:
      throw new ProtocolViolation(`Unknown message type ${JSON.stringify(m.type)}`);
  }
}

function modification(value: unknown): QuerySetModification {
  if (typeof value !== "object" || value === null) throw new ProtocolViolation("ModifyQuerySet: a modification is not an object");
  const m = value as Fields;
  if (m.type === "Remove") return { type: "Remove", queryId: uint(m, "queryId") };
  if (m.type !== "Add") throw new ProtocolViolation(`ModifyQuerySet: unknown modification type ${JSON.stringify(m.type)}`);
  if (m.journal !== undefined && m.journal !== null && typeof m.journal !== "string") throw field("Add", "journal", "a string or null");
  return {
    type: "Add",
    queryId: uint(m, "queryId"),
    udfPath: string(m, "udfPath"),
    args: argsArray(m, "Add"),
    journal: (m.journal as string | null | undefined) ?? null,
    ...(typeof m.componentPath === "string" ? { componentPath: m.componentPath } : {}),
  };
}

function authenticate(m: Fields): ClientMessage {
  const baseVersion = uint(m, "baseVersion");
  if (m.tokenType === "None") return { type: "Authenticate", tokenType: "None", baseVersion };
  if (m.tokenType === "User") return { type: "Authenticate", tokenType: "User", value: string(m, "value"), baseVersion };
  if (m.tokenType === "Admin") {
    return {
      type: "Authenticate",
      tokenType: "Admin",
      value: string(m, "value"),
      baseVersion,
      ...(m.impersonating !== undefined ? { impersonating: m.impersonating as JSONValue } : {}),
    };
  }
  throw new ProtocolViolation(`Authenticate: unknown tokenType ${JSON.stringify(m.tokenType)}`);
}

function argsArray(m: Fields, type: string): [JSONValue] {
  if (!Array.isArray(m.args) || m.args.length !== 1) throw field(type, "args", "an array of one encoded object");
  return [m.args[0] as JSONValue];
}

function string(m: Fields, name: string): string {
  if (typeof m[name] !== "string") throw field(String(m.type), name, "a string");
  return m[name] as string;
}

function number(m: Fields, name: string, optional = false): number {
  const value = m[name];
  if (value === undefined && optional) return Date.now();
  if (typeof value !== "number" || !Number.isFinite(value)) throw field(String(m.type), name, "a number");
  return value;
}

function uint(m: Fields, name: string): number {
  const value = m[name];
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0 || value > 0xffffffff) throw field(String(m.type), name, "a u32");
  return value;
}

function field(type: string, name: string, what: string): ProtocolViolation {
  return new ProtocolViolation(`Malformed ${type} message: "${name}" must be ${what}`);
}

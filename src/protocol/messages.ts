// Every message of the sync protocol (protocol.md §3, §4), as TypeScript types. Values inside
// stay in their encoded JSON form here: encoding and decoding values is the caller's business,
// so this file is shared by client and server and depends on nothing but JSON.

import type { JSONValue } from "../values/value.js";

/** A u64 timestamp as base64 of 8 little-endian bytes (§2.1). */
export type EncodedTs = string;
/** An encoded value (§11). */
export type EncodedValue = JSONValue;

// ---- client -> server -------------------------------------------------------------------------

export interface Connect {
  type: "Connect";
  sessionId: string;
  connectionCount: number;
  lastCloseReason: string | null;
  maxObservedTimestamp?: EncodedTs;
  clientTs: number;
}

export interface AddQuery {
  type: "Add";
  queryId: number;
  udfPath: string;
  args: [EncodedValue];
  journal?: string | null;
  componentPath?: string;
}

export interface RemoveQuery {
  type: "Remove";
  queryId: number;
}

export type QuerySetModification = AddQuery | RemoveQuery;

export interface ModifyQuerySet {
  type: "ModifyQuerySet";
  baseVersion: number;
  newVersion: number;
  modifications: QuerySetModification[];
}

export interface MutationRequest {
  type: "Mutation";
  requestId: number;
  udfPath: string;
  args: [EncodedValue];
  componentPath?: string;
}

export interface ActionRequest {
  type: "Action";
  requestId: number;
  udfPath: string;
  args: [EncodedValue];
  componentPath?: string;
}

export type Authenticate =
  | { type: "Authenticate"; tokenType: "User"; value: string; baseVersion: number }
  | { type: "Authenticate"; tokenType: "Admin"; value: string; baseVersion: number; impersonating?: JSONValue }
  | { type: "Authenticate"; tokenType: "None"; baseVersion: number };

export interface ClientEvent {
  type: "Event";
  eventType: string;
  event: JSONValue;
}

export type ClientMessage = Connect | ModifyQuerySet | MutationRequest | ActionRequest | Authenticate | ClientEvent;

// ---- server -> client -------------------------------------------------------------------------

export interface StateVersion {
  querySet: number;
  identity: number;
  ts: EncodedTs;
}

export interface QueryUpdated {
  type: "QueryUpdated";
  queryId: number;
  value: EncodedValue;
  logLines: string[];
  journal: string | null;
}

export interface QueryFailed {
  type: "QueryFailed";
  queryId: number;
  errorMessage: string;
  logLines: string[];
  errorData?: EncodedValue;
  journal: string | null;
}

export interface QueryRemoved {
  type: "QueryRemoved";
  queryId: number;
}

export type StateModification = QueryUpdated | QueryFailed | QueryRemoved;

export interface Transition {
  type: "Transition";
  startVersion: StateVersion;
  endVersion: StateVersion;
  modifications: StateModification[];
  clientClockSkew?: number;
  serverTs?: number;
}

export interface TransitionChunk {
  type: "TransitionChunk";
  chunk: string;
  partNumber: number;
  totalParts: number;
  transitionId: string;
}

export type MutationResponse =
  | { type: "MutationResponse"; requestId: number; success: true; result: EncodedValue; ts: EncodedTs; logLines: string[] }
  | { type: "MutationResponse"; requestId: number; success: false; result: string; logLines: string[]; errorData?: EncodedValue };

export type ActionResponse =
  | { type: "ActionResponse"; requestId: number; success: true; result: EncodedValue; logLines: string[] }
  | { type: "ActionResponse"; requestId: number; success: false; result: string; logLines: string[]; errorData?: EncodedValue };

export interface AuthError {
  type: "AuthError";
  error: string;
  baseVersion: number;
  authUpdateAttempted: boolean;
}

export interface FatalError {
  type: "FatalError";
  error: string;
}

export interface Ping {
  type: "Ping";
}

export type ServerMessage = Transition | TransitionChunk | MutationResponse | ActionResponse | AuthError | FatalError | Ping;

/** Transitions whose JSON is larger than this are sent as TransitionChunks (§10). */
export const MAX_TRANSITION_CHUNK = 5_000_000;

/** The sync endpoint path for a client version (§1). */
export function syncPath(clientVersion: string): string {
  return `/api/${clientVersion}/sync`;
}

/** The WebSocket URL for a deployment's HTTP base URL (§1). */
export function syncUrl(baseUrl: string, clientVersion: string): string {
  const trimmed = baseUrl.replace(/\/+$/, "");
  if (!/^https?:\/\//.test(trimmed)) throw new Error(`Deployment URL must start with http:// or https://, got ${JSON.stringify(baseUrl)}`);
  return `${trimmed.replace(/^http/, "ws")}${syncPath(clientVersion)}`;
}

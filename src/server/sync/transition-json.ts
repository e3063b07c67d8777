// A Transition frame (protocol.md §4-§5) written as JSON text around modifications that are
// already JSON: one commit fanned out to many sockets encodes each shared result once
// (encoded-result.ts) and each socket only writes its envelope. The commit's timestamp is the
// same in every socket's envelope, so its base64 form is remembered rather than redone per socket.

import { encodeTimestamp } from "../../protocol/timestamp.js";
import type { Timestamp } from "../db/types.js";

/** A state version with its timestamp still a number (encoded here). */
export interface Version {
  readonly querySet: number;
  readonly identity: number;
  readonly ts: Timestamp;
}

/** The last two timestamps encoded: a fan-out's start and end versions are the same for most sockets. */
const recent: [Timestamp, string, Timestamp, string] = [0n, encodeTimestamp(0n), 0n, encodeTimestamp(0n)];

function encodedTs(ts: Timestamp): string {
  if (recent[0] === ts) return recent[1];
  if (recent[2] === ts) return recent[3];
  const text = encodeTimestamp(ts);
  recent[2] = recent[0];
  recent[3] = recent[1];
  recent[0] = ts;
  recent[1] = text;
  return text;
}

function versionJson(version: Version): string {
  return `{"querySet":${version.querySet},"identity":${version.identity},"ts":"${encodedTs(version.ts)}"}`;
}

/**
 * The Transition message from `start` to `end` carrying `modifications` (each one JSON text).
 *
 * @example
 * transitionJson({ querySet: 0, identity: 0, ts: 0n }, { querySet: 1, identity: 0, ts: 5n }, ['{"type":"QueryRemoved","queryId":1}'], 0, 1.7e18);
 * // '{"type":"Transition","startVersion":{...},"endVersion":{...},"modifications":[{"type":"QueryRemoved","queryId":1}],"clientClockSkew":0,"serverTs":1700000000000000000}'
 */
export function transitionJson(start: Version, end: Version, modifications: readonly string[], clientClockSkew: number, serverTs: number): string {
  return (
    `{"type":"Transition","startVersion":${versionJson(start)},"endVersion":${versionJson(end)},` +
    `"modifications":[${modifications.join(",")}],"clientClockSkew":${JSON.stringify(clientClockSkew)},"serverTs":${JSON.stringify(serverTs)}}`
  );
}

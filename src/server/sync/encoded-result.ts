// A query result in the form every socket sends it, JSON-encoded once: a commit that changes a
// query watched by 10,000 sockets encodes its result once, and each socket's transition only
// wraps it in its own envelope (its query id, its versions). Kept as text, not as the value
// tree, so a subscription holds one string rather than the decoded result and a copy to compare.

import type { JSONValue } from "../../values/value.js";

/** A query's result, shared by every socket that shows it; without the query id. */
export interface EncodedResult {
  readonly type: "QueryUpdated" | "QueryFailed";
  /**
   * The modification as a JSON object without `queryId` and `logLines`, e.g.
   * `{"type":"QueryUpdated","value":{"n":1},"journal":null}`. Equal text means the client would
   * see the same result (log lines aside: they do not make a result new). One flat string: a
   * result held by each of 10,000 subscriptions must not be a tree of concatenated pieces.
   */
  readonly json: string;
  /** The execution's log lines, as JSON text (`[]` for most). */
  readonly logLines: string;
  /** The pagination journal the result carries (protocol.md §14). */
  readonly journal: string | null;
}

/** What a query produced, before encoding. */
export type ResultParts =
  | { type: "QueryUpdated"; value: JSONValue; logLines: readonly string[]; journal: string | null }
  | { type: "QueryFailed"; errorMessage: string; errorData?: JSONValue; logLines: readonly string[]; journal: string | null };

const NO_LOG_LINES = "[]";

/**
 * Encodes a result once for every socket.
 *
 * @example
 * const result = encodeResult({ type: "QueryUpdated", value: 1, logLines: [], journal: null });
 * modificationJson(result, 7); // '{"queryId":7,"logLines":[],"type":"QueryUpdated","value":1,"journal":null}'
 */
export function encodeResult(parts: ResultParts): EncodedResult {
  const logLines = parts.logLines.length === 0 ? NO_LOG_LINES : JSON.stringify(parts.logLines);
  if (parts.type === "QueryUpdated") {
    // The text JSON.stringify({ type, value, journal }) gives, without building that object (a
    // result per subscription: 10,000 added at once make 10,000 of these).
    const json = `{"type":"QueryUpdated","value":${JSON.stringify(parts.value)},"journal":${JSON.stringify(parts.journal)}}`;
    return { type: parts.type, json: flat(json), logLines, journal: parts.journal };
  }
  const { logLines: _, ...members } = parts;
  return { type: parts.type, json: flat(JSON.stringify(members)), logLines, journal: parts.journal };
}

/**
 * `text` stored compactly. V8's JSON.stringify may return a string made of pieces with room to
 * spare (measured: 287 B held for a 130-character result); reading a string as a number makes
 * V8 flatten it into one (190 B), and the collector then drops the pieces. The NaN is ignored.
 */
function flat(text: string): string {
  void Number(text);
  return text;
}

/**
 * One socket's `QueryUpdated`/`QueryFailed` modification (protocol.md §4) as JSON text: the
 * shared encoding under this socket's query id.
 *
 * @example
 * modificationJson(encodeResult({ type: "QueryFailed", errorMessage: "no", logLines: [], journal: null }), 3);
 * // '{"queryId":3,"logLines":[],"type":"QueryFailed","errorMessage":"no","journal":null}'
 */
export function modificationJson(result: EncodedResult, queryId: number): string {
  return `{"queryId":${queryId},"logLines":${result.logLines},${result.json.slice(1)}`;
}

/**
 * A `QueryRemoved` modification as JSON text.
 *
 * @example
 * removedJson(3); // '{"type":"QueryRemoved","queryId":3}'
 */
export function removedJson(queryId: number): string {
  return `{"type":"QueryRemoved","queryId":${queryId}}`;
}

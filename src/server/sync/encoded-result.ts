// A query result in the form every socket sends it, JSON-encoded once: a commit that changes a
// query watched by 10,000 sockets encodes its result once, and each socket's transition only
// wraps it in its own envelope (its query id, its versions). Kept as text, not as the value
// tree, so a subscription holds one string rather than the decoded result and a copy to compare.

import type { JSONValue } from "../../values/value.js";

/** A query's result, shared by every socket that shows it; without the query id. */
export interface EncodedResult {
  readonly type: "QueryUpdated" | "QueryFailed";
  /**
   * The modification's JSON members other than `queryId` and `logLines`, e.g.
   * `"type":"QueryUpdated","value":{"n":1},"journal":null`. Equal text means the client would
   * see the same result (log lines aside: they do not make a result new).
   */
  readonly members: string;
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
  const journal = JSON.stringify(parts.journal);
  const members =
    parts.type === "QueryUpdated"
      ? `"type":"QueryUpdated","value":${JSON.stringify(parts.value)},"journal":${journal}`
      : `"type":"QueryFailed","errorMessage":${JSON.stringify(parts.errorMessage)},` +
        `${parts.errorData !== undefined ? `"errorData":${JSON.stringify(parts.errorData)},` : ""}"journal":${journal}`;
  const logLines = parts.logLines.length === 0 ? NO_LOG_LINES : JSON.stringify(parts.logLines);
  return { type: parts.type, members, logLines, journal: parts.journal };
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
  return `{"queryId":${queryId},"logLines":${result.logLines},${result.members}}`;
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

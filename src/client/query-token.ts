// The identity of a subscription (protocol.md §11.1): the function's canonical name and its
// encoded arguments as JSON. Encoding sorts object keys, so `{a, b}` and `{b, a}` are one query.

import { encodeValue } from "../values/encoding.js";
import { isPlainObject, type JSONValue, type Value } from "../values/value.js";

/** `JSON.stringify({udfPath, args})` of a query: equal exactly when name and args are equal. */
export type QueryToken = string;

/**
 * Encodes function arguments; throws before anything is sent when they are not a plain object of
 * values (protocol.md §2.2). `undefined` means no arguments.
 *
 * @example
 * encodeArgs({ b: 1, a: 2n }) // { a: { $integer: "AgAAAAAAAAA=" }, b: 1 }
 */
export function encodeArgs(args: unknown): JSONValue {
  if (args === undefined) return {};
  if (!isPlainObject(args)) {
    const what = args === null ? "null" : Array.isArray(args) ? "an array" : typeof args === "object" ? "an instance of a class" : typeof args;
    throw new TypeError(`Function arguments must be a plain object such as { room: "a" }, got ${what}.`);
  }
  return encodeValue(args as Value, "args");
}

/** The token of `udfPath` called with `encodedArgs`. */
export function queryToken(udfPath: string, encodedArgs: JSONValue): QueryToken {
  const token = JSON.stringify({ udfPath, args: encodedArgs });
  // V8 returns JSON.stringify's output as a rope of 32-character pieces. A token lives as long as
  // its query, so flatten it once (Number() reads the whole string, which flattens it): about 45
  // bytes less for each of the 10,000s of queries a client may hold.
  Number(token);
  return token;
}

/** The encoded arguments inside a token (the token is the only copy the client keeps). */
export function argsOfToken(token: QueryToken): JSONValue {
  return (JSON.parse(token) as { args: JSONValue }).args;
}

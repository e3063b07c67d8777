// Decoding values the server sent. Most results are plain JSON - no int64, bytes or special floats -
// and such JSON already is the decoded value: only values holding `$`-tagged objects need
// decodeValue's copy. Skipping the copy halves the work (and the garbage) of every transition.

import { decodeValue } from "../values/encoding.js";
import type { JSONValue, Value } from "../values/value.js";
import { ProtocolViolation } from "./errors.js";

/**
 * The value encoded as `json`; throws ProtocolViolation when it does not decode.
 *
 * @example
 * decodeFromServer({ a: [1, "x"] }) // the same object
 * decodeFromServer({ n: { $integer: "AQAAAAAAAAA=" } }) // { n: 1n }
 */
export function decodeFromServer(json: JSONValue): Value {
  if (!hasTypeTags(json)) return json;
  try {
    return decodeValue(json, "result");
  } catch (error) {
    throw new ProtocolViolation(`The server sent a value that does not decode: ${(error as Error).message}`);
  }
}

/** True when some object inside has a key starting with `$` (a type tag, or an invalid field). */
function hasTypeTags(json: JSONValue): boolean {
  if (typeof json !== "object" || json === null) return false;
  if (Array.isArray(json)) {
    for (let i = 0; i < json.length; i++) if (hasTypeTags(json[i]!)) return true;
    return false;
  }
  for (const key in json) {
    if (key.charCodeAt(0) === 36 /* $ */ || hasTypeTags(json[key]!)) return true;
  }
  return false;
}

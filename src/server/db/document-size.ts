// How large a document is, for the 1 MiB limit (protocol.md §11.2). Its stored JSON text is
// usually a fine measure, but not always a fair one: JSON escapes grow some strings up to six
// times ("\u0001") and base64 grows bytes by a third, which would make the documented limits of
// strings and bytes unreachable inside a document. The size counts strings by their UTF-8 bytes
// and bytes by their length; everything else as in the JSON text. It is never more than the JSON
// text's length, so only a text over the limit needs measuring.

import { utf8Length } from "../../values/limits.js";
import type { JSONValue } from "../../values/value.js";

/**
 * The size of an encoded document (wire JSON, as `encodeValue` makes it).
 *
 * @example
 * documentSize({ note: "\u0001\u0001" }) // 13: {"note":""} plus two bytes, not the 23 of its JSON text
 */
export function documentSize(json: JSONValue): number {
  if (typeof json === "string") return utf8Length(json) + 2;
  if (typeof json !== "object" || json === null) return String(json).length;
  if (Array.isArray(json)) {
    let size = 2 + Math.max(0, json.length - 1);
    for (const element of json) size += documentSize(element);
    return size;
  }
  const keys = Object.keys(json);
  if (keys.length === 1 && keys[0] === "$bytes" && typeof json.$bytes === "string") return base64Length(json.$bytes);
  let size = 2 + Math.max(0, keys.length - 1);
  for (const key of keys) size += utf8Length(key) + 3 + documentSize(json[key]!);
  return size;
}

/** The number of bytes a base64 text holds. */
function base64Length(text: string): number {
  const padding = text.endsWith("==") ? 2 : text.endsWith("=") ? 1 : 0;
  return (text.length / 4) * 3 - padding;
}

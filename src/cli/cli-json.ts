// Arguments typed on a command line: JSON, plus `5n` for an int64 (JSON numbers are float64, and
// nobody should have to type the wire form `{"$integer":"BQAAAAAAAAA="}` by hand).

import { decodeValue, encodeValue } from "../values/encoding.js";
import type { JSONValue, Value } from "../values/value.js";

const BIGINT_LITERAL = /-?\d+n/y;

/**
 * Parses command-line JSON where `<digits>n` outside strings is an int64; the wire encoding
 * (`{"$integer": ...}` and friends) is accepted too.
 *
 * @example
 * parseCliArgs('{"min": 5n, "name": "a 5n stays text"}') // { min: 5n, name: "a 5n stays text" }
 */
export function parseCliArgs(text: string): Value {
  let json = "";
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (inString) {
      json += char;
      if (char === "\\") json += text[++i] ?? "";
      else if (char === '"') inString = false;
      continue;
    }
    if (char === '"') inString = true;
    BIGINT_LITERAL.lastIndex = i;
    const literal = (char === "-" || (char >= "0" && char <= "9")) && !/[\w.]/.test(text[i - 1] ?? "") ? BIGINT_LITERAL.exec(text) : null;
    if (literal !== null) {
      json += JSON.stringify(encodeValue(BigInt(literal[0].slice(0, -1))));
      i += literal[0].length - 1;
      continue;
    }
    json += char;
  }
  return decodeValue(JSON.parse(json) as JSONValue, "args");
}

// Reading a vector index's entries without decoding their documents. Loading an index's vectors
// is dominated by parsing: a 1,536-dimension embedding is ~30 KB of decimal text, and decoding
// the whole document builds a JavaScript array of boxed numbers (and every other field) only to
// copy it into a Float32Array. Here the filter values come from the entry's key (they are its
// leading elements) and the vector is read straight from the stored JSON text into a
// Float32Array, skipping every other field unparsed. Anything unusual - a `$float` element (-0),
// an escaped field name, a value that is not an array of plain numbers - answers `null`, and the
// caller decodes the document the ordinary way, so this path never changes what is accepted.

import { splitKey } from "./keys.js";

/**
 * The filter values (as `filterKey` strings) and the document id of a vector index entry
 * (`key = [...filter values, _id]`).
 *
 * @example
 * vectorEntryKeyParts(encodeKey(["thai", "docs_1"]), 1) // { filters: [filterKey("thai")], id: "docs_1" }
 */
export function vectorEntryKeyParts(key: Uint8Array, filterCount: number): { filters: string[]; id: string } {
  const parts = splitKey(key);
  if (parts.length !== filterCount + 1) throw new Error(`vector index entry: expected ${filterCount + 1} key elements, got ${parts.length}`);
  const filters = parts.slice(0, filterCount).map((part) => Buffer.from(part.buffer, part.byteOffset, part.byteLength).toString("latin1"));
  const id = parts[filterCount]!;
  // A string element: tag 07, the id's bytes (ASCII letters and digits: nothing escaped), 00.
  return { filters, id: Buffer.from(id.buffer, id.byteOffset + 1, id.byteLength - 2).toString("latin1") };
}

/**
 * The vector at field `path` (split on dots) of the document stored as `json`: undefined when the
 * field is absent, a Float32Array of exactly `dimensions` numbers, or null when the text holds
 * anything this reader does not handle (the caller then decodes the whole document).
 *
 * @example
 * readVector('{"_id":"d_1","e":[0.5,-2]}', ["e"], 2) // Float32Array [0.5, -2]
 * readVector('{"_id":"d_1"}', ["e"], 2) // undefined
 */
export function readVector(json: string, path: readonly string[], dimensions: number): Float32Array | null | undefined {
  let at = 0;
  for (let step = 0; step < path.length; step++) {
    at = skipSpace(json, at);
    // The document itself is always an object; a non-object on the way has no such field.
    if (json.charCodeAt(at) !== OPEN_BRACE) return step === 0 ? null : undefined;
    const found = findMember(json, at, path[step]!);
    if (found === null || found === undefined) return found;
    at = found;
  }
  return readNumberArray(json, skipSpace(json, at), dimensions);
}

const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const MINUS = 0x2d;
const PLUS = 0x2b;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;

function skipSpace(text: string, at: number): number {
  for (;;) {
    const c = text.charCodeAt(at);
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return at;
    at++;
  }
}

/** The index just past the string starting at `at` (its opening quote). */
function skipString(text: string, at: number): number {
  let from = at + 1;
  for (;;) {
    const quote = text.indexOf('"', from);
    if (quote < 0) throw new Error("vector index: unterminated string in stored document");
    let backslashes = 0;
    while (text.charCodeAt(quote - 1 - backslashes) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return quote + 1;
    from = quote + 1;
  }
}

/** The index just past the JSON value starting at `at`. */
function skipValue(text: string, at: number): number {
  const c = text.charCodeAt(at);
  if (c === QUOTE) return skipString(text, at);
  if (c !== OPEN_BRACE && c !== OPEN_BRACKET) {
    // A number, true, false or null: up to the next delimiter.
    while (at < text.length) {
      const d = text.charCodeAt(at);
      if (d === COMMA || d === CLOSE_BRACE || d === CLOSE_BRACKET || d === 0x20 || d === 0x0a || d === 0x0d || d === 0x09) break;
      at++;
    }
    return at;
  }
  let depth = 0;
  while (at < text.length) {
    const d = text.charCodeAt(at);
    if (d === QUOTE) {
      at = skipString(text, at);
      continue;
    }
    if (d === OPEN_BRACE || d === OPEN_BRACKET) depth++;
    else if ((d === CLOSE_BRACE || d === CLOSE_BRACKET) && --depth === 0) return at + 1;
    at++;
  }
  throw new Error("vector index: unterminated value in stored document");
}

/**
 * Where the value of member `name` of the object starting at `at` begins; undefined when the
 * object has no such member, null when a member name is escaped (compared only once decoded).
 */
function findMember(text: string, at: number, name: string): number | null | undefined {
  at = skipSpace(text, at + 1);
  if (text.charCodeAt(at) === CLOSE_BRACE) return undefined;
  for (;;) {
    if (text.charCodeAt(at) !== QUOTE) return null;
    const end = skipString(text, at);
    const raw = text.slice(at + 1, end - 1);
    if (raw.includes("\\")) return null;
    at = skipSpace(text, end);
    if (text.charCodeAt(at) !== COLON) return null;
    at = skipSpace(text, at + 1);
    if (raw === name) return at;
    at = skipSpace(text, skipValue(text, at));
    const next = text.charCodeAt(at);
    if (next === CLOSE_BRACE) return undefined;
    if (next !== COMMA) return null;
    at = skipSpace(text, at + 1);
  }
}

// 10^0 .. 10^22 are exact doubles: dividing or multiplying by one rounds once.
const POWERS_OF_TEN = Array.from({ length: 23 }, (_, i) => 10 ** i);

/**
 * The JSON array of plain numbers starting at `at` as float32s, or null (another value, another
 * length, or an element that is not a plain number). Digits accumulate in a double (exact to 15
 * digits, within an ulp beyond) scaled by one exact power of ten: a relative error near 1e-16,
 * far inside the float32 precision the cache keeps.
 */
function readNumberArray(text: string, at: number, dimensions: number): Float32Array | null {
  if (text.charCodeAt(at) !== OPEN_BRACKET) return null;
  const out = new Float32Array(dimensions);
  let count = 0;
  at = skipSpace(text, at + 1);
  if (text.charCodeAt(at) === CLOSE_BRACKET) return dimensions === 0 ? out : null;
  for (;;) {
    let c = text.charCodeAt(at);
    let negative = false;
    if (c === MINUS) {
      negative = true;
      c = text.charCodeAt(++at);
    }
    if (c < ZERO || c > NINE) return null;
    let mantissa = 0;
    let scale = 0; // the decimal exponent the mantissa is to be multiplied by
    while (c >= ZERO && c <= NINE) {
      mantissa = mantissa * 10 + (c - ZERO);
      c = text.charCodeAt(++at);
    }
    if (c === DOT) {
      c = text.charCodeAt(++at);
      if (c < ZERO || c > NINE) return null;
      while (c >= ZERO && c <= NINE) {
        mantissa = mantissa * 10 + (c - ZERO);
        scale--;
        c = text.charCodeAt(++at);
      }
    }
    if (c === 0x65 || c === 0x45) {
      c = text.charCodeAt(++at);
      let exponentNegative = false;
      if (c === MINUS || c === PLUS) {
        exponentNegative = c === MINUS;
        c = text.charCodeAt(++at);
      }
      if (c < ZERO || c > NINE) return null;
      let exponent = 0;
      while (c >= ZERO && c <= NINE) {
        exponent = exponent * 10 + (c - ZERO);
        c = text.charCodeAt(++at);
      }
      scale += exponentNegative ? -exponent : exponent;
    }
    if (count === dimensions) return null;
    const magnitude = scale === 0 ? mantissa : scale < 0 ? (-scale <= 22 ? mantissa / POWERS_OF_TEN[-scale]! : mantissa / 10 ** -scale) : scale <= 22 ? mantissa * POWERS_OF_TEN[scale]! : mantissa * 10 ** scale;
    if (!Number.isFinite(magnitude)) return null;
    out[count++] = negative ? -magnitude : magnitude;
    at = skipSpace(text, at);
    c = text.charCodeAt(at);
    if (c === CLOSE_BRACKET) return count === dimensions ? out : null;
    if (c !== COMMA) return null;
    at = skipSpace(text, at + 1);
  }
}

// Order-preserving index keys: a tuple of values becomes bytes whose byte-wise (memcmp) order is
// the value order of `compareValues`, element by element. SQLite compares BLOBs with memcmp, so
// an index range scan over these bytes is a range scan in value order.
//
// Layout (FoundationDB tuple style): every element starts with a type tag, in rank order.
//   undefined 01 | null 02 | int64 03 + 8 bytes | float64 04 + 8 bytes | false 05 | true 06 |
//   string 07 + escaped UTF-8 + 00 | bytes 08 + escaped bytes + 00 |
//   array 09 + elements + 00 | object 0A + (string key, value)* + 00
// Escaping turns a 00 byte inside a string or bytes into 00 FF, so the lone 00 terminator sorts
// below any continuation. Nothing that follows a complete element is ever FF, which is why
// `prefixEnd` (append FF) is an exclusive upper bound for "every key starting with this prefix".

import { compareStrings } from "../../values/compare.js";
import type { Value } from "../../values/value.js";

const END = 0x00;
const ESCAPE = 0xff;
const enum Tag {
  Undefined = 0x01,
  Null = 0x02,
  Int64 = 0x03,
  Float64 = 0x04,
  False = 0x05,
  True = 0x06,
  String = 0x07,
  Bytes = 0x08,
  Array = 0x09,
  Object = 0x0a,
}

/** Appends bytes to a buffer that grows as needed; one per encode call. */
class KeyWriter {
  bytes = new Uint8Array(64);
  length = 0;

  private reserve(extra: number): void {
    if (this.length + extra <= this.bytes.length) return;
    let size = this.bytes.length * 2;
    while (size < this.length + extra) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.bytes.subarray(0, this.length));
    this.bytes = next;
  }

  byte(b: number): void {
    this.reserve(1);
    this.bytes[this.length++] = b;
  }

  eight(source: Uint8Array): void {
    this.reserve(8);
    this.bytes.set(source, this.length);
    this.length += 8;
  }

  /** Bytes with 00 escaped as 00 FF. */
  escaped(source: Uint8Array): void {
    this.reserve(source.length * 2);
    for (let i = 0; i < source.length; i++) {
      const b = source[i]!;
      this.bytes[this.length++] = b;
      if (b === 0) this.bytes[this.length++] = ESCAPE;
    }
  }

  /**
   * A string as escaped UTF-8. Lone surrogates have no UTF-8 form, and `compareStrings` orders
   * them (as UTF-16 units) above every other BMP character, so they get byte sequences that
   * never occur in UTF-8 and sort where `compareStrings` puts them:
   * - a lone high surrogate h sorts after every pair starting with h-1 and before the pairs
   *   starting with h: UTF-8 of the last code point of h-1's block, then FF (never a lead byte);
   * - a lone low surrogate sorts after every pair: F5 (above every lead byte) + 2 bytes of its value.
   */
  string(text: string): void {
    this.reserve(text.length * 5); // worst case: a lone high surrogate takes 5 bytes
    const out = this.bytes;
    let n = this.length;
    for (let i = 0; i < text.length; i++) {
      let c = text.charCodeAt(i);
      if (c < 0x80) {
        out[n++] = c;
        if (c === 0) out[n++] = ESCAPE;
      } else if (c < 0x800) {
        out[n++] = 0xc0 | (c >> 6);
        out[n++] = 0x80 | (c & 0x3f);
      } else if (c < 0xd800 || c > 0xdfff) {
        out[n++] = 0xe0 | (c >> 12);
        out[n++] = 0x80 | ((c >> 6) & 0x3f);
        out[n++] = 0x80 | (c & 0x3f);
      } else if (c <= 0xdbff) {
        const next = i + 1 < text.length ? text.charCodeAt(i + 1) : 0;
        const paired = next >= 0xdc00 && next <= 0xdfff;
        let point = 0x10000 + ((c - 0xd800) << 10);
        if (paired) {
          point += next - 0xdc00;
          i++;
        } else point -= 1;
        if (point < 0x10000) {
          // Lone U+D800: the code point before its block is U+FFFF (3 bytes).
          out[n++] = 0xef;
          out[n++] = 0xbf;
          out[n++] = 0xbf;
        } else {
          out[n++] = 0xf0 | (point >> 18);
          out[n++] = 0x80 | ((point >> 12) & 0x3f);
          out[n++] = 0x80 | ((point >> 6) & 0x3f);
          out[n++] = 0x80 | (point & 0x3f);
        }
        if (!paired) out[n++] = ESCAPE;
      } else {
        c -= 0xdc00;
        out[n++] = 0xf5;
        out[n++] = 0x80 | (c >> 6);
        out[n++] = 0x80 | (c & 0x3f);
      }
    }
    this.length = n;
  }

  result(): Uint8Array {
    return this.bytes.slice(0, this.length);
  }
}

const scratch = new DataView(new ArrayBuffer(8));
const scratchBytes = new Uint8Array(scratch.buffer);

function writeValue(w: KeyWriter, value: Value | undefined, depth: number): void {
  switch (typeof value) {
    case "undefined":
      return w.byte(Tag.Undefined);
    case "bigint":
      if (BigInt.asIntN(64, value) !== value) throw new Error(`index key: ${value} does not fit in an int64`);
      w.byte(Tag.Int64);
      scratch.setBigInt64(0, value);
      scratchBytes[0]! ^= 0x80; // flip the sign bit: negatives first, in two's complement order
      return w.eight(scratchBytes);
    case "number":
      w.byte(Tag.Float64);
      scratch.setFloat64(0, Number.isNaN(value) ? NaN : value); // one canonical NaN
      if (scratchBytes[0]! & 0x80) for (let i = 0; i < 8; i++) scratchBytes[i] = ~scratchBytes[i]! & 0xff;
      else scratchBytes[0]! ^= 0x80;
      return w.eight(scratchBytes);
    case "boolean":
      return w.byte(value ? Tag.True : Tag.False);
    case "string":
      w.byte(Tag.String);
      w.string(value);
      return w.byte(END);
    case "object": {
      if (value === null) return w.byte(Tag.Null);
      if (value instanceof ArrayBuffer) {
        w.byte(Tag.Bytes);
        w.escaped(new Uint8Array(value));
        return w.byte(END);
      }
      if (depth > 256) throw new Error("index key: value is nested too deeply");
      if (Array.isArray(value)) {
        w.byte(Tag.Array);
        for (const element of value) writeValue(w, element, depth + 1);
        return w.byte(END);
      }
      if (Object.getPrototypeOf(value) !== Object.prototype && Object.getPrototypeOf(value) !== null) break;
      w.byte(Tag.Object);
      const object = value as Record<string, Value | undefined>;
      const keys = Object.keys(object).filter((key) => object[key] !== undefined);
      keys.sort(compareStrings);
      for (const key of keys) {
        w.byte(Tag.String);
        w.string(key);
        w.byte(END);
        writeValue(w, object[key], depth + 1);
      }
      return w.byte(END);
    }
  }
  throw new Error(`index key: ${describe(value)} is not a value`);
}

function describe(value: unknown): string {
  if (typeof value === "object" && value !== null) return (value as object).constructor?.name ?? "object";
  return typeof value;
}

/**
 * Encodes a tuple of values (an index key) into bytes ordered like the values.
 *
 * @example
 * compareKeys(encodeKey(["a", 1]), encodeKey(["a", 2])) < 0 // true
 * encodeKey([]).length // 0
 */
export function encodeKey(values: readonly (Value | undefined)[]): Uint8Array {
  // One shared buffer: encoding is synchronous and never re-entrant, and `result()` copies.
  const w = shared;
  w.length = 0;
  for (const value of values) writeValue(w, value, 0);
  const key = w.result();
  if (w.bytes.length > 1 << 16) w.bytes = new Uint8Array(64); // do not keep a huge buffer around
  return key;
}

const shared = new KeyWriter();

/**
 * Encodes one value as a one-element key.
 *
 * @example
 * encodeValueKey(null) // Uint8Array [0x02]
 */
export function encodeValueKey(value: Value | undefined): Uint8Array {
  return encodeKey([value]);
}

/**
 * Byte-wise comparison: negative, 0 or positive, like `compareValues` for the values encoded.
 *
 * @example
 * compareKeys(encodeValueKey(-0), encodeValueKey(0)) // < 0
 */
export function compareKeys(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = a[i]! - b[i]!;
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

/** Concatenates key parts (a tuple key is its elements' encodings back to back). */
export function concatKeys(...parts: Uint8Array[]): Uint8Array {
  let size = 0;
  for (const part of parts) size += part.length;
  const out = new Uint8Array(size);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/**
 * The smallest key greater than `key` (`key` + 00): `[low, keySuccessor(k))` includes `k` itself.
 *
 * @example
 * keySuccessor(new Uint8Array([7])) // [7, 0]
 */
export function keySuccessor(key: Uint8Array): Uint8Array {
  const out = new Uint8Array(key.length + 1);
  out.set(key);
  return out;
}

/**
 * An exclusive upper bound above every key that starts with the complete elements in `prefix`
 * (`prefix` + FF; no element encoding continues with FF).
 *
 * @example
 * const p = encodeKey(["room1"]);
 * // every encodeKey(["room1", x, ...]) k satisfies p <= k < prefixEnd(p)
 */
export function prefixEnd(prefix: Uint8Array): Uint8Array {
  const out = new Uint8Array(prefix.length + 1);
  out.set(prefix);
  out[prefix.length] = ESCAPE;
  return out;
}

/**
 * The encodings of a tuple key's elements, in order (views into `key`, no copies): the inverse
 * of `concatKeys` over one-element keys, so `splitKey(encodeKey([a, b]))[1]` equals
 * `encodeKey([b])` byte for byte.
 *
 * @example
 * splitKey(encodeKey(["room", 1])).length // 2
 */
export function splitKey(key: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let at = 0;
  while (at < key.length) {
    const end = elementEnd(key, at);
    out.push(key.subarray(at, end));
    at = end;
  }
  return out;
}

/**
 * Where the first `count` elements of `key` end: what follows them (if anything) is not part of
 * the tuple. A vector index entry keeps its vector there (vector-entries.ts).
 *
 * @example
 * elementsEnd(concatKeys(encodeKey(["a", "b"]), new Uint8Array([1, 2])), 2) // encodeKey(["a", "b"]).length
 */
export function elementsEnd(key: Uint8Array, count: number): number {
  let at = 0;
  for (let i = 0; i < count; i++) {
    if (at >= key.length) throw new Error(`index key: expected ${count} elements, got ${i}`);
    at = elementEnd(key, at);
  }
  return at;
}

/** Where the element starting at `at` ends (exclusive). */
function elementEnd(key: Uint8Array, at: number): number {
  const tag = key[at]!;
  switch (tag) {
    case Tag.Undefined:
    case Tag.Null:
    case Tag.False:
    case Tag.True:
      return at + 1;
    case Tag.Int64:
    case Tag.Float64:
      return at + 9;
    case Tag.String:
    case Tag.Bytes: {
      let i = at + 1;
      // A 00 ends the element unless an FF follows it (an escaped 00 byte).
      while (!(key[i] === END && key[i + 1] !== ESCAPE)) {
        if (i >= key.length) throw new Error(`index key: unterminated element at byte ${at}`);
        i += key[i] === END ? 2 : 1;
      }
      return i + 1;
    }
    case Tag.Array:
    case Tag.Object: {
      let i = at + 1;
      while (key[i] !== END) {
        if (i >= key.length) throw new Error(`index key: unterminated element at byte ${at}`);
        i = elementEnd(key, i);
      }
      return i + 1;
    }
  }
  throw new Error(`index key: unknown tag ${tag} at byte ${at}`);
}

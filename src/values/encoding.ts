// The wire encoding of values (protocol.md §11.1): JSON with `$integer`, `$float` and `$bytes`
// for what JSON cannot hold, and object keys sorted so equal values encode to equal text.

import { fromBase64, toBase64 } from "./base64.js";
import { fieldNameProblem, LIMITS, stringTooLong } from "./limits.js";
import { rootPathError, ValuePathError } from "./path.js";
import { describeType, isPlainObject, type JSONValue, type Value } from "./value.js";

const scratch = new DataView(new ArrayBuffer(8));
const scratchBytes = new Uint8Array(scratch.buffer);
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/**
 * Encodes a value for the wire. Throws a `ValueError` naming the path to the bad part.
 *
 * @example
 * encodeValue({ n: 1n, b: new Uint8Array([1]).buffer }) // { b: { $bytes: "AQ==" }, n: { $integer: "AQAAAAAAAAA=" } }
 * encodeValue({ when: new Date() }, "args") // throws "args.when: Date is not a supported value"
 */
export function encodeValue(value: Value, root = "value"): JSONValue {
  try {
    return encode(value, 0);
  } catch (error) {
    throw rootPathError(error, root);
  }
}

function encode(value: unknown, depth: number): JSONValue {
  switch (typeof value) {
    case "string":
      if (stringTooLong(value)) throw limitError("string", LIMITS.maxStringBytes);
      return value;
    case "boolean":
      return value;
    case "number":
      if (Number.isFinite(value) && !Object.is(value, -0)) return value;
      scratch.setFloat64(0, value, true);
      return { $float: toBase64(scratchBytes) };
    case "bigint":
      if (value < INT64_MIN || value > INT64_MAX) throw new ValuePathError(`${value} does not fit in an int64`);
      scratch.setBigInt64(0, value, true);
      return { $integer: toBase64(scratchBytes) };
    case "object":
      if (value === null) return null;
      // Bytes are a leaf like a string: they do not count as a level of nesting.
      if (value instanceof ArrayBuffer) {
        if (value.byteLength >= LIMITS.maxStringBytes) throw limitError("bytes", LIMITS.maxStringBytes);
        return { $bytes: toBase64(new Uint8Array(value)) };
      }
      if (depth >= LIMITS.maxNesting) throw nestingError();
      if (Array.isArray(value)) return encodeArray(value, depth);
      if (isPlainObject(value)) return encodeObject(value, depth);
      throw unsupported(value);
    default:
      throw unsupported(value);
  }
}

function encodeArray(array: readonly unknown[], depth: number): JSONValue[] {
  if (array.length > LIMITS.maxArrayLength) throw countError("array", array.length, LIMITS.maxArrayLength);
  const out: JSONValue[] = new Array(array.length);
  for (let i = 0; i < array.length; i++) {
    try {
      // An `undefined` element has no encoding: it would silently become null.
      out[i] = encode(array[i], depth + 1);
    } catch (error) {
      if (error instanceof ValuePathError) error.within(i);
      throw error;
    }
  }
  return out;
}

/** Up to this many keys are sorted in place by insertion; `Array.prototype.sort` copies the array first. */
const INSERTION_SORT_MAX = 16;

/**
 * Sorts field names in the order `keys.sort()` gives (UTF-16 code units) - in place, without the
 * work copy the builtin sort allocates, for the few fields of a typical document.
 *
 * @example
 * const keys = ["b", "_id", "a"]; sortKeys(keys); // keys: ["_id", "a", "b"]
 */
function sortKeys(keys: string[]): void {
  if (keys.length > INSERTION_SORT_MAX) {
    keys.sort();
    return;
  }
  for (let i = 1; i < keys.length; i++) {
    const key = keys[i]!;
    let j = i - 1;
    while (j >= 0 && keys[j]! > key) {
      keys[j + 1] = keys[j]!;
      j--;
    }
    keys[j + 1] = key;
  }
}

function encodeObject(object: Record<string, unknown>, depth: number): { [key: string]: JSONValue } {
  let keys = Object.keys(object);
  if (keys.length > LIMITS.maxObjectFields) {
    // Fields set to undefined are no fields: count only the others (rarely needed, so only here).
    keys = keys.filter((key) => object[key] !== undefined);
    if (keys.length > LIMITS.maxObjectFields) throw countError("object", keys.length, LIMITS.maxObjectFields);
  }
  sortKeys(keys);
  const out: { [key: string]: JSONValue } = {};
  for (const key of keys) {
    const field = object[key];
    if (field === undefined) continue;
    try {
      const problem = fieldNameProblem(key);
      if (problem !== undefined) throw new ValuePathError(problem);
      setField(out, key, encode(field, depth + 1));
    } catch (error) {
      if (error instanceof ValuePathError) error.within(key);
      throw error;
    }
  }
  return out;
}

/**
 * Decodes wire JSON into a value. Throws a `ValueError` for `$` keys it does not know,
 * malformed base64 and broken limits.
 *
 * @example
 * decodeValue({ $integer: "AQAAAAAAAAA=" }) // 1n
 */
export function decodeValue(json: JSONValue, root = "value"): Value {
  try {
    return decode(json, 0);
  } catch (error) {
    throw rootPathError(error, root);
  }
}

function decode(json: unknown, depth: number): Value {
  switch (typeof json) {
    case "string":
      if (stringTooLong(json)) throw limitError("string", LIMITS.maxStringBytes);
      return json;
    case "number":
    case "boolean":
      return json;
    case "object": {
      if (json === null) return null;
      if (Array.isArray(json)) {
        if (depth >= LIMITS.maxNesting) throw nestingError();
        if (json.length > LIMITS.maxArrayLength) throw countError("array", json.length, LIMITS.maxArrayLength);
        const out: Value[] = new Array(json.length);
        for (let i = 0; i < json.length; i++) {
          try {
            out[i] = decode(json[i], depth + 1);
          } catch (error) {
            if (error instanceof ValuePathError) error.within(i);
            throw error;
          }
        }
        return out;
      }
      return decodeObject(json as Record<string, unknown>, depth);
    }
    default:
      throw new ValuePathError(`${describeType(json)} is not valid wire JSON`);
  }
}

function decodeObject(json: Record<string, unknown>, depth: number): Value {
  const out: { [key: string]: Value } = {};
  let count = 0;
  let onlyKey: string | undefined;
  for (const key in json) {
    count++;
    if (count === 1) {
      onlyKey = key;
      // `$integer`, `$float` and `$bytes` are leaves, not a level of nesting.
      if (depth >= LIMITS.maxNesting && !isTypeTag(key)) throw nestingError();
    }
    if (key.charCodeAt(0) === 36 /* $ */) {
      if (count === 1 && isTypeTag(key)) continue; // decided below, once we know it is alone
      throw new ValuePathError(`unknown type tag ${JSON.stringify(key)} (field names must not start with "$")`);
    }
    try {
      const problem = fieldNameProblem(key);
      if (problem !== undefined) throw new ValuePathError(problem);
      setField(out, key, decode(json[key], depth + 1));
    } catch (error) {
      if (error instanceof ValuePathError) error.within(key);
      throw error;
    }
  }
  if (onlyKey !== undefined && onlyKey.charCodeAt(0) === 36) {
    if (count !== 1) throw new ValuePathError(`${JSON.stringify(onlyKey)} must be the only key of its object`);
    return decodeTagged(onlyKey, json[onlyKey]);
  }
  if (count === 0 && depth >= LIMITS.maxNesting) throw nestingError();
  if (count > LIMITS.maxObjectFields) throw countError("object", count, LIMITS.maxObjectFields);
  return out;
}

/** `out[key] = value`, except that a field named `__proto__` stays a field instead of replacing the prototype. */
function setField<T>(out: { [key: string]: T }, key: string, value: T): void {
  if (key === "__proto__") Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  else out[key] = value;
}

function isTypeTag(key: string): boolean {
  return key === "$integer" || key === "$float" || key === "$bytes";
}

function decodeTagged(tag: string, payload: unknown): Value {
  if (typeof payload !== "string") throw new ValuePathError(`${tag} must hold a base64 string`);
  let bytes: Uint8Array;
  try {
    bytes = fromBase64(payload);
  } catch (error) {
    throw new ValuePathError(`${tag}: ${(error as Error).message}`);
  }
  if (tag === "$bytes") {
    if (bytes.byteLength >= LIMITS.maxStringBytes) throw limitError("bytes", LIMITS.maxStringBytes);
    return bytes.buffer as ArrayBuffer;
  }
  if (bytes.length !== 8) throw new ValuePathError(`${tag} must hold exactly 8 bytes, got ${bytes.length}`);
  scratchBytes.set(bytes);
  if (tag === "$integer") return scratch.getBigInt64(0, true);
  // Encoders only use `$float` for NaN, ±Infinity and -0, but any float decodes.
  return scratch.getFloat64(0, true);
}

function unsupported(value: unknown): ValuePathError {
  const type = describeType(value);
  if (value instanceof Uint8Array || ArrayBuffer.isView(value)) {
    return new ValuePathError(`${type} is not a supported value (pass an ArrayBuffer for bytes)`);
  }
  return new ValuePathError(`${type} is not a supported value`);
}

function limitError(kind: "string" | "bytes", limit: number): ValuePathError {
  return new ValuePathError(`${kind} is too large: ${kind === "string" ? "strings" : "bytes"} must be smaller than ${limit} bytes (1 MiB)`);
}

function countError(kind: "array" | "object", count: number, limit: number): ValuePathError {
  const what = kind === "array" ? "elements" : "fields";
  return new ValuePathError(`${kind} has ${count} ${what}, over the limit of ${limit} ${what}`);
}

function nestingError(): ValuePathError {
  return new ValuePathError(`value is nested deeper than the limit of ${LIMITS.maxNesting} levels`);
}

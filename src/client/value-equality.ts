// Deep equality of values, so that a result that did not change keeps its object identity (and
// React skips the render) even when the server re-sent it, the socket reconnected, or an
// optimistic update produced an equal copy.

import { decodeValue } from "../values/encoding.js";
import { isPlainObject, type JSONValue, type Value } from "../values/value.js";

/**
 * True when two values are equal: same type, same content. NaN equals NaN; 0 and -0 differ (they
 * are different float64 values); object fields holding `undefined` count as absent.
 *
 * @example
 * equalValues({ a: [1n] }, { a: [1n] }) // true
 */
export function equalValues(a: Value | undefined, b: Value | undefined): boolean {
  if (a === b) return a !== 0 || Object.is(a, b);
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) {
    return typeof a === "number" && typeof b === "number" && Number.isNaN(a) && Number.isNaN(b);
  }
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!equalValues(a[i], b[i])) return false;
    return true;
  }
  if (a instanceof ArrayBuffer) return b instanceof ArrayBuffer && equalBytes(a, b);
  if (Array.isArray(b) || b instanceof ArrayBuffer) return false;
  let countA = 0;
  for (const key in a) {
    const field = a[key];
    if (field === undefined) continue;
    countA++;
    if (!equalValues(field, b[key])) return false;
  }
  let countB = 0;
  for (const key in b) if (b[key] !== undefined) countB++;
  return countA === countB;
}

/**
 * True when `decodeValue(encoded)` would equal `decoded`, without decoding (no allocation for
 * the common case: the server re-sent what the client already holds).
 *
 * @example
 * sameEncodedValue({ n: { $integer: "AQAAAAAAAAA=" } }, { n: 1n }) // true
 */
export function sameEncodedValue(encoded: JSONValue, decoded: Value): boolean {
  switch (typeof encoded) {
    case "string":
    case "boolean":
      return encoded === decoded;
    case "number":
      return Object.is(encoded, decoded);
    default:
      break;
  }
  if (encoded === null) return decoded === null;
  if (Array.isArray(encoded)) {
    if (!Array.isArray(decoded) || decoded.length !== encoded.length) return false;
    for (let i = 0; i < encoded.length; i++) if (!sameEncodedValue(encoded[i]!, decoded[i]!)) return false;
    return true;
  }
  let count = 0;
  for (const key in encoded) {
    if (count === 0 && key.charCodeAt(0) === 36 /* $ */) return equalValues(decodeValue(encoded), decoded);
    count++;
  }
  if (!isPlainObject(decoded)) return false;
  let decodedCount = 0;
  for (const key in decoded) {
    const field = decoded[key];
    if (field === undefined) continue;
    decodedCount++;
    const encodedField = encoded[key];
    if (encodedField === undefined || !sameEncodedValue(encodedField, field)) return false;
  }
  return decodedCount === count;
}

function equalBytes(a: ArrayBuffer, b: ArrayBuffer): boolean {
  if (a.byteLength !== b.byteLength) return false;
  const x = new Uint8Array(a);
  const y = new Uint8Array(b);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

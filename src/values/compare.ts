// The total order of values used by indexes and `order()` (design.md):
// undefined < null < int64 < float64 < boolean < string < bytes < array < object.

import type { Value } from "./value.js";

const enum Rank {
  Undefined,
  Null,
  Int64,
  Float64,
  Boolean,
  String,
  Bytes,
  Array,
  Object,
}

function rank(value: Value | undefined): Rank {
  switch (typeof value) {
    case "undefined":
      return Rank.Undefined;
    case "bigint":
      return Rank.Int64;
    case "number":
      return Rank.Float64;
    case "boolean":
      return Rank.Boolean;
    case "string":
      return Rank.String;
    default:
      if (value === null) return Rank.Null;
      if (Array.isArray(value)) return Rank.Array;
      if (value instanceof ArrayBuffer) return Rank.Bytes;
      return Rank.Object;
  }
}

/**
 * Compares two values in Syncline's total order; returns a negative number, 0 or a positive
 * number. Floats order -Infinity < ... < -0 < 0 < ... < Infinity < NaN; strings by their UTF-8
 * bytes; bytes, arrays and objects element by element (objects by sorted field, then value).
 *
 * @example
 * [3, "a", null, 1n].sort(compareValues) // [null, 1n, 3, "a"]
 */
export function compareValues(a: Value | undefined, b: Value | undefined): number {
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra - rb;
  switch (ra) {
    case Rank.Undefined:
    case Rank.Null:
      return 0;
    case Rank.Int64:
      return (a as bigint) < (b as bigint) ? -1 : (a as bigint) > (b as bigint) ? 1 : 0;
    case Rank.Float64:
      return compareFloats(a as number, b as number);
    case Rank.Boolean:
      return Number(a) - Number(b);
    case Rank.String:
      return compareStrings(a as string, b as string);
    case Rank.Bytes:
      return compareBytes(new Uint8Array(a as ArrayBuffer), new Uint8Array(b as ArrayBuffer));
    case Rank.Array:
      return compareArrays(a as Value[], b as Value[]);
    default:
      return compareObjects(a as Record<string, Value | undefined>, b as Record<string, Value | undefined>);
  }
}

function compareFloats(a: number, b: number): number {
  if (a < b) return -1;
  if (a > b) return 1;
  if (a === b) {
    // 0 === -0 in JS, but they are different values and -0 sorts first.
    if (a === 0) return Number(Object.is(b, -0)) - Number(Object.is(a, -0));
    return 0;
  }
  // At least one is NaN, which sorts after everything.
  return Number(Number.isNaN(a)) - Number(Number.isNaN(b));
}

/**
 * Code-point order, which equals UTF-8 byte order. UTF-16 code units agree with it except that
 * surrogates (0xD800-0xDFFF, i.e. code points above 0xFFFF) must sort after 0xE000-0xFFFF.
 */
export function compareStrings(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let ca = a.charCodeAt(i);
    let cb = b.charCodeAt(i);
    if (ca === cb) continue;
    if (ca >= 0xd800) ca = ca <= 0xdfff ? ca + 0x2000 : ca - 0x800;
    if (cb >= 0xd800) cb = cb <= 0xdfff ? cb + 0x2000 : cb - 0x800;
    return ca - cb;
  }
  return a.length - b.length;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

function compareArrays(a: readonly Value[], b: readonly Value[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const c = compareValues(a[i], b[i]);
    if (c !== 0) return c;
  }
  return a.length - b.length;
}

function compareObjects(a: Record<string, Value | undefined>, b: Record<string, Value | undefined>): number {
  const ka = definedKeys(a);
  const kb = definedKeys(b);
  const n = Math.min(ka.length, kb.length);
  for (let i = 0; i < n; i++) {
    const byKey = compareStrings(ka[i]!, kb[i]!);
    if (byKey !== 0) return byKey;
    const byValue = compareValues(a[ka[i]!], b[kb[i]!]);
    if (byValue !== 0) return byValue;
  }
  return ka.length - kb.length;
}

function definedKeys(object: Record<string, Value | undefined>): string[] {
  return Object.keys(object)
    .filter((key) => object[key] !== undefined)
    .sort(compareStrings);
}

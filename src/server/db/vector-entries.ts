// The entry a vector index holds for a document:
//   key = encodeKey([...filter values, _id]) ++ F3 ++ the vector's direction as little-endian float32s
// The tuple part orders entries as before (the id is unique, so nothing after it changes the
// order). The F3 byte keeps the tuple readable: a string element ends with a 00 that no FF
// follows, and the first float32 byte may be FF. The binary tail is what a search compares,
// copied into memory with no parsing (the document's vector in decimal text was ~30 KB per
// 1,536 dimensions to parse on the first search). The tail holds the unit vector - normalised in float64, scaled first so neither huge
// nor subnormal numbers overflow or vanish - because cosine similarity only needs the direction,
// and a unit vector always fits float32. The document keeps the user's numbers as written.
//
// Entries written before this format have no tail: `vectorEntryFormat` tells them apart (the
// tuple's elements delimit themselves, so the tail is whatever follows `1 + filters` elements),
// and vector-entry-upgrade.ts rewrites them when the database opens.

import { concatKeys, elementsEnd, encodeKey, splitKey } from "./keys.js";
import type { Value } from "../../values/value.js";

/** Between the key's tuple and the vector: neither 00 nor FF (see above), and no element tag. */
const VECTOR_MARK = 0xf3;

/** True when this host stores float32s little-endian (then a Float32Array's bytes are the format). */
const HOST_LITTLE_ENDIAN = new Uint8Array(new Float32Array([1]).buffer)[3] === 0x3f;

/**
 * `vector` scaled to unit length in float64 (a zero vector stays as it is, -0s included).
 * Dividing by the largest magnitude first keeps the sum of squares finite for numbers near the
 * float64 maximum and exact for subnormal ones.
 *
 * @example
 * unitDirection([3, 4]) // Float64Array [0.6, 0.8]
 * unitDirection([1e300, 1e300]) // Float64Array [0.7071067811865475, 0.7071067811865475]
 */
export function unitDirection(vector: readonly number[]): Float64Array {
  const out = Float64Array.from(vector);
  let largest = 0;
  for (const x of out) largest = Math.max(largest, Math.abs(x));
  if (largest === 0) return out;
  let sum = 0;
  for (const x of out) sum += (x / largest) * (x / largest);
  const norm = Math.sqrt(sum);
  for (let i = 0; i < out.length; i++) out[i] = out[i]! / largest / norm;
  return out;
}

/**
 * `vector`'s direction as float32s: what a vector index stores.
 *
 * @example
 * unitVector([3, 4]) // Float32Array [0.6, 0.8] (rounded to float32)
 */
export function unitVector(vector: readonly number[]): Float32Array {
  return Float32Array.from(unitDirection(vector));
}

const MARK_BYTES = new Uint8Array([VECTOR_MARK]);

/** The little-endian bytes of `vector`. */
function float32Bytes(vector: Float32Array): Uint8Array {
  if (HOST_LITTLE_ENDIAN) return new Uint8Array(vector.buffer, vector.byteOffset, vector.byteLength);
  const out = new Uint8Array(vector.length * 4);
  const view = new DataView(out.buffer);
  for (let i = 0; i < vector.length; i++) view.setFloat32(i * 4, vector[i]!, true);
  return out;
}

/**
 * The key of a document's entry in a vector index.
 *
 * @example
 * vectorEntryKey(["thai"], "foods_1", [3, 4]) // encodeKey(["thai", "foods_1"]) ++ F3 ++ float32 LE of [0.6, 0.8]
 */
export function vectorEntryKey(filters: readonly (Value | undefined)[], id: string, vector: readonly number[]): Uint8Array {
  return concatKeys(encodeKey([...filters, id]), MARK_BYTES, float32Bytes(unitVector(vector)));
}

/**
 * Which format an entry's key is in: "float32" (this one), "text" (written before it: the tuple
 * alone, the vector only in the document). Throws for anything else, naming what it found.
 *
 * @example
 * vectorEntryFormat(encodeKey(["thai", "foods_1"]), 1, 3) // "text"
 */
export function vectorEntryFormat(key: Uint8Array, filterCount: number, dimensions: number): "float32" | "text" {
  const tupleEnd = elementsEnd(key, filterCount + 1);
  const tail = key.length - tupleEnd;
  if (tail === 0) return "text";
  if (tail === 1 + dimensions * 4 && key[tupleEnd] === VECTOR_MARK) return "float32";
  throw new Error(`vector index entry: ${tail} bytes follow the key's ${filterCount + 1} elements; a vector of ${dimensions} dimensions takes ${1 + dimensions * 4} (a mark and its float32s)`);
}

/** One entry read back: its filter values (as key-bytes strings, for equality), id and vector bytes. */
export interface VectorEntryParts {
  readonly filters: string[];
  readonly id: string;
  /** The little-endian float32 bytes (a view into the key: copy before keeping). */
  readonly vector: Uint8Array;
}

/**
 * Splits a float32-format entry key into its parts (no copies but the strings).
 *
 * @example
 * const { filters, id, vector } = vectorEntryParts(key, 1, 1536);
 */
export function vectorEntryParts(key: Uint8Array, filterCount: number, dimensions: number): VectorEntryParts {
  const tupleEnd = key.length - 1 - dimensions * 4;
  if (tupleEnd < 0 || key[tupleEnd] !== VECTOR_MARK || elementsEnd(key, filterCount + 1) !== tupleEnd) {
    throw new Error(`vector index entry: not ${filterCount + 1} key elements followed by ${dimensions} float32s (written by an older version and not upgraded?)`);
  }
  const parts = splitKey(key.subarray(0, tupleEnd));
  const filters = parts.slice(0, filterCount).map((part) => Buffer.from(part.buffer, part.byteOffset, part.byteLength).toString("latin1"));
  const id = parts[filterCount]!;
  // A string element: tag 07, the id's bytes (ASCII letters and digits: nothing escaped), 00.
  return { filters, id: Buffer.from(id.buffer, id.byteOffset + 1, id.byteLength - 2).toString("latin1"), vector: key.subarray(tupleEnd + 1) };
}

/**
 * Copies little-endian float32 `bytes` into `target` from element `at`.
 *
 * @example
 * copyFloat32s(parts.vector, rows.vectors, slot * dimensions);
 */
export function copyFloat32s(bytes: Uint8Array, target: Float32Array, at: number): void {
  if (HOST_LITTLE_ENDIAN) {
    // A byte copy: the key's bytes need not be 4-byte aligned, so no Float32Array view of them.
    new Uint8Array(target.buffer, target.byteOffset + at * 4, bytes.length).set(bytes);
    return;
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i * 4 < bytes.length; i++) target[at + i] = view.getFloat32(i * 4, true);
}

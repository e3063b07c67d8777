// u64 timestamps on the wire (protocol.md §2.1): standard base64 of 8 little-endian bytes.

import { fromBase64, toBase64 } from "../values/base64.js";

const U64_MAX = 2n ** 64n - 1n;

/**
 * Encodes a u64.
 *
 * @example
 * encodeTimestamp(1000n) // "6AMAAAAAAAA="
 */
export function encodeTimestamp(ts: bigint): string {
  if (ts < 0n || ts > U64_MAX) throw new RangeError(`${ts} is not a u64`);
  const view = new DataView(new ArrayBuffer(8));
  view.setBigUint64(0, ts, true);
  return toBase64(new Uint8Array(view.buffer));
}

/** Decodes a u64; throws unless the text is base64 of exactly 8 bytes. */
export function decodeTimestamp(text: string): bigint {
  const bytes = fromBase64(text);
  if (bytes.length !== 8) throw new Error(`A timestamp must be 8 bytes, got ${bytes.length}.`);
  return new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
}

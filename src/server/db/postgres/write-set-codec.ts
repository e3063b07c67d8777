// A write set as the bytes of a commit-log row's `writes` column, and back. Its own module
// because both the committing batch (batch-connection.ts) and the log's readers (commit-log.ts)
// need it, and neither of those should depend on the other.

import type { CommittedWrite } from "../engine.js";
import type { IndexWrite } from "../types.js";

/**
 * A write set as bytes: for each write, u32 index id, u32 key length, key bytes (big-endian).
 *
 * @example
 * decodeWrites(encodeWrites([{ indexId: 3, key }])) // [{ indexId: 3, key }]
 */
export function encodeWrites(writes: CommittedWrite["writes"]): Buffer {
  let size = 0;
  for (const write of writes) size += 8 + write.key.byteLength;
  const out = Buffer.allocUnsafe(size);
  let at = 0;
  for (const write of writes) {
    out.writeUInt32BE(write.indexId, at);
    out.writeUInt32BE(write.key.byteLength, at + 4);
    out.set(write.key, at + 8);
    at += 8 + write.key.byteLength;
  }
  return out;
}

/** The inverse of `encodeWrites`; throws on damaged bytes. */
export function decodeWrites(bytes: Uint8Array): IndexWrite[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const writes: IndexWrite[] = [];
  let at = 0;
  while (at < bytes.byteLength) {
    if (at + 8 > bytes.byteLength) throw new Error("damaged commit log entry");
    const indexId = view.getUint32(at);
    const length = view.getUint32(at + 4);
    if (at + 8 + length > bytes.byteLength) throw new Error("damaged commit log entry");
    writes.push({ indexId, key: new Uint8Array(bytes.subarray(at + 8, at + 8 + length)) }); // a copy, and never a Buffer
    at += 8 + length;
  }
  return writes;
}

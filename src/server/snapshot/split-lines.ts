// Lines of a byte stream, for the snapshot reader: split on "\n" bytes (never inside a UTF-8
// character, whose bytes are all >= 0x80), bounded in length, and marked when the stream ended
// in the middle of one.

import { MAX_LINE_BYTES } from "./format.js";

export interface Line {
  readonly bytes: Buffer;
  /** False for a last line without its newline: the file was cut off there. */
  readonly complete: boolean;
}

/**
 * Splits a byte stream into lines (without their "\n"), holding no more than one line: a line
 * longer than `maxBytes` throws `tooLong()` instead of growing without bound.
 *
 * @example
 * for await (const { bytes, complete } of splitLines(createReadStream(file).pipe(createGunzip()), () => new Error("too long"))) ...
 */
export async function* splitLines(chunks: AsyncIterable<Buffer>, tooLong: () => Error, maxBytes = MAX_LINE_BYTES): AsyncGenerator<Line> {
  let pieces: Buffer[] = [];
  let size = 0;
  for await (const chunk of chunks) {
    let start = 0;
    for (;;) {
      const newline = chunk.indexOf(10, start);
      const end = newline < 0 ? chunk.length : newline;
      size += end - start;
      if (size > maxBytes) throw tooLong();
      if (newline < 0) {
        if (end > start) pieces.push(chunk.subarray(start));
        break;
      }
      const tail = chunk.subarray(start, newline);
      yield { bytes: pieces.length === 0 ? tail : Buffer.concat([...pieces, tail]), complete: true };
      pieces = [];
      size = 0;
      start = newline + 1;
    }
  }
  if (size > 0) yield { bytes: Buffer.concat(pieces), complete: false };
}

// Splitting a snapshot's bytes into lines: lines across chunk boundaries, a chunk holding many
// lines, a last line cut off, and the bound on a line's length.

import { describe, expect, it } from "vitest";
import { splitLines } from "../../../src/server/snapshot/split-lines.js";

async function linesOf(chunks: string[], maxBytes?: number): Promise<[string, boolean][]> {
  async function* source() {
    for (const chunk of chunks) yield Buffer.from(chunk);
  }
  const out: [string, boolean][] = [];
  for await (const line of splitLines(source(), () => new Error("too long"), maxBytes)) out.push([line.bytes.toString(), line.complete]);
  return out;
}

describe("splitLines", () => {
  it("joins lines split across chunks and splits chunks holding several", async () => {
    expect(await linesOf(['{"a":', "1}\n{", '"b":2}\n\n{"c":3}\n'])).toEqual([
      ['{"a":1}', true],
      ['{"b":2}', true],
      ["", true],
      ['{"c":3}', true],
    ]);
  });

  it("marks a last line without its newline", async () => {
    expect(await linesOf(["one\ntw", "o"])).toEqual([
      ["one", true],
      ["two", false],
    ]);
  });

  it("refuses a line longer than the bound, even when it arrives in small chunks", async () => {
    await expect(linesOf(["12345", "67890", "1\n"], 10)).rejects.toThrow("too long");
    expect(await linesOf(["12345", "67890\n"], 10)).toEqual([["1234567890", true]]);
  });
});

import { describe, expect, it } from "vitest";
import { ChunkSequenceError, TransitionChunkAssembler } from "../../../transport/chunks.js";

const chunk = (partNumber: number, totalParts: number, text: string, transitionId = "t") =>
  ({ type: "TransitionChunk", chunk: text, partNumber, totalParts, transitionId }) as const;

describe("TransitionChunkAssembler", () => {
  it("joins parts in order into the whole text", () => {
    const chunks = new TransitionChunkAssembler();
    expect(chunks.add(chunk(0, 3, "ab"))).toBeNull();
    expect(chunks.buffering).toBe(true);
    expect(chunks.add(chunk(1, 3, "cd"))).toBeNull();
    expect(chunks.add(chunk(2, 3, "e"))).toBe("abcde");
    expect(chunks.buffering).toBe(false);
    expect(chunks.add(chunk(0, 1, "single"))).toBe("single");
  });

  it("discards the buffer and throws on a part out of order", () => {
    const chunks = new TransitionChunkAssembler();
    chunks.add(chunk(0, 3, "ab"));
    expect(() => chunks.add(chunk(2, 3, "e"))).toThrow(ChunkSequenceError);
    expect(chunks.buffering).toBe(false);
    // A later, well-formed sequence works.
    chunks.add(chunk(0, 2, "x", "u"));
    expect(chunks.add(chunk(1, 2, "y", "u"))).toBe("xy");
  });

  it("refuses a sequence that does not start at part 0, a switch of transition, and a change of totalParts", () => {
    expect(() => new TransitionChunkAssembler().add(chunk(1, 2, "x"))).toThrow(/expected part 0/);
    const switching = new TransitionChunkAssembler();
    switching.add(chunk(0, 2, "x", "a"));
    expect(() => switching.add(chunk(1, 2, "y", "b"))).toThrow(ChunkSequenceError);
    const resized = new TransitionChunkAssembler();
    resized.add(chunk(0, 2, "x"));
    expect(() => resized.add(chunk(1, 3, "y"))).toThrow(ChunkSequenceError);
    expect(() => new TransitionChunkAssembler().add(chunk(0, 0, "x"))).toThrow(ChunkSequenceError);
  });

  it("discards the buffer when another message interrupts a sequence", () => {
    const chunks = new TransitionChunkAssembler();
    chunks.interrupt("Ping"); // nothing buffered: fine
    chunks.add(chunk(0, 2, "x"));
    expect(() => chunks.interrupt("MutationResponse")).toThrow(/MutationResponse arrived in the middle/);
    expect(chunks.buffering).toBe(false);
  });
});

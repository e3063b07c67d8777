// Reassembly of transitions the server split into `TransitionChunk`s (protocol.md §10).

import type { TransitionChunk } from "../src/protocol/messages.js";

/** A chunk sequence was broken; the buffered parts were discarded. */
export class ChunkSequenceError extends Error {
  override readonly name = "ChunkSequenceError";
}

/**
 * Joins the parts of one transition. Parts must arrive in order (0..totalParts-1, same
 * transitionId); anything else discards the buffer and throws, because a transition is then lost
 * and the socket's state can no longer be trusted.
 *
 * @example
 * const chunks = new TransitionChunkAssembler();
 * chunks.add({ type: "TransitionChunk", chunk: '{"type":"Tra', partNumber: 0, totalParts: 2, transitionId: "t" }); // null
 * chunks.add({ type: "TransitionChunk", chunk: 'nsition",...}', partNumber: 1, totalParts: 2, transitionId: "t" }); // the JSON text
 */
export class TransitionChunkAssembler {
  #parts: string[] = [];
  #transitionId: string | undefined;
  #totalParts = 0;

  /** True while some parts of a transition are buffered. */
  get buffering(): boolean {
    return this.#transitionId !== undefined;
  }

  /** Adds a part; returns the whole JSON text once the last part arrived, else null. */
  add(chunk: TransitionChunk): string | null {
    const { partNumber, totalParts, transitionId } = chunk;
    const expected = this.#parts.length;
    const valid =
      Number.isInteger(totalParts) &&
      totalParts > 0 &&
      partNumber === expected &&
      (this.#transitionId === undefined || (this.#transitionId === transitionId && this.#totalParts === totalParts));
    if (!valid) {
      const wanted = this.#transitionId === undefined ? "part 0" : `transition ${this.#transitionId} part ${expected}/${this.#totalParts}`;
      this.reset();
      throw new ChunkSequenceError(`TransitionChunk out of sequence: got transition ${transitionId} part ${partNumber}/${totalParts}, expected ${wanted}`);
    }
    this.#transitionId = transitionId;
    this.#totalParts = totalParts;
    this.#parts.push(chunk.chunk);
    if (this.#parts.length < totalParts) return null;
    const text = this.#parts.join("");
    this.reset();
    return text;
  }

  /** A non-chunk message arrived: a buffered sequence is broken. Throws if one was buffered. */
  interrupt(messageType: string): void {
    if (!this.buffering) return;
    const id = this.#transitionId;
    this.reset();
    throw new ChunkSequenceError(`${messageType} arrived in the middle of chunked transition ${id}`);
  }

  /** Drops whatever is buffered (the socket closed). */
  reset(): void {
    this.#parts = [];
    this.#transitionId = undefined;
    this.#totalParts = 0;
  }
}

// Sending server messages on one socket: JSON text frames, transitions over 5,000,000 bytes cut
// into TransitionChunks (protocol.md §10), and a Ping after 15 s without any other message.

import { randomUUID } from "node:crypto";
import type { WebSocket } from "ws";
import { MAX_TRANSITION_CHUNK, type ServerMessage } from "../../protocol/messages.js";

export const PING_AFTER_MS = 15_000;

/** Splits UTF-8 text into parts of at most `limit` bytes, never inside a character. */
export function splitUtf8(text: string, limit: number): string[] {
  const bytes = Buffer.from(text, "utf8");
  const parts: string[] = [];
  let start = 0;
  while (start < bytes.length) {
    let end = Math.min(start + limit, bytes.length);
    // Back off continuation bytes (10xxxxxx) so the cut falls between characters.
    while (end < bytes.length && (bytes[end]! & 0xc0) === 0x80) end--;
    parts.push(bytes.subarray(start, end).toString("utf8"));
    start = end;
  }
  return parts;
}

/** The outgoing side of one socket. */
export class Outgoing {
  #pingTimer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(
    private readonly socket: WebSocket,
    private readonly pingAfterMs = PING_AFTER_MS,
  ) {
    this.#armPing();
  }

  send(message: ServerMessage): void {
    if (this.#closed || this.socket.readyState !== this.socket.OPEN) return;
    const text = JSON.stringify(message);
    if (message.type === "Transition" && Buffer.byteLength(text) > MAX_TRANSITION_CHUNK) {
      const parts = splitUtf8(text, MAX_TRANSITION_CHUNK);
      const transitionId = randomUUID();
      parts.forEach((chunk, partNumber) =>
        this.socket.send(JSON.stringify({ type: "TransitionChunk", chunk, partNumber, totalParts: parts.length, transitionId })),
      );
    } else {
      this.socket.send(text);
    }
    this.#armPing();
  }

  /** Sends nothing more; stops the ping timer. */
  stop(): void {
    this.#closed = true;
    clearTimeout(this.#pingTimer);
  }

  #armPing(): void {
    clearTimeout(this.#pingTimer);
    if (this.#closed) return;
    this.#pingTimer = setTimeout(() => this.send({ type: "Ping" }), this.pingAfterMs);
    this.#pingTimer.unref();
  }
}

// Sending server messages on one socket: JSON text frames, transitions over 5,000,000 bytes cut
// into TransitionChunks (protocol.md §10), a Ping after 15 s without any other message, and a
// byte budget for what waits to be sent.
//
// A client that reads slowly (or not at all) must not make the server hold its messages without
// bound. Transitions are never queued here: while anything waits in the socket, the session holds
// its next transition back and builds it when the socket has drained - from the client's last
// version to the newest state, so every step in between is coalesced into one (see
// `SyncSession.#flush`). What cannot wait (responses, pings) is written at once; when that would
// put more than the budget in the socket, the socket is closed instead (`onOverBudget`).

import { randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import type { WebSocket } from "ws";
import { MAX_TRANSITION_CHUNK, type ServerMessage } from "../../protocol/messages.js";

export const PING_AFTER_MS = 15_000;
/** Default byte budget of one socket's unsent messages (`startServer({ maxQueuedBytesPerSocket })`). */
export const DEFAULT_MAX_QUEUED_BYTES = 8 * 1024 * 1024;
const DRAIN_CHECK_MS = 500;

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

/** Frames up to this size wait for the end of the tick to leave together with the tick's others. */
const COALESCE_MAX_BYTES = 64 * 1024;

/** What #coalesce needs of the TCP socket under a `ws` WebSocket. */
interface CorkableSocket {
  cork(): void;
  uncork(): void;
}

export interface OutgoingOptions {
  pingAfterMs?: number;
  /** Most bytes that may wait in the socket, not counting one transition in flight. */
  maxQueuedBytes?: number;
  /** Called (once) when a message that cannot wait would exceed the budget; the owner closes the socket. */
  onOverBudget?: (queuedBytes: number) => void;
}

/** The outgoing side of one socket. */
export class Outgoing {
  #pingTimer: NodeJS.Timeout | undefined;
  /**
   * When the last message was sent (performance.now()). Sending only records this; the one ping
   * timer, when it fires, pings or waits out the rest of the silence - no timer work per message,
   * which a commit fanned out to thousands of sockets would pay thousands of times.
   */
  #lastSentAt = 0;
  #closed = false;
  readonly #pingAfterMs: number;
  readonly #maxQueuedBytes: number;
  readonly #onOverBudget: (queuedBytes: number) => void;
  /**
   * Bytes of the transition in flight. A transition is only sent into an empty socket, so a
   * single result larger than the budget still reaches a client that reads; it is excluded from
   * what the budget counts until it has been written.
   */
  #transitionInFlight = 0;
  /** Called once the socket has drained (set while a transition waits for that). */
  #drained: (() => void) | undefined;
  /** Re-checks a drain now and then: a write not ours (ws answering a ping) may empty the socket unseen. */
  #drainCheck: NodeJS.Timeout | undefined;
  #overBudget = false;
  /** The TCP socket corked for the rest of this tick (see #coalesce). */
  #held: CorkableSocket | undefined;
  /** Nothing waited in the socket when this tick's holding began. */
  #emptyWhenHeld = false;

  constructor(
    private readonly socket: WebSocket,
    options: OutgoingOptions = {},
  ) {
    this.#pingAfterMs = options.pingAfterMs ?? PING_AFTER_MS;
    this.#maxQueuedBytes = options.maxQueuedBytes ?? DEFAULT_MAX_QUEUED_BYTES;
    this.#onOverBudget = options.onOverBudget ?? (() => {});
    this.#armPing();
  }

  /** Bytes written to the socket that have not reached the network yet. */
  get queuedBytes(): number {
    return this.socket.bufferedAmount;
  }

  /**
   * Whether a transition may be sent now: nothing else waits in the socket. Otherwise `drained`
   * is called once it has emptied (the newest state is sent then, coalescing what came between).
   */
  readyForTransition(drained: () => void): boolean {
    // Frames held to the end of this tick (#coalesce) in a socket that was empty: they leave with
    // the transition in one write, as they would have left before it.
    if (this.queuedBytes === 0 || (this.#held !== undefined && this.#emptyWhenHeld)) return true;
    this.#drained = drained;
    if (this.#drainCheck === undefined) {
      this.#drainCheck = setInterval(() => this.#written(false), DRAIN_CHECK_MS);
      this.#drainCheck.unref();
    }
    return false;
  }

  send(message: ServerMessage): void {
    if (this.#closed || this.socket.readyState !== this.socket.OPEN) return;
    const text = JSON.stringify(message);
    const bytes = Buffer.byteLength(text);
    const isTransition = message.type === "Transition";
    if (!isTransition && this.queuedBytes - this.#transitionInFlight + bytes > this.#maxQueuedBytes) {
      this.#exceeded();
      return;
    }
    if (isTransition) this.#transitionInFlight = bytes;
    const written = isTransition ? () => this.#written(true) : this.#writtenOther;
    if (isTransition && bytes > MAX_TRANSITION_CHUNK) {
      const parts = splitUtf8(text, MAX_TRANSITION_CHUNK);
      const transitionId = randomUUID();
      parts.forEach((chunk, partNumber) =>
        this.socket.send(
          JSON.stringify({ type: "TransitionChunk", chunk, partNumber, totalParts: parts.length, transitionId }),
          partNumber === parts.length - 1 ? written : undefined,
        ),
      );
    } else {
      // Only answers start holding: a transition joins what this tick holds, or leaves at once
      // (a commit fanned out to many sockets sends each one transition: nothing to gather).
      if (!isTransition) this.#coalesce(bytes);
      this.socket.send(text, written);
    }
    this.#lastSentAt = performance.now();
  }

  /**
   * Holds this tick's small frames in the TCP socket under `ws` and writes them together at the
   * end of the tick: the answers of one group commit (a socket with 20 mutations in flight gets
   * 20 MutationResponses at once) then cost one system call instead of one each. A large frame
   * first lets out what is held and goes alone (held bytes count against the byte budget).
   */
  #coalesce(bytes: number): void {
    const raw = (this.socket as unknown as { _socket?: CorkableSocket })._socket; // not public in `ws`: skipped when absent
    if (raw === undefined || typeof raw.cork !== "function") return;
    if (bytes > COALESCE_MAX_BYTES) {
      this.#releaseHeld();
      return;
    }
    if (this.#held !== undefined) return;
    this.#emptyWhenHeld = this.queuedBytes === 0;
    raw.cork();
    this.#held = raw;
    process.nextTick(() => this.#releaseHeld());
  }

  #releaseHeld(): void {
    const held = this.#held;
    this.#held = undefined;
    held?.uncork();
  }

  /** Sends nothing more; stops the ping timer. */
  stop(): void {
    this.#releaseHeld();
    this.#closed = true;
    this.#drained = undefined;
    clearInterval(this.#drainCheck);
    clearTimeout(this.#pingTimer);
  }

  readonly #writtenOther = () => this.#written(false);

  /** A write reached the network (or failed: the socket is closing then). */
  #written(transition: boolean): void {
    if (transition) this.#transitionInFlight = 0;
    if (this.#drained === undefined || this.#closed || this.queuedBytes > 0) return;
    const drained = this.#drained;
    this.#drained = undefined;
    clearInterval(this.#drainCheck);
    this.#drainCheck = undefined;
    drained();
  }

  #exceeded(): void {
    if (this.#overBudget) return;
    this.#overBudget = true;
    this.#onOverBudget(this.queuedBytes);
  }

  #armPing(): void {
    this.#lastSentAt = performance.now();
    this.#pingAfter(this.#pingAfterMs);
  }

  #pingAfter(ms: number): void {
    if (this.#closed) return;
    this.#pingTimer = setTimeout(() => {
      const silentFor = performance.now() - this.#lastSentAt;
      if (silentFor >= this.#pingAfterMs) {
        this.send({ type: "Ping" });
        this.#pingAfter(this.#pingAfterMs);
      } else {
        this.#pingAfter(this.#pingAfterMs - silentFor);
      }
    }, ms);
    this.#pingTimer.unref();
  }
}

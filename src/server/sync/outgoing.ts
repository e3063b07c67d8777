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
//
// The socket's own buffer is not enough to notice a client that stopped reading: the kernel takes
// about a megabyte of transitions first, and a commit fanned out to a thousand such sockets pays a
// write to each, every commit, until those buffers are full. So once half of UNREAD_WINDOW of
// transitions has gone unanswered, the next one is followed by a WebSocket ping (every client
// answers pings with a pong as it reads, RFC 6455 §5.5.2); a client that has not answered for a
// whole UNREAD_WINDOW is treated as behind: its next transition waits for the pong, and then
// carries the newest state.

import { randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import type { WebSocket } from "ws";
import { MAX_TRANSITION_CHUNK, type ServerMessage } from "../../protocol/messages.js";

export const PING_AFTER_MS = 15_000;
/** Default byte budget of one socket's unsent messages (`startServer({ maxQueuedBytesPerSocket })`). */
export const DEFAULT_MAX_QUEUED_BYTES = 8 * 1024 * 1024;
const DRAIN_CHECK_MS = 500;
/** Transitions (by cost) a client may have unread before the next one waits for its pong. */
export const UNREAD_WINDOW = 64 * 1024;
/** The least a transition costs against UNREAD_WINDOW: a write costs the server about as much whatever its size. */
const MIN_TRANSITION_COST = 4 * 1024;
/** A client that does not answer pings still gets the newest state after this long (doubling each time, to a limit). */
const UNANSWERED_RETRY_MS = 2_000;
const UNANSWERED_RETRY_MAX_MS = 30_000;

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
  /** Whether the socket can ping (a `ws` socket; not the in-process one of the test runtime). */
  readonly #canPing: boolean;
  /** Cost (see MIN_TRANSITION_COST) of every transition sent, and of those the client has read. */
  #costSent = 0;
  #costRead = 0;
  /** The ping in flight: its payload, the cost sent before it, and when it left. */
  #ping: { payload: string; cost: number; at: number } | undefined;
  #pings = 0;
  /** How long to wait for a pong before sending anyway (grows while pongs do not come). */
  #retryMs = UNANSWERED_RETRY_MS;
  /** That wait is over: one transition may go. */
  #retryGranted = false;

  constructor(
    private readonly socket: WebSocket,
    options: OutgoingOptions = {},
  ) {
    this.#pingAfterMs = options.pingAfterMs ?? PING_AFTER_MS;
    this.#maxQueuedBytes = options.maxQueuedBytes ?? DEFAULT_MAX_QUEUED_BYTES;
    this.#onOverBudget = options.onOverBudget ?? (() => {});
    this.#canPing = typeof (socket as Partial<WebSocket>).ping === "function";
    if (this.#canPing) socket.on("pong", (data: Buffer) => this.#pong(data));
    this.#armPing();
  }

  /** Bytes written to the socket that have not reached the network yet. */
  get queuedBytes(): number {
    return this.socket.bufferedAmount;
  }

  /**
   * Whether the client is behind: bytes wait in the socket, or it has not read the last
   * UNREAD_WINDOW of transitions (operators' stats and tests).
   */
  get behind(): boolean {
    return this.queuedBytes > 0 || this.#unreadWindowFull();
  }

  /** A transition waits for the client (see `readyForTransition`): asking again before that is pointless. */
  get waitingForClient(): boolean {
    return this.#drained !== undefined;
  }

  /**
   * Whether a transition may be sent now: nothing else waits in the socket and the client has
   * read all but UNREAD_WINDOW of what it was sent. Otherwise `drained` is called once that holds
   * (the newest state is sent then, coalescing what came between).
   */
  readyForTransition(drained: () => void): boolean {
    if (this.#ready()) return true;
    this.#drained = drained;
    if (this.#drainCheck === undefined) {
      this.#drainCheck = setInterval(() => this.#checkReady(), DRAIN_CHECK_MS);
      this.#drainCheck.unref();
    }
    return false;
  }

  /**
   * Whether the client is ready for a transition: nothing waits in the socket, and it has read
   * (answered the ping after) all but UNREAD_WINDOW of the transitions sent.
   */
  #ready(): boolean {
    // Frames held to the end of this tick (#coalesce) in a socket that was empty: they leave with
    // the transition in one write, as they would have left before it.
    if (this.queuedBytes !== 0 && !(this.#held !== undefined && this.#emptyWhenHeld)) return false;
    if (!this.#unreadWindowFull() || this.#retryGranted) return true;
    // No pong for a long time: the client may not answer pings at all. It still gets the newest
    // state now and then (a reader that stopped costs one write per retry, not one per commit).
    const ping = this.#ping;
    if (ping === undefined || performance.now() - ping.at < this.#retryMs) return false;
    ping.at = performance.now();
    this.#retryMs = Math.min(2 * this.#retryMs, UNANSWERED_RETRY_MAX_MS);
    this.#retryGranted = true; // until the next transition is sent
    return true;
  }

  /**
   * Sends a message that is not a transition (responses, errors, pings) at once.
   *
   * @example
   * out.send({ type: "MutationResponse", requestId: 0, success: true, result: null, ts, logLines: [] });
   */
  send(message: ServerMessage): void {
    this.#write(JSON.stringify(message), message.type === "Transition");
  }

  /**
   * Sends a Transition already encoded as JSON text (see transition-json.ts); call only when
   * `readyForTransition` said so. A ping may follow it, in the same write (see the top of this file).
   *
   * @example
   * if (out.readyForTransition(retry)) out.sendTransition(transitionJson(start, end, modifications, skew, serverTs));
   */
  sendTransition(text: string): void {
    this.#write(text, true);
  }

  #write(text: string, isTransition: boolean): void {
    if (this.#closed || this.socket.readyState !== this.socket.OPEN) return;
    const bytes = Buffer.byteLength(text);
    if (!isTransition && this.queuedBytes - this.#transitionInFlight + bytes > this.#maxQueuedBytes) {
      this.#exceeded();
      return;
    }
    // The ping after a transition leaves in the same write: `ws` corks the TCP socket only
    // within one frame, so the socket is corked here around both.
    let corked: CorkableSocket | undefined;
    if (isTransition) {
      this.#transitionInFlight = bytes;
      this.#costSent += Math.max(bytes, MIN_TRANSITION_COST);
      this.#retryGranted = false;
      if (this.#wantsPing()) corked = this.#rawSocket();
      corked?.cork();
    }
    const written = isTransition ? this.#writtenTransition : this.#writtenOther;
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
    if (isTransition && this.#wantsPing()) this.#sendPing();
    corked?.uncork();
    this.#lastSentAt = performance.now();
  }

  /** The client has not read the last UNREAD_WINDOW of transitions (a socket that cannot ping is never judged so). */
  #unreadWindowFull(): boolean {
    return this.#canPing && this.#costSent - this.#costRead > UNREAD_WINDOW;
  }

  /**
   * Whether to ask the client now what it has read: once half the window is unread. Not after
   * every transition: each pong is a read the server pays for, on every socket of a fan-out.
   */
  #wantsPing(): boolean {
    return this.#canPing && this.#ping === undefined && this.#costSent - this.#costRead >= UNREAD_WINDOW / 2;
  }

  /** Pings after what was sent so far; the pong tells that the client has read all of it. */
  #sendPing(): void {
    const payload = String(++this.#pings);
    this.#ping = { payload, cost: this.#costSent, at: performance.now() };
    this.socket.ping(payload);
  }

  /** The TCP socket under `ws` (not public in `ws`: undefined when absent or not corkable). */
  #rawSocket(): CorkableSocket | undefined {
    const raw = (this.socket as unknown as { _socket?: CorkableSocket })._socket;
    return raw !== undefined && typeof raw.cork === "function" ? raw : undefined;
  }

  #pong(data: Buffer): void {
    const ping = this.#ping;
    // A pong the client sent on its own (a heartbeat) says nothing about what it read.
    if (ping === undefined || data.toString() !== ping.payload) return;
    this.#ping = undefined;
    this.#costRead = ping.cost;
    this.#retryMs = UNANSWERED_RETRY_MS;
    // Sent after that ping: ask again, or a socket waiting for its window would wait for nothing.
    if (this.#wantsPing()) this.#sendPing();
    this.#checkReady();
  }

  /**
   * Holds this tick's small frames in the TCP socket under `ws` and writes them together at the
   * end of the tick: the answers of one group commit (a socket with 20 mutations in flight gets
   * 20 MutationResponses at once) then cost one system call instead of one each. A large frame
   * first lets out what is held and goes alone (held bytes count against the byte budget).
   */
  #coalesce(bytes: number): void {
    const raw = this.#rawSocket();
    if (raw === undefined) return;
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

  readonly #writtenOther = () => this.#checkReady();
  readonly #writtenTransition = () => {
    this.#transitionInFlight = 0;
    this.#checkReady();
  };

  /** Something was written, read or timed out: calls the waiting `drained` once a transition may go. */
  #checkReady(): void {
    if (this.#drained === undefined || this.#closed || !this.#ready()) return;
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

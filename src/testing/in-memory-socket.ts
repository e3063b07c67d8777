// A WebSocket connection inside one process: the client half looks like a browser WebSocket (what
// the client's transport opens), the server half like a `ws` socket (what a sync session serves).
// Frames cross as text on the microtask queue, in order, so the real client and the real session
// talk exactly as over a network - minus the network, the port and the timers.

const CONNECTING = 0;
const OPEN = 1;
const CLOSING = 2;
const CLOSED = 3;

type ServerEvent = "message" | "close" | "error";
type Listener = (...args: never[]) => void;

/**
 * The server half, shaped like the part of a `ws` WebSocket a sync session uses. Its events are
 * its own few lines, not Node's EventEmitter: the hand-set test client runs in browsers too.
 */
export class ServerSideSocket {
  readonly OPEN = OPEN;
  /** Frames are handed over on the microtask queue: nothing ever waits in a socket buffer. */
  readonly bufferedAmount = 0;
  readonly #listeners: { event: ServerEvent; listener: Listener; once: boolean }[] = [];
  readyState = CONNECTING;
  #peer: ClientSideSocket | undefined;
  /** Client frames held back while the session applies backpressure (`pause()`), in order. */
  #paused: string[] | undefined;
  /** Frames sent and not yet handed to the client, and who waits for none to be left. */
  #inTransit = 0;
  #drainWaiters: (() => void)[] = [];

  on(event: ServerEvent, listener: Listener): this {
    this.#listeners.push({ event, listener, once: false });
    return this;
  }

  once(event: ServerEvent, listener: Listener): this {
    this.#listeners.push({ event, listener, once: true });
    return this;
  }

  emit(event: ServerEvent, ...args: unknown[]): void {
    for (const entry of [...this.#listeners]) {
      if (entry.event !== event) continue;
      if (entry.once) this.#listeners.splice(this.#listeners.indexOf(entry), 1);
      (entry.listener as (...args: unknown[]) => void)(...args);
    }
  }

  /** Joined by the client half that made it. */
  attach(peer: ClientSideSocket): void {
    this.#peer = peer;
  }

  /** Sends a frame to the client; `written` is called once it was handed over (as `ws` calls it once flushed). */
  send(text: string, written?: (error?: Error) => void): void {
    if (this.readyState !== OPEN) return;
    const peer = this.#peer!;
    this.#inTransit++;
    queueMicrotask(() => {
      peer.receive(text);
      written?.();
      if (--this.#inTransit === 0) for (const resolve of this.#drainWaiters.splice(0)) resolve();
    });
  }

  /** Stops delivering the client's frames until `resume()` (a session's backpressure). */
  pause(): void {
    this.#paused ??= [];
  }

  /** Delivers the frames held back by `pause()`, then the rest as they come. */
  resume(): void {
    const held = this.#paused ?? [];
    this.#paused = undefined;
    // A frame may pause the session again: what is left then stays held, still in order.
    while (held.length > 0 && this.#paused === undefined) this.receive(held.shift()!);
    if (held.length > 0) this.#paused!.unshift(...held);
  }

  /** Resolves once every frame sent so far has reached the client. */
  drained(): Promise<void> {
    return this.#inTransit === 0 ? Promise.resolve() : new Promise((resolve) => this.#drainWaiters.push(resolve));
  }

  close(code = 1000, reason = ""): void {
    this.#peer?.closeBoth(code, reason);
  }

  /** Drops the connection without a close handshake (1006, as a vanished server). */
  terminate(): void {
    this.#peer?.closeBoth(1006, "");
  }

  /** The client's frame arrives. */
  receive(text: string): void {
    if (this.#paused !== undefined) return void this.#paused.push(text);
    // A string where `ws` gives a Buffer: the session and the backend only call toString() on it.
    if (this.readyState === OPEN) this.emit("message", text, false);
  }
}

/**
 * The client half: what `new WebSocket(url)` returns to the client's transport. `connect` is
 * given the server half on the next microtask; it throws to refuse the connection (a closed
 * runtime), which the client sees as a failed attempt.
 */
export class ClientSideSocket extends EventTarget {
  static readonly CONNECTING = CONNECTING;
  static readonly OPEN = OPEN;
  static readonly CLOSING = CLOSING;
  static readonly CLOSED = CLOSED;
  readonly CONNECTING = CONNECTING;
  readonly OPEN = OPEN;
  readonly CLOSING = CLOSING;
  readonly CLOSED = CLOSED;
  readonly url: string;
  readonly protocol = "";
  readonly extensions = "";
  readonly bufferedAmount = 0;
  binaryType = "blob";
  readyState = CONNECTING;
  readonly #server = new ServerSideSocket();

  constructor(url: string, connect: (server: ServerSideSocket) => void) {
    super();
    this.url = url;
    this.#server.attach(this);
    queueMicrotask(() => {
      if (this.readyState !== CONNECTING) return;
      try {
        connect(this.#server);
      } catch {
        this.dispatchEvent(new Event("error"));
        this.closeBoth(1006, "");
        return;
      }
      this.readyState = OPEN;
      this.#server.readyState = OPEN;
      this.dispatchEvent(new Event("open"));
    });
  }

  send(text: string): void {
    if (this.readyState !== OPEN) throw new Error("WebSocket is not open");
    queueMicrotask(() => this.#server.receive(text));
  }

  close(code = 1000, reason = ""): void {
    this.closeBoth(code, reason);
  }

  /** A frame from the server half. */
  receive(text: string): void {
    if (this.readyState !== OPEN) return;
    const event = new Event("message");
    this.dispatchEvent(Object.assign(event, { data: text }));
  }

  /** Closes both halves; each hears the close once, on the next microtask. */
  closeBoth(code: number, reason: string): void {
    if (this.readyState === CLOSING || this.readyState === CLOSED) return;
    const wasOpen = this.readyState === OPEN;
    this.readyState = CLOSING;
    this.#server.readyState = CLOSING;
    queueMicrotask(() => {
      this.readyState = CLOSED;
      this.#server.readyState = CLOSED;
      if (wasOpen) this.#server.emit("close", code, reason);
      // Node 20 has no global CloseEvent; the fields are what a close listener reads.
      this.dispatchEvent(Object.assign(new Event("close"), { code, reason, wasClean: code !== 1006 }));
    });
  }
}

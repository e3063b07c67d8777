// A wrk-style load generator connection: one keep-alive socket, one request at a time, the
// response parsed only as far as a benchmark needs (status line, Content-Length, body). On the
// 2-core bench machine the load generator shares the CPU with the server; node:http's client
// costs about as much per request as the server's whole HTTP stack, so it hides what the server
// can do. This one costs a fraction of that.

import { connect, type Socket } from "node:net";

const HEADER_END = Buffer.from("\r\n\r\n");

/**
 * @example
 * const conn = new RawHttpConnection(server.url);
 * const body = await conn.post("/api/mutation", JSON.stringify({ path: "notes:insertOne", args: [{}] }));
 * conn.close();
 */
export class RawHttpConnection {
  readonly #port: number;
  readonly #hostname: string;
  /** The open socket; replaced when the server closed an idle one (keep-alive timeout). */
  #socket: Socket | undefined;
  #buffer: Buffer = Buffer.alloc(0);
  #pending: { resolve(body: string): void; reject(error: Error): void } | undefined;

  constructor(url: string) {
    const { hostname, port } = new URL(url);
    this.#hostname = hostname;
    this.#port = Number(port);
  }

  /** POSTs a JSON body; resolves with the response body of a 200, rejects otherwise. */
  post(path: string, json: string): Promise<string> {
    if (this.#pending !== undefined) return Promise.reject(new Error("one request at a time"));
    return new Promise((resolve, reject) => {
      this.#pending = { resolve, reject };
      this.#open().write(
        `POST ${path} HTTP/1.1\r\nHost: ${this.#hostname}:${this.#port}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(json)}\r\n\r\n${json}`,
      );
    });
  }

  close(): void {
    this.#pending = undefined;
    this.#socket?.destroy();
    this.#socket = undefined;
  }

  /** The current socket, or a new one (writes before it connected are queued by net). */
  #open(): Socket {
    if (this.#socket !== undefined) return this.#socket;
    const socket = connect(this.#port, this.#hostname);
    socket.setNoDelay(true);
    socket.on("data", (chunk: Buffer) => this.#receive(chunk));
    socket.on("error", (error) => this.#fail(socket, error));
    socket.on("close", () => this.#fail(socket, new Error("the server closed the connection")));
    this.#buffer = Buffer.alloc(0);
    this.#socket = socket;
    return socket;
  }

  #receive(chunk: Buffer): void {
    this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
    const headerEnd = this.#buffer.indexOf(HEADER_END);
    if (headerEnd < 0) return;
    const head = this.#buffer.toString("latin1", 0, headerEnd);
    const length = /\r\ncontent-length: *(\d+)/i.exec(head);
    if (length === null) return this.#fail(this.#socket!, new Error(`response without Content-Length: ${head}`));
    const end = headerEnd + HEADER_END.length + Number(length[1]);
    if (this.#buffer.length < end) return;
    const body = this.#buffer.toString("utf8", headerEnd + HEADER_END.length, end);
    this.#buffer = this.#buffer.subarray(end);
    const pending = this.#pending;
    this.#pending = undefined;
    if (!head.startsWith("HTTP/1.1 200")) pending?.reject(new Error(`${head.split("\r\n", 1)[0]}: ${body}`));
    else pending?.resolve(body);
  }

  /** A socket ended: the next request opens a new one; one in flight on it fails. */
  #fail(socket: Socket, error: Error): void {
    if (socket !== this.#socket) return;
    socket.destroy();
    this.#socket = undefined;
    const pending = this.#pending;
    this.#pending = undefined;
    pending?.reject(error);
  }
}

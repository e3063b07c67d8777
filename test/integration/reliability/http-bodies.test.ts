// Request bodies a client should not send, on the API port and the HTTP actions' site: one over
// the limit is answered 413 with the limit in the message as soon as the limit is passed -
// streamed (chunked) or declared - and the answer is not lost to a reset even when the client
// writes its whole body before reading; a client that aborts mid-body is logged once at debug
// level with the route and its address, never as an internal error.

import { connect } from "node:net";
import { describe, expect, it } from "vitest";
import type { ServerLogger } from "syncline/server";
import { cleanupAfterEach } from "../../helpers/cleanups.js";
import { startTestServer } from "../../helpers/server.js";
import { waitFor } from "../../helpers/wait.js";

const cleanups = cleanupAfterEach();
const TOTAL = 50 * 1024 * 1024;

interface Answer {
  status: number;
  body: string;
  /** Body bytes the client had written when the first byte of the answer came. */
  writtenWhenAnswered: number;
}

/**
 * POSTs a 50 MB body over a raw socket, writing all of it whatever comes back (as a client that
 * reads only afterwards), and resolves with the answer once the server closes or completes it.
 */
function postHuge(url: string, path: string, chunked: boolean): Promise<Answer> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let written = 0;
    let writtenWhenAnswered = -1;
    let received = "";
    const headers = chunked ? "Transfer-Encoding: chunked" : `Content-Length: ${TOTAL}`;
    socket.write(`POST ${path} HTTP/1.1\r\nHost: ${hostname}\r\nContent-Type: application/json\r\n${headers}\r\n\r\n`);
    const piece = Buffer.alloc(256 * 1024, 0x20);
    const pump = () => {
      while (written < TOTAL && !socket.destroyed) {
        const frame = chunked ? Buffer.concat([Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from("\r\n")]) : piece;
        written += piece.length;
        if (!socket.write(frame)) return void socket.once("drain", pump);
      }
      if (chunked && !socket.destroyed) socket.write("0\r\n\r\n");
    };
    socket.on("data", (chunk: Buffer) => {
      if (writtenWhenAnswered < 0) writtenWhenAnswered = written;
      received += chunk.toString("latin1");
      const length = /content-length: (\d+)/i.exec(received);
      const bodyStart = received.indexOf("\r\n\r\n") + 4;
      if (length && bodyStart >= 4 && received.length >= bodyStart + Number(length[1])) {
        socket.destroy();
        resolve({ status: Number(received.split(" ")[1]), body: received.slice(bodyStart), writtenWhenAnswered });
      }
    });
    socket.on("error", () => {});
    socket.on("close", () => reject(new Error(`closed without a whole answer (written ${written}); got: ${received.slice(0, 300)}`)));
    pump();
  });
}

/** A logger keeping debug lines and errors apart. */
function keepingLogger(): { logger: ServerLogger; debug: string[]; errors: string[] } {
  const debug: string[] = [];
  const errors: string[] = [];
  return { debug, errors, logger: { info() {}, warn() {}, error: (line) => void errors.push(line), debug: (line) => void debug.push(line), functionLine() {} } };
}

describe("request bodies over the limit", () => {
  for (const [port, path, limit] of [
    ["api", "/api/mutation", 16 * 1024 * 1024 + 64 * 1024],
    ["site", "/postMessage", 20 * 1024 * 1024],
  ] as const) {
    for (const chunked of [true, false]) {
      it(`${port} ${path}: a 50 MB ${chunked ? "chunked" : "declared"} body is answered 413 with the limit, before the body ends`, async () => {
        const { logger, errors } = keepingLogger();
        const server = await startTestServer({ logger });
        cleanups.push(() => server.close());
        const answer = await postHuge(port === "api" ? server.url : server.siteUrl, path, chunked);
        expect(answer.status).toBe(413);
        expect(JSON.parse(answer.body)).toEqual({ code: "PayloadTooLarge", message: `Request body is larger than the limit of ${limit} bytes.` });
        // At once: a declared size before any body byte is read, a streamed one right past the limit.
        expect(answer.writtenWhenAnswered).toBeLessThan(chunked ? limit + 16 * 1024 * 1024 : 16 * 1024 * 1024);
        expect(errors).toEqual([]);
      });
    }
  }
});

describe("a client that aborts mid-body", () => {
  for (const [port, path] of [
    ["api", "/api/mutation"],
    ["site", "/postMessage"],
  ] as const) {
    it(`on ${port} ${path} is logged once at debug level, never as an internal error`, async () => {
      const { logger, debug, errors } = keepingLogger();
      const server = await startTestServer({ logger });
      cleanups.push(() => server.close());
      const { hostname, port: number } = new URL(port === "api" ? server.url : server.siteUrl);
      for (const reset of [false, true]) {
        const socket = connect(Number(number), hostname);
        await new Promise((resolve) => socket.once("connect", resolve));
        socket.write(`POST ${path} HTTP/1.1\r\nHost: ${hostname}\r\nContent-Type: application/json\r\nContent-Length: 1000000\r\n\r\n{"path": "`);
        await new Promise((resolve) => setTimeout(resolve, 50));
        if (reset) socket.resetAndDestroy();
        else socket.destroy();
      }
      await waitFor(() => debug.length, (lines) => lines >= 2);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(errors).toEqual([]);
      expect(debug).toHaveLength(2);
      for (const line of debug) expect(line).toMatch(new RegExp(`^Client 127\\.0\\.0\\.1 went away during POST ${path}`));
    });
  }
});

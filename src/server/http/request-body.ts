// Reading request bodies with a size limit and turning protocol problems into 4xx answers.

import type { IncomingMessage, ServerResponse } from "node:http";

/** A request that is not a function call at all: answered with a 4xx and `{code, message}`. */
export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = "HttpProblem";
  }
}

/**
 * After a 413, what is still read and thrown away of the client's body, and for how long: a
 * client that writes its whole body before reading the answer (most do) must not have the
 * connection reset under it - the reset would discard the 413 before it is read - but a client
 * streaming without end must not keep the server reading forever either.
 */
export const DISCARD_AFTER_LIMIT_BYTES = 64 * 1024 * 1024;
const DISCARD_AFTER_LIMIT_MS = 10_000;

/**
 * Reads the whole body; rejects with a 413 `HttpProblem` as soon as more than `limit` bytes
 * arrived (or are declared), streamed or not.
 *
 * @example
 * const body = await readBody(request, 1024 * 1024);
 */
export function readBody(request: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(request.headers["content-length"] ?? 0);
  if (declared > limit) {
    discardRest(request);
    return Promise.reject(tooLarge(limit));
  }
  // Plain listeners: `for await` over the request costs a promise per chunk on the hot path.
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        request.off("data", onData);
        chunks.length = 0; // what was read so far is garbage now, not held until the end
        discardRest(request);
        reject(tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    };
    request.on("data", onData);
    request.once("end", () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    request.once("error", reject);
  });
}

/** Reads and drops the rest of a refused body, up to a bound; past it the connection is cut. */
function discardRest(request: IncomingMessage): void {
  let discarded = 0;
  const cut = () => request.socket.destroy();
  const timer = setTimeout(cut, DISCARD_AFTER_LIMIT_MS);
  timer.unref();
  request.on("data", (chunk: Buffer) => {
    discarded += chunk.length;
    if (discarded > DISCARD_AFTER_LIMIT_BYTES) cut();
  });
  request.once("close", () => clearTimeout(timer));
  request.on("error", () => {}); // the client went away: nothing left to answer
  request.resume();
}

function tooLarge(limit: number): HttpProblem {
  return new HttpProblem(413, "PayloadTooLarge", `Request body is larger than the limit of ${limit} bytes.`);
}

/** Parses a JSON body; answers 400 when it is not JSON. */
export function parseJsonBody(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString("utf8"));
  } catch (error) {
    throw new HttpProblem(400, "BadJsonBody", `Request body is not valid JSON: ${(error as Error).message}`);
  }
}

/** Sends a JSON response. */
export function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text), ...headers });
  response.end(text);
}

/** Answers a problem as `{code, message}`. */
export function sendProblem(response: ServerResponse, problem: HttpProblem): void {
  if (response.headersSent) {
    response.destroy();
    return;
  }
  sendJson(response, problem.status, { code: problem.code, message: problem.message }, problem.headers);
}

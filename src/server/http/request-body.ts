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

/** Reads the whole body; stops reading and answers 413 past `limit` bytes. */
export function readBody(request: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(request.headers["content-length"] ?? 0);
  if (declared > limit) return Promise.reject(tooLarge(limit));
  // Plain listeners: `for await` over the request costs a promise per chunk on the hot path.
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        request.removeAllListeners("data");
        request.resume();
        reject(tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    });
    request.once("end", () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    request.once("error", reject);
  });
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

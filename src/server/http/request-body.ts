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
export async function readBody(request: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(request.headers["content-length"] ?? 0);
  if (declared > limit) throw tooLarge(limit);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > limit) throw tooLarge(limit);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
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

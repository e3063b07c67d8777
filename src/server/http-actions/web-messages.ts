// Between Node's http messages and the Web-standard Request/Response that HTTP actions see.
// Bodies are limited both ways (20 MB); responses are streamed, so a handler may answer with a
// ReadableStream (server-sent events) as well as with text, JSON, a Blob or an ArrayBuffer.

import type { IncomingMessage, ServerResponse } from "node:http";

/** The largest request and response body of an HTTP action. */
export const HTTP_ACTION_BODY_LIMIT = 20 * 1024 * 1024;

/** Hop-by-hop headers describe one connection; Node frames the response itself. */
const HOP_BY_HOP = new Set(["connection", "keep-alive", "transfer-encoding", "upgrade", "proxy-connection"]);

/**
 * The Web Request for a Node request whose body was already read.
 *
 * @example
 * const request = toWebRequest(incoming, new URL(incoming.url!, siteUrl), body);
 * await request.json();
 */
export function toWebRequest(incoming: IncomingMessage, url: URL, body: Buffer | undefined): Request {
  const headers = new Headers();
  const raw = incoming.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) headers.append(raw[i]!, raw[i + 1]!);
  const method = incoming.method ?? "GET";
  const hasBody = method !== "GET" && method !== "HEAD" && body !== undefined;
  // A view, not a copy, of the bytes already read.
  const bytes = hasBody ? new Uint8Array(body.buffer as ArrayBuffer, body.byteOffset, body.byteLength) : undefined;
  return new Request(url, { method, headers, ...(bytes !== undefined ? { body: bytes } : {}) });
}

/** A response body that ran past the limit (headers are already sent, so the connection is cut). */
export class ResponseTooLargeError extends Error {
  constructor() {
    super(`The HTTP action's response body is larger than the limit of ${HTTP_ACTION_BODY_LIMIT} bytes.`);
    this.name = "ResponseTooLargeError";
  }
}

/**
 * Writes a Web Response to a Node response, streaming its body (none for HEAD).
 * Rejects with `ResponseTooLargeError` past the body limit.
 *
 * @example
 * await sendWebResponse(serverResponse, new Response("hi"), false);
 */
export async function sendWebResponse(out: ServerResponse, response: Response, isHead: boolean): Promise<void> {
  const declared = Number(response.headers.get("content-length") ?? 0);
  if (declared > HTTP_ACTION_BODY_LIMIT) {
    await response.body?.cancel();
    throw new ResponseTooLargeError();
  }
  const writeHead = () => {
    for (const [name, value] of response.headers) {
      if (HOP_BY_HOP.has(name) || name === "set-cookie") continue;
      out.setHeader(name, value);
    }
    const cookies = response.headers.getSetCookie();
    if (cookies.length > 0) out.setHeader("set-cookie", cookies);
    out.writeHead(response.status, response.statusText || undefined);
  };
  if (response.body === null || isHead) {
    await response.body?.cancel();
    writeHead();
    out.end();
    return;
  }
  const chunks = (response.body as unknown as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]();
  // The first chunk before the status line: a body given whole (text, bytes, a Blob) arrives as
  // one chunk, so an oversized one is still a clean 500. Only a stream can outgrow the limit
  // after the headers are out; then the connection is cut.
  let next = await chunks.next();
  let sent = 0;
  let headSent = false;
  while (!next.done) {
    sent += next.value.byteLength;
    if (sent > HTTP_ACTION_BODY_LIMIT) {
      await chunks.return?.();
      if (headSent) out.destroy();
      throw new ResponseTooLargeError();
    }
    if (!headSent) {
      writeHead();
      headSent = true;
    }
    if (!out.write(next.value)) await new Promise<void>((resolve) => out.once("drain", resolve));
    if (out.destroyed) return void (await chunks.return?.()); // the client went away
    next = await chunks.next();
  }
  if (!headSent) writeHead();
  out.end();
}

// The file URLs (`/api/storage/<id>`: GET and HEAD, with ETag and byte ranges) and the upload
// URL (`POST /api/storage/upload?token=...`, answering `{"storageId": ...}`).

import type { IncomingMessage, ServerResponse } from "node:http";
import { pipeline } from "node:stream/promises";
import type { FileStorage } from "../storage/file-storage.js";
import { blobKeyOf } from "../storage/storage-table.js";
import { UploadTokenError } from "../storage/upload-tokens.js";
import { HttpProblem, sendJson } from "./request-body.js";

export const STORAGE_PREFIX = "/api/storage/";
const UPLOAD_PATH = `${STORAGE_PREFIX}upload`;

/** Files are immutable while they exist, so a browser may keep one for a while without asking. */
const CACHE_CONTROL = "private, max-age=3600";

/**
 * Answers a request under `/api/storage/`.
 *
 * @example
 * if (path.startsWith(STORAGE_PREFIX)) return handleStorageRequest(request, response, storage, corsHeaders);
 */
export async function handleStorageRequest(
  request: IncomingMessage,
  response: ServerResponse,
  storage: FileStorage,
  corsHeaders: Record<string, string>,
): Promise<void> {
  const url = new URL(request.url ?? "/", "http://localhost");
  if (url.pathname === UPLOAD_PATH) {
    if (request.method !== "POST") throw new HttpProblem(405, "MethodNotAllowed", `${UPLOAD_PATH} takes POST.`, { Allow: "POST, OPTIONS" });
    await upload(request, response, storage, url.searchParams.get("token"), corsHeaders);
    return;
  }
  if (request.method !== "GET" && request.method !== "HEAD") {
    throw new HttpProblem(405, "MethodNotAllowed", "Files are read with GET or HEAD; upload with POST to an upload URL.", { Allow: "GET, HEAD, OPTIONS" });
  }
  await serveFile(request, response, storage, decodeURIComponent(url.pathname.slice(STORAGE_PREFIX.length)), corsHeaders);
}

async function upload(request: IncomingMessage, response: ServerResponse, storage: FileStorage, token: string | null, corsHeaders: Record<string, string>): Promise<void> {
  try {
    storage.checkUploadToken(token);
  } catch (error) {
    if (!(error instanceof UploadTokenError)) throw error;
    request.resume(); // the body is not wanted; read it off so the answer goes out cleanly
    throw new HttpProblem(error.code === "MissingUploadToken" ? 400 : 401, error.code, error.message, corsHeaders);
  }
  const contentType = request.headers["content-type"];
  let storageId: string;
  try {
    storageId = await storage.store(request, { contentType });
  } catch (error) {
    // A client that went away mid-upload is not a server error worth a stack trace in the log.
    if (!request.complete) throw new HttpProblem(400, "UploadAborted", "The upload ended before its last byte; nothing was stored.", corsHeaders);
    throw error;
  }
  sendJson(response, 200, { storageId }, corsHeaders);
}

async function serveFile(request: IncomingMessage, response: ServerResponse, storage: FileStorage, id: string, corsHeaders: Record<string, string>): Promise<void> {
  const file = await storage.metadata(id);
  const key = file === null ? undefined : blobKeyOf(file.sha256);
  const size = key === undefined ? undefined : await storage.blobs.size(key);
  if (file === null || key === undefined || size === undefined) {
    throw new HttpProblem(404, "FileNotFound", `There is no file ${id} (it may have been deleted).`, corsHeaders);
  }
  const etag = `"${file.sha256}"`;
  const headers: Record<string, string | number> = {
    ...corsHeaders,
    "Content-Type": file.contentType ?? "application/octet-stream",
    ETag: etag,
    "Cache-Control": CACHE_CONTROL,
    "Accept-Ranges": "bytes",
  };
  if (request.headers["if-none-match"]?.split(",").some((tag) => tag.trim() === etag)) {
    response.writeHead(304, headers);
    response.end();
    return;
  }
  const range = parseRange(request.headers.range, size);
  if (range === "unsatisfiable") {
    throw new HttpProblem(416, "RangeNotSatisfiable", `The file has ${size} bytes; the requested range is outside it.`, { ...corsHeaders, "Content-Range": `bytes */${size}` });
  }
  const length = range === undefined ? size : range.end - range.start + 1;
  if (range !== undefined) headers["Content-Range"] = `bytes ${range.start}-${range.end}/${size}`;
  response.writeHead(range === undefined ? 200 : 206, { ...headers, "Content-Length": length });
  if (request.method === "HEAD" || length === 0) {
    response.end();
    return;
  }
  await pipeline(storage.blobs.stream(key, range), response);
}

/**
 * One `bytes=` range of a file of `size` bytes: undefined for no (or an ignorable) Range header,
 * as RFC 9110 lets a server answer multiple ranges with the whole file.
 */
export function parseRange(header: string | undefined, size: number): { start: number; end: number } | "unsatisfiable" | undefined {
  const match = header === undefined ? null : /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (match === null) return undefined;
  const [, first = "", last = ""] = match;
  if (first === "" && last === "") return undefined;
  if (first === "") {
    const suffix = Number(last);
    if (suffix === 0 || size === 0) return "unsatisfiable";
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  if (last !== "" && Number(last) < start) return undefined; // malformed: ignored, like no Range at all
  if (start >= size) return "unsatisfiable";
  return { start, end: last === "" ? size - 1 : Math.min(Number(last), size - 1) };
}

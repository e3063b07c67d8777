// The file URLs (`/api/storage/<id>`: GET and HEAD, with ETag and byte ranges) and the upload
// URL (`POST /api/storage/upload?token=...`, answering `{"storageId": ...}`).

import type { IncomingMessage, ServerResponse } from "node:http";
import { pipeline } from "node:stream/promises";
import type { FileMetadata } from "../define/system-tables.js";
import type { OpenBlob } from "../storage/blob-store.js";
import type { FileStorage } from "../storage/file-storage.js";
import { blobKeyOf } from "../storage/storage-table.js";
import { UploadTokenError } from "../storage/upload-tokens.js";
import { HttpProblem, sendJson } from "./request-body.js";
import { requestUrl } from "./request-url.js";

export const STORAGE_PREFIX = "/api/storage/";
const UPLOAD_PATH = `${STORAGE_PREFIX}upload`;

/**
 * A browser may keep a file but must ask before using it again: a deleted file must stop showing.
 * The ETag makes asking cheap (a 304 without the bytes).
 */
const CACHE_CONTROL = "private, no-cache";

/**
 * Uploaded content is served as uploaded, on the API's origin: it must never run there as a page
 * (an uploaded HTML file with a script), nor be sniffed into something its type does not say.
 */
const CONTENT_SAFETY = { "X-Content-Type-Options": "nosniff", "Content-Security-Policy": "sandbox" };

/** What a page reading a file with `fetch` from another origin may see. */
const EXPOSED = { "Access-Control-Expose-Headers": "ETag, Content-Range, Accept-Ranges" };

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
  const url = requestUrl(request.url, "http://localhost");
  if (url.pathname === UPLOAD_PATH) {
    if (request.method !== "POST") throw new HttpProblem(405, "MethodNotAllowed", `${UPLOAD_PATH} takes POST.`, { ...corsHeaders, Allow: "POST, OPTIONS" });
    await upload(request, response, storage, url.searchParams.get("token"), corsHeaders);
    return;
  }
  if (request.method !== "GET" && request.method !== "HEAD") {
    throw new HttpProblem(405, "MethodNotAllowed", "Files are read with GET or HEAD; upload with POST to an upload URL.", { ...corsHeaders, Allow: "GET, HEAD, OPTIONS" });
  }
  await serveFile(request, response, storage, fileId(url.pathname), corsHeaders);
}

async function upload(request: IncomingMessage, response: ServerResponse, storage: FileStorage, token: string | null, corsHeaders: Record<string, string>): Promise<void> {
  try {
    storage.checkUploadToken(token);
  } catch (error) {
    if (!(error instanceof UploadTokenError)) throw error;
    request.resume(); // the body is not wanted; read it off so the answer goes out cleanly
    throw new HttpProblem(error.code === "MissingUploadToken" ? 400 : 401, error.code, error.message, corsHeaders);
  }
  let storageId: string;
  try {
    storageId = await storage.store(request, { contentType: request.headers["content-type"] });
  } catch (error) {
    // A client that went away mid-upload is not a server error worth a stack trace in the log
    // (Node fails the request's stream with ECONNRESET); a failing disk is.
    if ((error as NodeJS.ErrnoException).code === "ECONNRESET" && !request.complete) {
      throw new HttpProblem(400, "UploadAborted", "The upload ended before its last byte; nothing was stored.", corsHeaders);
    }
    throw error;
  }
  sendJson(response, 200, { storageId }, corsHeaders);
}

async function serveFile(request: IncomingMessage, response: ServerResponse, storage: FileStorage, id: string, corsHeaders: Record<string, string>): Promise<void> {
  const file = await storage.metadata(id);
  // Opened before anything is answered: a deletion from now on cannot cut the answer short.
  const blob = file === null ? undefined : await storage.blobs.open(blobKeyOf(file.sha256));
  if (file === null || blob === undefined) {
    throw new HttpProblem(404, "FileNotFound", `There is no file ${id} (it may have been deleted).`, corsHeaders);
  }
  let streaming = false;
  try {
    streaming = await answer(request, response, file, blob, corsHeaders);
  } finally {
    if (!streaming) await blob.close();
  }
}

/** Writes the answer for an open blob; true when it handed the blob to a stream (which closes it). */
async function answer(request: IncomingMessage, response: ServerResponse, file: FileMetadata, blob: OpenBlob, corsHeaders: Record<string, string>): Promise<boolean> {
  const etag = `"${file.sha256}"`;
  const headers: Record<string, string | number> = {
    ...corsHeaders,
    ...EXPOSED,
    ...CONTENT_SAFETY,
    "Content-Type": file.contentType ?? "application/octet-stream",
    ETag: etag,
    "Cache-Control": CACHE_CONTROL,
    "Accept-Ranges": "bytes",
  };
  if (etagMatches(request.headers["if-none-match"], etag)) {
    response.writeHead(304, headers);
    response.end();
    return false;
  }
  const range = wantsRange(request, etag) ? parseRange(request.headers.range, blob.size) : undefined;
  if (range === "unsatisfiable") {
    throw new HttpProblem(416, "RangeNotSatisfiable", `The file has ${blob.size} bytes; the requested range is outside it.`, {
      ...corsHeaders,
      "Content-Range": `bytes */${blob.size}`,
    });
  }
  const length = range === undefined ? blob.size : range.end - range.start + 1;
  if (range !== undefined) headers["Content-Range"] = `bytes ${range.start}-${range.end}/${blob.size}`;
  response.writeHead(range === undefined ? 200 : 206, { ...headers, "Content-Length": length });
  if (request.method === "HEAD" || length === 0) {
    response.end();
    return false;
  }
  try {
    await pipeline(blob.stream(range), response);
  } catch (error) {
    // A browser that stops loading (a cancelled image, a seek in a video) is not a server error.
    if ((error as NodeJS.ErrnoException).code !== "ERR_STREAM_PREMATURE_CLOSE") throw error;
  }
  return true;
}

/** The id in a file URL; a path that does not even decode names no file. */
function fileId(pathname: string): string {
  try {
    return decodeURIComponent(pathname.slice(STORAGE_PREFIX.length));
  } catch {
    throw new HttpProblem(404, "FileNotFound", "There is no file at this malformed path.");
  }
}

/** `If-None-Match` by weak comparison (RFC 9110 §13.1.2): `*`, or a listed tag with or without `W/`. */
function etagMatches(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  return header.split(",").some((tag) => {
    const trimmed = tag.trim();
    return trimmed === "*" || trimmed.replace(/^W\//, "") === etag;
  });
}

/**
 * Whether to honour `Range`: not for HEAD, and under `If-Range` only while the file is the one
 * the client has (a strong ETag match; a date cannot match, as files have no Last-Modified).
 */
function wantsRange(request: IncomingMessage, etag: string): boolean {
  if (request.method !== "GET") return false;
  const ifRange = request.headers["if-range"];
  return ifRange === undefined || (typeof ifRange === "string" && ifRange.trim() === etag);
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

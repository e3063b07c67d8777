// Starting the real server for tests (port 0, a private database) and calling it over HTTP.

import { join } from "node:path";
import { startServer, type RunningServer, type ServerOptions } from "syncline/server";
import type { JSONValue } from "syncline/values";
import { testDatabase } from "./test-database.js";

/** The functions folder of the documentation examples and behaviour fixtures. */
export const FIXTURE_DIR = join(import.meta.dirname, "../fixtures/app/syncline");

/** Starts the server on the fixture folder (or `options.dir`) with a fresh database. */
export function startTestServer(options: ServerOptions = {}): Promise<RunningServer> {
  return startServer({ dir: FIXTURE_DIR, port: 0, db: testDatabase(), ...options });
}

export interface HttpAnswer {
  status: number;
  body: Record<string, JSONValue>;
}

/** POSTs a JSON body to `url + path`. */
export async function post(url: string, path: string, body: unknown, headers: Record<string, string> = {}): Promise<HttpAnswer> {
  const response = await fetch(`${url}${path}`, {
    method: "POST",
    headers: { "Content-Type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, JSONValue> };
}

/** Calls a function through `/api/<kind>` with encoded args. */
export function call(url: string, kind: "query" | "mutation" | "action", path: string, args: JSONValue = {}): Promise<HttpAnswer> {
  return post(url, `/api/${kind}`, { path, format: "convex_encoded_json", args: [args] });
}

/** A logger that keeps what the server printed: errors and the functions' log lines. */
export function recordingLogger(): { logger: import("syncline/server").ServerLogger; lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    logger: {
      info() {},
      warn() {},
      error: (message) => lines.push(`error: ${message}`),
      functionLine: (kind, name, line) => lines.push(`${kind} ${name} ${line}`),
    },
  };
}

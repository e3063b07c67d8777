// Function calls over HTTP (protocol.md §13): one POST per call. Used by SynclineHttpClient and
// for server-side preloading. It moves encoded values and knows nothing about their meaning.

import type { JSONValue } from "../src/values/value.js";

export type HttpFunctionKind = "query" | "mutation" | "action";

/** What the server answered for a function call (it threw or it returned). */
export type HttpCallOutcome =
  | { status: "success"; value: JSONValue; logLines: string[] }
  | { status: "error"; errorMessage: string; errorData?: JSONValue; logLines: string[] };

/** The request was not a function call the server could run (4xx/5xx with `{code, message}`). */
export class HttpRequestError extends Error {
  override readonly name = "HttpRequestError";
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export type FetchFunction = (input: string, init: { method: string; headers: Record<string, string>; body: string }) => Promise<{
  status: number;
  ok: boolean;
  text(): Promise<string>;
}>;

export interface HttpTransportOptions {
  /** `http(s)://<host>` of the deployment. */
  url: string;
  /** Defaults to the global `fetch`. */
  fetch?: FetchFunction;
}

/**
 * Calls functions with encoded arguments.
 *
 * @example
 * const http = new HttpTransport({ url: "http://127.0.0.1:3210" });
 * const outcome = await http.call("query", "messages:list", { room: "a" });
 */
export class HttpTransport {
  readonly #base: string;
  readonly #fetch: FetchFunction;

  constructor(options: HttpTransportOptions) {
    if (!/^https?:\/\//.test(options.url)) {
      throw new Error(`Deployment URL must start with http:// or https://, got ${JSON.stringify(options.url)}`);
    }
    this.#base = options.url.replace(/\/+$/, "");
    const fetchFunction = options.fetch ?? (globalThis.fetch as unknown as FetchFunction | undefined);
    if (fetchFunction === undefined) throw new Error("There is no global fetch here; pass one in the options.");
    this.#fetch = fetchFunction;
  }

  get url(): string {
    return this.#base;
  }

  /** POSTs `/api/<kind>`; resolves with the function's outcome, rejects with HttpRequestError otherwise. */
  async call(kind: HttpFunctionKind, path: string, encodedArgs: JSONValue, options: { token?: string } = {}): Promise<HttpCallOutcome> {
    const headers: Record<string, string> = { "Content-Type": "application/json" };
    if (options.token !== undefined) headers.Authorization = `Bearer ${options.token}`;
    const response = await this.#fetch(`${this.#base}/api/${kind}`, {
      method: "POST",
      headers,
      body: JSON.stringify({ path, format: "convex_encoded_json", args: [encodedArgs] }),
    });
    const text = await response.text();
    let body: Record<string, JSONValue>;
    try {
      body = JSON.parse(text) as Record<string, JSONValue>;
    } catch {
      throw new HttpRequestError(response.status, "BadResponse", `The server answered ${response.status} with a body that is not JSON: ${text.slice(0, 200)}`);
    }
    if (typeof body !== "object" || body === null || Array.isArray(body)) {
      throw new HttpRequestError(response.status, "BadResponse", `The server answered ${response.status} with JSON that is not an object: ${text.slice(0, 200)}`);
    }
    if (response.status !== 200) {
      throw new HttpRequestError(response.status, String(body.code ?? "HttpError"), String(body.message ?? `HTTP ${response.status}`));
    }
    const logLines = Array.isArray(body.logLines) ? (body.logLines as string[]) : [];
    if (body.status === "success") return { status: "success", value: body.value ?? null, logLines };
    if (body.status === "error") {
      return {
        status: "error",
        errorMessage: String(body.errorMessage),
        ...(body.errorData !== undefined ? { errorData: body.errorData } : {}),
        logLines,
      };
    }
    throw new HttpRequestError(response.status, "BadResponse", `The server answered without a status: ${text.slice(0, 200)}`);
  }
}

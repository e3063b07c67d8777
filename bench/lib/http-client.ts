// A cheap keep-alive HTTP client for the server's /api/<kind> endpoints, built on node:http.
// Node's global fetch (undici) costs about 1 ms of client CPU per request on the 2-core bench
// machine, which made the load generator - not the server - the bottleneck at 50 clients;
// node:http with a keep-alive agent costs a fraction of that.

import http from "node:http";

/**
 * @example
 * const client = new HttpApiClient(server.url);
 * const id = await client.call("mutation", "notes:insertOne", { client: 0, seq: 0, body: "hi" });
 * client.close();
 */
export class HttpApiClient {
  readonly #agent: http.Agent;
  readonly #host: string;
  readonly #port: number;

  constructor(url: string, options: { maxSockets?: number } = {}) {
    const parsed = new URL(url);
    this.#host = parsed.hostname;
    this.#port = Number(parsed.port);
    this.#agent = new http.Agent({ keepAlive: true, maxSockets: options.maxSockets ?? 256 });
  }

  /** Calls a function with `format: "convex_encoded_json"`; resolves with the value, rejects on an error outcome. */
  call(kind: "query" | "mutation" | "action", path: string, args: Record<string, unknown>): Promise<unknown> {
    const body = JSON.stringify({ path, format: "convex_encoded_json", args: [args] });
    return new Promise((resolve, reject) => {
      const request = http.request(
        {
          agent: this.#agent,
          host: this.#host,
          port: this.#port,
          path: `/api/${kind}`,
          method: "POST",
          headers: { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body) },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on("data", (chunk: Buffer) => chunks.push(chunk));
          response.on("error", reject);
          response.on("end", () => {
            try {
              const answer = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { status?: string; value?: unknown; errorMessage?: string; message?: string };
              if (answer.status === "success") resolve(answer.value);
              else reject(new Error(`${path}: ${answer.errorMessage ?? answer.message ?? `HTTP ${response.statusCode}`}`));
            } catch (error) {
              reject(error);
            }
          });
        },
      );
      request.on("error", reject);
      request.end(body);
    });
  }

  /** Closes the idle keep-alive sockets. */
  close(): void {
    this.#agent.destroy();
  }
}

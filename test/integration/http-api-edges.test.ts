// The HTTP side at its edges: a field named __proto__ in "json" answers, the official client's
// consistentQuery, and a server answering JSON that is not an object.

import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { ConvexHttpClient } from "convex/browser";
import { anyApi } from "convex/server";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { SynclineHttpClient } from "syncline";
import type { RunningServer } from "syncline/server";
import { api } from "../fixtures/app/syncline/_generated/api.js";
import { post, startTestServer } from "../helpers/server.js";

let server: RunningServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

describe('format "json" (protocol.md §11.3)', () => {
  // "__proto__" is a valid field name (§11.2: non-empty, printable ASCII, not starting with "$"),
  // and the lossless format keeps it. The clean format assigns it with `out[key] = ...`, which
  // sets the output object's prototype instead of adding a field: the field disappears.
  it('keeps a field named "__proto__", as convex_encoded_json does', async () => {
    const args = '{"__proto__": {"x": 1}, "a": 2}';
    const encoded = await post(server.url, "/api/query", `{"path": "behaviour:echo", "format": "convex_encoded_json", "args": [${args}]}`);
    expect(Object.keys(encoded.body.value as object)).toEqual(["__proto__", "a"]);

    const clean = await post(server.url, "/api/run/behaviour/echo", `{"args": ${args}}`);
    expect(clean.body.status).toBe("success");
    expect(Object.keys(clean.body.value as object)).toEqual(["__proto__", "a"]);
    expect(JSON.stringify(clean.body.value)).toBe('{"__proto__":{"x":1},"a":2}');
  });
});

describe("ConvexHttpClient against Syncline", () => {
  // consistentQuery (experimental there) reads at a past snapshot, which Syncline cannot: it is
  // refused with a message that says so, on both of its endpoints, never half-served.
  it("consistentQuery is refused with a clear reason", async () => {
    const client = new ConvexHttpClient(server.url, { logger: false });
    await expect(client.consistentQuery(anyApi.myFunctions!.sum!, { a: 1, b: 2 })).rejects.toThrow(/consistentQuery is not supported; use query/);
    await expect(client.query(anyApi.myFunctions!.sum!, { a: 1, b: 2 })).resolves.toBe(3);
  });
});

describe("SynclineHttpClient against a misbehaving server", () => {
  let stub: Server | undefined;
  afterEach(() => new Promise<void>((resolve) => (stub ? stub.close(() => resolve()) : resolve())));

  async function answering(status: number, text: string): Promise<string> {
    stub = createServer((request, response) => {
      request.resume();
      request.on("end", () => {
        response.writeHead(status, { "Content-Type": "application/json" });
        response.end(text);
      });
    });
    await new Promise<void>((resolve) => stub!.listen(0, "127.0.0.1", () => resolve()));
    return `http://127.0.0.1:${(stub.address() as AddressInfo).port}`;
  }

  // transport/http.ts documents `call` as resolving with the outcome or rejecting with
  // HttpRequestError; a JSON answer that is not an object (a proxy's `null`) crashes it with a
  // TypeError ("Cannot read properties of null") instead.
  it.each([
    [200, "null"],
    [502, "null"],
  ])("answers %i with JSON %s: an HttpRequestError, not a TypeError", async (status, text) => {
    const url = await answering(status, text);
    const client = new SynclineHttpClient(url, { logger: false });
    const error = await client.query(api.myFunctions.sum, { a: 1, b: 2 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: "HttpRequestError", status });
  });
});

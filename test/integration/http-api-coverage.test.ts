// The HTTP side: CORS on every endpoint, internal functions, the "json" format for every value
// type, SynclineHttpClient's queue and refusals, and preloadQuery's round trip.

import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createElement } from "react";
import { renderToString } from "react-dom/server";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { isAppError, SynclineClient, SynclineHttpClient } from "syncline";
import { preloadQuery, SynclineProvider, usePreloadedQuery, type Preloaded } from "syncline/react";
import type { RunningServer } from "syncline/server";
import { api } from "../fixtures/app/syncline/_generated/api.js";
import { post, startTestServer } from "../helpers/server.js";

const ADMIN_KEY = "test-admin-key";
let server: RunningServer;
beforeAll(async () => {
  server = await startTestServer({ adminKey: ADMIN_KEY });
});
afterAll(() => server.close());

describe("CORS", () => {
  it.each(["/api/query", "/api/mutation", "/api/action", "/api/function", "/api/run/behaviour/echo"])(
    "a preflight to %s is answered with the headers the clients send",
    async (path) => {
      const response = await fetch(`${server.url}${path}`, {
        method: "OPTIONS",
        headers: { Origin: "http://app.example", "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type,authorization,convex-client" },
      });
      expect(response.status).toBe(204);
      expect(response.headers.get("access-control-allow-origin")).toBe("*");
      expect(response.headers.get("access-control-allow-methods")).toContain("POST");
      const allowed = response.headers.get("access-control-allow-headers")!.toLowerCase();
      for (const header of ["content-type", "authorization", "convex-client"]) expect(allowed).toContain(header);
    },
  );

  it("4xx answers are readable cross-origin too", async () => {
    const response = await fetch(`${server.url}/api/query`, { method: "POST", headers: { "Content-Type": "application/json" }, body: "{" });
    expect(response.status).toBe(400);
    expect(response.headers.get("access-control-allow-origin")).toBe("*");
  });
});

describe("internal functions over HTTP", () => {
  const missing = (name: string) => `Could not find public function for '${name}'.`;
  it("are refused like missing ones on every endpoint, and run with the admin key", async () => {
    const bodies: Array<[string, unknown]> = [
      ["/api/mutation", { path: "behaviour:hidden", args: [{}], format: "json" }],
      ["/api/query", { path: "behaviour:hidden", args: [{}], format: "json" }],
      ["/api/function", { path: "behaviour:hidden", args: {}, format: "json" }],
      ["/api/run/behaviour/hidden", { args: {} }],
    ];
    for (const [path, body] of bodies) {
      expect((await post(server.url, path, body)).body).toEqual({ status: "error", errorMessage: missing("behaviour:hidden"), logLines: [] });
    }
    expect((await post(server.url, "/api/function", { path: "behaviour:nothing", args: {} })).body.errorMessage).toBe(missing("behaviour:nothing"));
    // A wrong admin key is just an anonymous client.
    const wrong = { Authorization: "Syncline-Admin not-the-key" };
    expect((await post(server.url, "/api/function", { path: "behaviour:hidden", args: {} }, wrong)).body.errorMessage).toBe(missing("behaviour:hidden"));
    const admin = { Authorization: `Syncline-Admin ${ADMIN_KEY}` };
    expect((await post(server.url, "/api/function", { path: "behaviour:hidden", args: {}, format: "json" }, admin)).body).toMatchObject({ status: "success", value: "internal ran" });
    expect((await post(server.url, "/api/run/behaviour/hidden", { args: {} }, admin)).body).toMatchObject({ status: "success", value: "internal ran" });
  });
});

describe('format "json" for every value type', () => {
  it("success values and AppError data", async () => {
    const args = {
      i: { $integer: "//////////8=" },
      b: { $bytes: "AQID" },
      nan: { $float: "AAAAAAAA+H8=" },
      ninf: { $float: "AAAAAAAA8P8=" },
      nested: [{ $integer: "AQAAAAAAAAA=" }, null, true, "s", 1.5],
    };
    const answer = await post(server.url, "/api/query", { path: "behaviour:echo", args: [args], format: "json" });
    expect(answer.body).toEqual({
      status: "success",
      value: { b: "AQID", i: "-1", nan: "NaN", nested: ["1", null, true, "s", 1.5], ninf: "-Infinity" },
      logLines: [],
    });
    const failed = await post(server.url, "/api/mutation", { path: "behaviour:failWithData", args: [{ code: "X" }], format: "json" });
    expect(failed.body).toMatchObject({ status: "error", errorData: { code: "X", retry: false } });
  });
});

describe("SynclineHttpClient", () => {
  let stub: Server | undefined;
  afterEach(() => new Promise<void>((resolve) => (stub ? stub.close(() => resolve()) : resolve())));

  it("keeps the mutation queue going after failures of every sort, in call order", async () => {
    const seen: string[] = [];
    let open = 0;
    let maxOpen = 0;
    stub = createServer(async (request: IncomingMessage, response) => {
      let text = "";
      for await (const chunk of request) text += chunk;
      const body = (JSON.parse(text) as { args: [{ body: string }] }).args[0].body;
      seen.push(body);
      open++;
      maxOpen = Math.max(maxOpen, open);
      setTimeout(() => {
        open--;
        if (body === "drop") return response.socket?.destroy();
        if (body === "500") {
          response.writeHead(502, { "Content-Type": "text/html" });
          return response.end("<html>Bad Gateway</html>");
        }
        response.writeHead(200, { "Content-Type": "application/json" });
        response.end(JSON.stringify(body === "fail" ? { status: "error", errorMessage: "no", errorData: "d" } : { status: "success", value: body }));
      }, 20);
    });
    await new Promise<void>((resolve) => stub!.listen(0, "127.0.0.1", () => resolve()));
    const client = new SynclineHttpClient(`http://127.0.0.1:${(stub.address() as AddressInfo).port}`, { logger: false });
    const send = (body: string) => client.mutation(api.behaviour.send, { room: "r", body }).then(
      (v) => `ok:${String(v)}`,
      (e: Error & { code?: string }) => (isAppError(e) ? `app:${String(e.data)}` : `${e.name}:${e.code ?? ""}`),
    );
    const results = await Promise.all(["fail", "500", "drop", "last"].map(send));
    expect(seen).toEqual(["fail", "500", "drop", "last"]);
    expect(maxOpen).toBe(1);
    expect(results[0]).toBe("app:d");
    expect(results[1]).toBe("HttpRequestError:BadResponse");
    expect(results[2]).toMatch(/^TypeError/); // fetch failed
    expect(results[3]).toBe("ok:last");
  });

  it("refuses arguments that are not values before sending anything", async () => {
    let requests = 0;
    stub = createServer((_request, response) => {
      requests++;
      response.end("{}");
    });
    await new Promise<void>((resolve) => stub!.listen(0, "127.0.0.1", () => resolve()));
    const client = new SynclineHttpClient(`http://127.0.0.1:${(stub.address() as AddressInfo).port}`, { logger: false });
    await expect(client.query(api.behaviour.echo, new Map() as never)).rejects.toThrow(/plain object/);
    await expect(client.mutation(api.behaviour.send, { room: "r", body: new Date() as never })).rejects.toThrow(/body/);
    await expect(client.action(api.behaviour.slowAction, { ms: () => 1 } as never)).rejects.toThrow(/ms/);
    expect(requests).toBe(0);
  });

  it("against the real server: int64, bytes and special floats both ways, AppError data", async () => {
    const client = new SynclineHttpClient(server.url, { logger: false });
    const value = { i: -(2n ** 63n), b: new Uint8Array([0, 255]).buffer, nan: NaN, negZero: -0 };
    const echoed = (await client.query(api.behaviour.echo, value)) as typeof value;
    expect(echoed.i).toBe(-(2n ** 63n));
    expect([...new Uint8Array(echoed.b)]).toEqual([0, 255]);
    expect(echoed.nan).toBeNaN();
    expect(Object.is(echoed.negZero, -0)).toBe(true);
    const error = await client.mutation(api.behaviour.failWithData, { code: "C" }).catch((e: unknown) => e);
    expect(isAppError(error) && error.data).toEqual({ code: "C", retry: false });
  });
});

describe("preloadQuery", () => {
  it("int64, bytes and special floats survive the JSON round trip into usePreloadedQuery", async () => {
    const args = { i: 2n ** 62n, b: new Uint8Array([1, 2, 3]).buffer, inf: -Infinity };
    const preloaded = await preloadQuery(api.behaviour.echo, args, { url: server.url });
    const shipped = JSON.parse(JSON.stringify(preloaded)) as Preloaded<typeof api.behaviour.echo>;
    const client = new SynclineClient(server.url, { WebSocket: WebSocket as never, logger: false, unsavedChangesWarning: false });
    try {
      let seen: unknown;
      function Page() {
        const value = usePreloadedQuery(shipped) as typeof args;
        seen = value;
        return createElement("p", null, `i=${typeof value.i}:${String(value.i)} b=${[...new Uint8Array(value.b)].join(",")} inf=${value.inf}`);
      }
      const html = renderToString(createElement(SynclineProvider, { client }, createElement(Page)));
      expect(html).toContain(`i=bigint:${2n ** 62n} b=1,2,3 inf=-Infinity`);
      expect((seen as typeof args).b).toBeInstanceOf(ArrayBuffer);
    } finally {
      await client.close();
    }
  });

  it("rejects with the query's error, naming the function", async () => {
    await expect(preloadQuery(api.behaviour.failPlain, {}, { url: server.url })).rejects.toThrow(/\[Q\(behaviour:failPlain\)\].*something secret broke/s);
  });
});

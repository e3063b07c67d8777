// SynclineHttpClient against a stub of the HTTP API (protocol.md §13).

import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { AppError, isAppError, SynclineHttpClient } from "syncline";
import { api, internal } from "../../fixtures/app/syncline/_generated/api.js";
import type { Id } from "syncline/values";
import { fn, recordingLogger } from "./support/setup.js";

interface Call {
  url: string;
  authorization: string | undefined;
  body: { path: string; format: string; args: unknown[] };
}

let server: Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

/** A stub API: `answer` decides each response (after `delayMs` for mutations named "slow"). */
async function stub(answer: (call: Call) => { status?: number; body: unknown; delayMs?: number }) {
  const calls: Call[] = [];
  server = createServer(async (request: IncomingMessage, response) => {
    let text = "";
    for await (const chunk of request) text += chunk;
    const call: Call = { url: request.url ?? "", authorization: request.headers.authorization, body: JSON.parse(text) };
    calls.push(call);
    const { status = 200, body, delayMs = 0 } = answer(call);
    setTimeout(() => {
      response.writeHead(status, { "Content-Type": "application/json" });
      response.end(JSON.stringify(body));
    }, delayMs);
  });
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", () => resolve()));
  return { url: `http://127.0.0.1:${(server!.address() as AddressInfo).port}`, calls };
}

describe("SynclineHttpClient", () => {
  it("calls /api/<kind> with encoded args and decodes the value; the token travels as a Bearer header", async () => {
    const { url, calls } = await stub(() => ({ body: { status: "success", value: { n: { $integer: "AQAAAAAAAAA=" } }, logLines: [] } }));
    const client = new SynclineHttpClient(url, { logger: false });
    client.setAuth("tok");
    await expect(client.query(api.myFunctions.sum, { b: 2, a: 1 })).resolves.toEqual({ n: 1n });
    expect(calls[0]).toEqual({
      url: "/api/query",
      authorization: "Bearer tok",
      body: { path: "myFunctions:sum", format: "convex_encoded_json", args: [{ a: 1, b: 2 }] },
    });
    client.clearAuth();
    await client.action(api.changes.upgrade, { planId: "p" as Id<"plans">, paymentUrl: "u" });
    expect(calls[1]).toMatchObject({ url: "/api/action", authorization: undefined });
  });

  it("rejects function errors with the function named and AppError data; prints log lines", async () => {
    const { url } = await stub(() => ({ body: { status: "error", errorMessage: "bad", errorData: { code: "X" }, logLines: ["[INFO] 'ran'"] } }));
    const log = recordingLogger();
    const client = new SynclineHttpClient(url, { logger: log.logger });
    const error = await client.mutation(fn.send, { room: "a", body: "b" }).catch((e: unknown) => e);
    expect(isAppError(error)).toBe(true);
    expect((error as AppError).message).toBe("[M(messages:send)] bad");
    expect((error as AppError).data).toEqual({ code: "X" });
    expect(log.lines).toEqual([
      { level: "info", text: "[M(messages:send)] [INFO] 'ran'" },
      { level: "error", text: "[M(messages:send)] bad" },
    ]);
  });

  it("turns a non-function answer (4xx with {code, message}) into an HttpRequestError", async () => {
    const { url } = await stub(() => ({ status: 400, body: { code: "BadJsonBody", message: "nope" } }));
    const client = new SynclineHttpClient(url, { logger: false });
    await expect(client.query(fn.list, { room: "a" })).rejects.toMatchObject({ name: "HttpRequestError", status: 400, code: "BadJsonBody", message: "nope" });
  });

  it("runs mutations one at a time in call order, unless skipQueue", async () => {
    const { url, calls } = await stub((call) => ({
      body: { status: "success", value: (call.body.args[0] as { body: string }).body, logLines: [] },
      delayMs: (call.body.args[0] as { body: string }).body === "slow" ? 150 : 0,
    }));
    const client = new SynclineHttpClient(url, { logger: false });
    const order: string[] = [];
    const track = (p: Promise<unknown>) => p.then((v) => order.push(String(v)));
    await Promise.all([
      track(client.mutation(fn.send, { room: "a", body: "slow" })),
      track(client.mutation(fn.send, { room: "a", body: "second" })),
      track(client.mutation(fn.send, { room: "a", body: "skipper" }, { skipQueue: true })),
    ]);
    expect(order).toEqual(["skipper", "slow", "second"]);
    // "second" was not even sent before "slow" finished.
    expect(calls.map((c) => (c.body.args[0] as { body: string }).body).filter((b) => b !== "skipper")).toEqual(["slow", "second"]);
  });

  it("refuses internal, wrong-kind and string references before sending anything", async () => {
    const { url, calls } = await stub(() => ({ body: { status: "success", value: null } }));
    const client = new SynclineHttpClient(url, { logger: false });
    await expect(client.mutation(internal.plans.markPlanAsProfessional as never, {} as never)).rejects.toThrow(/internal function/);
    await expect(client.query(api.myFunctions.createTask as never, {} as never)).rejects.toThrow(/is a mutation, but it was called as a query/);
    await expect(client.action("changes:upgrade" as never, {} as never)).rejects.toThrow(/got the string/);
    expect(calls).toEqual([]);
  });
});

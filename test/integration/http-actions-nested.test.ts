// HTTP actions - streamed responses, nested calls (AppError data, log lines),
// process.env, ctx.runMutation from a handler.

import { describe, expect, it } from "vitest";
import { startServer, type RunningServer } from "syncline/server";
import { cleanupAfterEach } from "../helpers/cleanups.js";
import { call, recordingLogger } from "../helpers/server.js";
import { tempProject } from "../helpers/temp-project.js";
import { testDatabase } from "../helpers/test-database.js";

const cleanups = cleanupAfterEach();

const FILES = {
  "data.ts": `import { internalMutation, internalQuery, query } from "syncline/server";
import { AppError, v } from "syncline/values";
export const add = internalMutation({ args: { text: v.string() }, handler: async (ctx, { text }) => { console.log("adding", text); await ctx.db.insert("notes", { text }); } });
export const refuse = internalMutation({ args: {}, handler: async () => { throw new AppError({ code: "FULL" }); } });
export const list = query({ args: {}, handler: async (ctx) => (await ctx.db.query("notes").collect()).map((n) => n.text) });
`,
  "http.ts": `import { httpRouter, httpAction, anyApi } from "syncline/server";
const internal = anyApi as any;
const http = httpRouter();
let release: (() => void) | undefined;
const released = new Promise<void>((resolve) => { release = resolve; });
http.route({ path: "/stream", method: "GET", handler: httpAction(async () => {
  const encoder = new TextEncoder();
  const body = new ReadableStream({
    async start(controller) {
      controller.enqueue(encoder.encode("data: first\\n\\n"));
      await released;
      controller.enqueue(encoder.encode("data: second\\n\\n"));
      controller.close();
    },
  });
  return new Response(body, { headers: { "content-type": "text/event-stream" } });
}) });
http.route({ path: "/release", method: "POST", handler: httpAction(async () => { release!(); return new Response("released"); }) });
http.route({ path: "/note", method: "POST", handler: httpAction(async (ctx, request) => {
  console.log("handler start");
  await ctx.runMutation(internal.data.add, { text: await request.text() });
  return new Response(process.env.AUDIT_HTTP_ENV ?? "unset", { status: 201 });
}) });
http.route({ path: "/refuse", method: "POST", handler: httpAction(async (ctx) => { await ctx.runMutation(internal.data.refuse, {}); return new Response("unreachable"); }) });
export default http;`,
};

async function serve(): Promise<{ server: RunningServer; lines: string[] }> {
  const project = tempProject(FILES, cleanups);
  const { logger, lines } = recordingLogger();
  const server = await startServer({ dir: project.dir, port: 0, db: testDatabase(), logger });
  cleanups.push(() => server.close());
  return { server, lines };
}

describe("HTTP actions", () => {
  it("streams a ReadableStream body: the first event arrives before the stream ends", async () => {
    const { server } = await serve();
    const response = await fetch(`${server.siteUrl}/stream`);
    expect(response.headers.get("content-type")).toBe("text/event-stream");
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    const first = await reader.read();
    expect(decoder.decode(first.value)).toBe("data: first\n\n");
    // Only now is the rest allowed to come.
    expect(await (await fetch(`${server.siteUrl}/release`, { method: "POST" })).text()).toBe("released");
    let rest = "";
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      rest += decoder.decode(value);
    }
    expect(rest).toBe("data: second\n\n");
  });

  it("ctx.runMutation writes, nested log lines reach the logger under the route, process.env is the server's", async () => {
    process.env.AUDIT_HTTP_ENV = "from the server's environment";
    try {
      const { server, lines } = await serve();
      const response = await fetch(`${server.siteUrl}/note`, { method: "POST", body: "hello" });
      expect(response.status).toBe(201);
      expect(await response.text()).toBe("from the server's environment");
      expect((await call(server.url, "query", "data:list")).body.value).toEqual(["hello"]);
      expect(lines).toEqual(["httpAction POST /note [LOG] 'handler start'", "httpAction POST /note [LOG] 'adding' 'hello'"]);
    } finally {
      delete process.env.AUDIT_HTTP_ENV;
    }
  });

  it("an AppError from a nested mutation reaches the HTTP caller with its data", async () => {
    const { server } = await serve();
    const response = await fetch(`${server.siteUrl}/refuse`, { method: "POST" });
    expect(response.status).toBe(500);
    expect(await response.json()).toMatchObject({ code: "HttpActionFailed", data: { code: "FULL" } });
  });
});

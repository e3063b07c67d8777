// t.fetch: the HTTP actions of http.ts, answered as the site port answers them, without a port.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { syncTest, type SyncTest } from "syncline/testing";
import type { ServerLogger } from "syncline/server";
import { api } from "../../fixtures/testing/syncline/_generated/api";
import { TESTING_FIXTURE } from "./fixture";

let t: SyncTest;
const lines: string[] = [];
const logger: ServerLogger = { info() {}, warn() {}, error() {}, functionLine: (kind, name, line) => lines.push(`${kind} ${name} ${line}`) };
beforeAll(async () => {
  t = await syncTest({ dir: TESTING_FIXTURE, logger });
});
afterAll(() => t.close());

describe("t.fetch", () => {
  it("routes a request to its handler, which may call functions", async () => {
    const response = await t.fetch("/send", { method: "POST", body: JSON.stringify({ room: "web", body: "from http" }) });
    expect(response.status).toBe(201);
    expect(await response.json()).toMatchObject({ as: null, url: "http://syncline.test/send" });
    expect(await t.query(api.messages.list, { room: "web" })).toMatchObject([{ body: "from http", author: "guest" }]);
    expect(lines).toContain("httpAction POST /send [LOG] 'sending to' 'web'");
  });

  it("takes a full URL or a Request, whatever the origin", async () => {
    const fromUrl = await t.fetch(new URL("https://example.com/send?x=1"), { method: "POST", body: JSON.stringify({ room: "web", body: "a" }) });
    expect(await fromUrl.json()).toMatchObject({ url: "https://example.com/send?x=1" });
    const fromRequest = await t.fetch(new Request("http://localhost/send", { method: "POST", body: JSON.stringify({ room: "web", body: "b" }) }));
    expect(fromRequest.status).toBe(201);
  });

  it("answers 404 for no route and 405 with Allow for the wrong method", async () => {
    const missing = await t.fetch("/nowhere");
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ code: "NotFound", message: "No HTTP action routes GET /nowhere." });
    const wrong = await t.fetch("/send");
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get("Allow")).toBe("POST");
  });

  it("answers a failing handler with 500 HttpActionFailed and the AppError's data", async () => {
    const response = await t.fetch("/refuse");
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({ code: "HttpActionFailed", message: "The shop is closed.", data: { reason: "closed" } });
    expect(lines).toContain("httpAction GET /refuse [ERROR] The shop is closed.");
  });

  it("runs as the identity of withIdentity", async () => {
    const response = await t.withIdentity({ subject: "carol" }).fetch("/send", { method: "POST", body: JSON.stringify({ room: "web", body: "c" }) });
    expect(await response.json()).toMatchObject({ as: "carol" });
  });
});

describe("a folder without http.ts", () => {
  it("answers 404 saying there is no http.ts", async () => {
    const plain = await syncTest({ dir: `${TESTING_FIXTURE}/../../scheduling/syncline`, logger });
    const response = await plain.fetch("/anything");
    expect(response.status).toBe(404);
    expect(((await response.json()) as { message: string }).message).toMatch(/there is no http\.ts/);
    await plain.close();
  });
});

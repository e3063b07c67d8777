// The playground's summarize action and its HTTP actions, tested with `syncline/testing`.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { syncTest, type SyncTest } from "syncline/testing";
import { FUNCTIONS_DIR } from "./functions-folder";
import { api, internal } from "../syncline/_generated/api";
import type { DataModel } from "../syncline/_generated/dataModel";

let t: SyncTest<DataModel>;
beforeAll(async () => {
  t = await syncTest<DataModel>({ dir: FUNCTIONS_DIR });
});
afterAll(() => t.close());

describe("summaries", () => {
  it("summarizes a room through the action and keeps the summary", async () => {
    await t.mutation(api.messages.send, { room: "general", author: "ann", body: "hello" });
    await t.mutation(api.messages.send, { room: "general", author: "bo", body: "hi ann" });
    const text = await t.action(api.summaries.summarize, { room: "general" });
    expect(text).toBe('2 recent message(s) from bo, ann. Latest: "hi ann"');
    expect(await t.query(api.summaries.latest, { room: "general" })).toMatchObject({ text, messageCount: 2 });
  });

  it("lets only trusted code save a summary directly", async () => {
    await t.mutation(internal.summaries.save, { room: "random", text: "quiet", messageCount: 0 });
    expect(await t.query(api.summaries.latest, { room: "random" })).toMatchObject({ text: "quiet" });
  });
});

describe("http.ts", () => {
  it("hands out a dev token for a name, with CORS headers", async () => {
    const response = await t.fetch("/dev-only/token", { method: "POST", body: JSON.stringify({ name: "Ada" }) });
    expect(response.status).toBe(200);
    expect(response.headers.get("Access-Control-Allow-Origin")).toBe("*");
    const { token } = (await response.json()) as { token: string };
    expect(token.split(".")).toHaveLength(3);
  });

  it("refuses a missing name and answers the CORS pre-flight", async () => {
    expect((await t.fetch("/dev-only/token", { method: "POST", body: JSON.stringify({ name: " " }) })).status).toBe(400);
    expect((await t.fetch("/dev-only/token", { method: "OPTIONS" })).status).toBe(204);
  });
});

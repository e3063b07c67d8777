// The playground's chat functions, tested with `syncline/testing`: the real functions in this
// process on a fresh in-memory database per test - no server, no port.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { syncTest, type SyncTest } from "syncline/testing";
import { FUNCTIONS_DIR } from "./functions-folder";
import { api } from "../syncline/_generated/api";
import type { DataModel } from "../syncline/_generated/dataModel";

let t: SyncTest<DataModel>;
beforeEach(async () => {
  t = await syncTest<DataModel>({ dir: FUNCTIONS_DIR });
});
afterEach(() => t.close());

const firstPage = { numItems: 10, cursor: null };

describe("messages", () => {
  it("lists a room's messages newest first", async () => {
    await t.mutation(api.messages.send, { room: "general", author: "ann", body: "first" });
    await t.mutation(api.messages.send, { room: "general", author: "bo", body: "second" });
    await t.mutation(api.messages.send, { room: "random", author: "cy", body: "elsewhere" });
    const { page, isDone } = await t.query(api.messages.list, { room: "general", paginationOpts: firstPage });
    expect(page.map((m) => `${m.author}: ${m.body}`)).toEqual(["bo: second", "ann: first"]);
    expect(isDone).toBe(true);
  });

  it("pages through a long history", async () => {
    await t.run(async (ctx) => {
      for (let i = 1; i <= 15; i++) await ctx.db.insert("messages", { room: "general", author: "seed", body: `#${i}` });
    });
    const first = await t.query(api.messages.list, { room: "general", paginationOpts: firstPage });
    expect(first.page).toHaveLength(10);
    const second = await t.query(api.messages.list, { room: "general", paginationOpts: { numItems: 10, cursor: first.continueCursor } });
    expect(second.page.map((m) => m.body)).toEqual(["#5", "#4", "#3", "#2", "#1"]);
    expect(second.isDone).toBe(true);
  });

  it("trims the text and refuses an empty message", async () => {
    await t.mutation(api.messages.send, { room: "general", author: "ann", body: "  hi  " });
    await expect(t.mutation(api.messages.send, { room: "general", author: "ann", body: "   " })).rejects.toThrow("A message needs some text.");
    const { page } = await t.query(api.messages.list, { room: "general", paginationOpts: firstPage });
    expect(page.map((m) => m.body)).toEqual(["hi"]);
  });

  it("posts a signed-in user's messages under their verified name, not the one sent", async () => {
    const asAda = t.withIdentity({ subject: "ada", name: "Ada" });
    await asAda.mutation(api.messages.send, { room: "general", author: "someone else", body: "hello" });
    const { page } = await t.query(api.messages.list, { room: "general", paginationOpts: firstPage });
    expect(page[0]!.author).toBe("Ada");
  });
});

describe("me.whoami", () => {
  it("is null for a guest, and counts a signed-in user's messages", async () => {
    expect(await t.query(api.me.whoami)).toBeNull();
    const asAda = t.withIdentity({ subject: "ada", name: "Ada" });
    await asAda.mutation(api.messages.send, { room: "general", author: "", body: "one" });
    await asAda.mutation(api.messages.send, { room: "random", author: "", body: "two" });
    await t.mutation(api.messages.send, { room: "general", author: "guest", body: "not Ada's" });
    expect(await asAda.query(api.me.whoami)).toEqual({ name: "Ada", subject: "ada", sent: 2 });
  });
});

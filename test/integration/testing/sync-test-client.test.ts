// t.client(): the real client connected to the test runtime in-process - live queries, ordered
// mutations with read-your-writes, auth - over an in-memory socket instead of a port.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { syncTest, type SyncTest } from "syncline/testing";
import { silentLogger } from "syncline/server";
import { AppError } from "syncline/values";
import { api } from "../../fixtures/testing/syncline/_generated/api";
import type { DataModel } from "../../fixtures/testing/syncline/_generated/dataModel";
import { TESTING_FIXTURE } from "./fixture";
import { waitFor } from "../../helpers/wait";

let t: SyncTest<DataModel>;
beforeEach(async () => {
  t = await syncTest<DataModel>({ dir: TESTING_FIXTURE, logger: silentLogger });
});
afterEach(() => t.close());

describe("an in-process client", () => {
  it("gets live results: another caller's write reaches its subscription", async () => {
    const client = t.client({ logger: false });
    const seen: string[][] = [];
    client.subscribe(api.messages.list, { room: "a" }, (messages) => seen.push(messages.map((m) => m.body)));
    await waitFor(() => seen.length, (n) => n === 1);
    expect(seen).toEqual([[]]);
    await t.mutation(api.messages.send, { room: "a", body: "from the test" });
    await waitFor(() => seen.length, (n) => n === 2);
    await t.run((ctx) => ctx.db.insert("messages", { room: "a", body: "seeded", author: "x" }));
    await waitFor(() => seen.length, (n) => n === 3);
    expect(seen.at(-1)).toEqual(["from the test", "seeded"]);
  });

  it("gets every one of many updates (an in-memory socket cannot ping: the server never takes it for one that stopped reading)", async () => {
    const client = t.client({ logger: false });
    const seen: number[] = [];
    client.subscribe(api.messages.list, { room: "many" }, (messages) => seen.push(messages.length));
    await waitFor(() => seen.length, (n) => n === 1);
    for (let i = 1; i <= 40; i++) {
      await client.mutation(api.messages.send, { room: "many", body: `m${i}` });
      expect(seen.at(-1)).toBe(i); // read-your-writes: the transition showing it came with the answer
    }
  });

  it("runs its own mutations with read-your-writes, and rejects with AppError data", async () => {
    const client = t.client({ logger: false });
    expect(await client.query(api.messages.list, { room: "b" })).toEqual([]);
    await client.mutation(api.messages.send, { room: "b", body: "mine" });
    // The mutation resolved: the client's own query already shows the write.
    expect((await client.query(api.messages.list, { room: "b" })).map((m) => m.body)).toEqual(["mine"]);
    const error = await client.mutation(api.messages.send, { room: "b", body: "" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).data).toEqual({ code: "EMPTY", room: "b" });
    expect(await client.action(api.messages.countFromAction, { room: "b" })).toBe(1);
  });

  it("is refused internal functions, as any client", async () => {
    const client = t.client({ logger: false });
    await expect(client.query({ ...api.messages.list, visibility: "internal" } as never, { room: "a" } as never)).rejects.toThrow();
  });

  it("runs as the identity of withIdentity", async () => {
    const client = t.withIdentity({ subject: "dora", name: "Dora" }).client({ logger: false });
    expect(await client.query(api.messages.whoami, {})).toMatchObject({ subject: "dora", name: "Dora" });
    await client.mutation(api.messages.send, { room: "c", body: "hi" });
    expect(await t.query(api.messages.list, { room: "c" })).toMatchObject([{ author: "Dora" }]);
    expect(await t.client({ logger: false }).query(api.messages.whoami, {})).toBeNull();
  });

  it("is closed with the runtime", async () => {
    const client = t.client({ logger: false });
    await client.query(api.messages.list, { room: "a" });
    await t.close();
    expect(client.connectionState().isClosed).toBe(true);
    await expect(client.query(api.messages.list, { room: "a" })).rejects.toThrow(/closed/);
  });
});

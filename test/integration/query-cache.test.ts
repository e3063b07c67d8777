// The query result cache against the real server: a query asked again with nothing it read
// changed is answered without running, over HTTP, from a fresh subscription and from an action;
// any write into what it read, and a code reload, make the next call run again.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type RunningServer } from "syncline/server";
import { openRawSocket } from "../helpers/raw-socket.js";
import { call, startTestServer } from "../helpers/server.js";
import { tempProject } from "../helpers/temp-project.js";
import { cleanupAfterEach } from "../helpers/cleanups.js";
import { testDatabase } from "../helpers/test-database.js";

let server: RunningServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const runs = (name: string) => server.runtime.executionCount(name);
const value = async (kind: "query" | "mutation" | "action", name: string, args: object) => {
  const answer = await call(server.url, kind, name, args as never);
  expect(answer.body.status).toBe("success");
  return answer.body;
};

describe("a query asked again", () => {
  it("is answered from the cache until a write lands in what it read, and never stale", async () => {
    await value("mutation", "behaviour:send", { room: "cached", body: "one" });
    const before = runs("behaviour:listRoom");
    const first = await value("query", "behaviour:listRoom", { room: "cached" });
    const again = await value("query", "behaviour:listRoom", { room: "cached" });
    expect(again.value).toEqual(first.value);
    expect(runs("behaviour:listRoom")).toBe(before + 1);

    // A write elsewhere in the same index leaves the cached result valid...
    await value("mutation", "behaviour:send", { room: "another room", body: "elsewhere" });
    await value("query", "behaviour:listRoom", { room: "cached" });
    expect(runs("behaviour:listRoom")).toBe(before + 1);

    // ...a write into its range does not: the caller reads its own write at once.
    await value("mutation", "behaviour:send", { room: "cached", body: "two" });
    const after = await value("query", "behaviour:listRoom", { room: "cached" });
    expect((after.value as { body: string }[]).map((message) => message.body)).toEqual(["one", "two"]);
    expect(runs("behaviour:listRoom")).toBe(before + 2);
  });

  it("never serves a stale result while writers and readers race on one query", async () => {
    const room = "raced";
    const writer = async (id: number) => {
      for (let i = 0; i < 25; i++) {
        const body = `${id}-${i}`;
        await value("mutation", "behaviour:send", { room, body });
        // Read-your-writes through the cache: the query asked right after must show this write.
        const bodies = ((await value("query", "behaviour:listRoom", { room })).value as { body: string }[]).map((m) => m.body);
        expect(bodies).toContain(body);
      }
    };
    const readers = Array.from({ length: 4 }, async () => {
      for (let i = 0; i < 50; i++) await value("query", "behaviour:listRoom", { room });
    });
    await Promise.all([writer(0), writer(1), writer(2), ...readers]);
    expect(((await value("query", "behaviour:listRoom", { room })).value as unknown[]).length).toBe(75);
  });

  it("keys on the arguments' values, not their key order", async () => {
    const before = runs("behaviour:echo");
    expect((await value("query", "behaviour:echo", { x: 1, y: "cache-order" })).value).toEqual({ x: 1, y: "cache-order" });
    expect((await value("query", "behaviour:echo", { y: "cache-order", x: 1 })).value).toEqual({ x: 1, y: "cache-order" });
    await value("query", "behaviour:echo", { x: 2, y: "cache-order" });
    expect(runs("behaviour:echo")).toBe(before + 2);
  });

  it("logs only when it runs", async () => {
    const logged = await value("query", "behaviour:logs", {});
    expect(logged.logLines).toHaveLength(5);
    expect((await value("query", "behaviour:logs", {})).logLines).toEqual([]);
  });

  it("keeps no failure", async () => {
    const before = runs("behaviour:failPlain");
    for (let i = 0; i < 2; i++) expect((await call(server.url, "query", "behaviour:failPlain", {})).body.status).toBe("error");
    expect(runs("behaviour:failPlain")).toBe(before + 2);
  });

  it("serves a new subscription after the last one left, then keeps it live", async () => {
    const room = "resubscribed";
    await value("mutation", "behaviour:send", { room, body: "first" });
    const subscribe = async () => {
      const socket = await openRawSocket(server.url);
      socket.send({ type: "ModifyQuerySet", baseVersion: 0, newVersion: 1, modifications: [{ type: "Add", queryId: 0, udfPath: "behaviour:listRoom", args: [{ room }] }] });
      const transition = await socket.next("Transition");
      return { socket, bodies: (transition.modifications[0] as unknown as { value: { body: string }[] }).value.map((message) => message.body) };
    };
    const before = runs("behaviour:listRoom");
    const first = await subscribe();
    first.socket.close();
    const second = await subscribe(); // a page reload: nobody watched the query in between
    expect(second.bodies).toEqual(first.bodies);
    expect(runs("behaviour:listRoom")).toBe(before + 1);

    await value("mutation", "behaviour:send", { room, body: "second" });
    const update = await second.socket.next("Transition");
    expect(update.modifications).toMatchObject([{ queryId: 0, value: [{ body: "first" }, { body: "second" }] }]);
    second.socket.close();
  });
});

describe("ctx.runQuery", () => {
  it("is answered from the cache too (here from an HTTP action)", async () => {
    const before = runs("messages:byAuthor");
    for (let i = 0; i < 3; i++) {
      const response = await fetch(`${server.siteUrl}/getMessagesByAuthor?author=cache-reader`);
      expect(await response.json()).toEqual([]);
    }
    expect(runs("messages:byAuthor")).toBe(before + 1);
  });
});

describe("across a code reload", () => {
  const cleanups = cleanupAfterEach();

  it("no result of the old code is served", async () => {
    const project = tempProject({ "a.ts": `import { query } from "syncline/server"; export const version = query(() => "one");` }, cleanups);
    const reloading = await startServer({ dir: project.dir, port: 0, db: testDatabase() });
    cleanups.push(() => reloading.close());
    const version = async () => (await call(reloading.url, "query", "a:version", {})).body.value;
    expect(await version()).toBe("one");
    expect(await version()).toBe("one");
    expect(reloading.runtime.executionCount("a:version")).toBe(1);
    project.write("a.ts", `import { query } from "syncline/server"; export const version = query(() => "two");`);
    await reloading.reload();
    expect(await version()).toBe("two");
  });
});

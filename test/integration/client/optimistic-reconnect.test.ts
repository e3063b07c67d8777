// An optimistic update whose mutation committed on the server but whose MutationResponse was
// lost. After the reconnect the new socket's first transition may already show the committed
// write before the resent request is answered from the record: the optimistic value must never
// show on top of it (issue 9: optimistic updates are "removed in the same step the confirmed
// result arrives (no flicker)").

import { describe, expect, it } from "vitest";
import { fixture, proxiedServerPerTest, type Message } from "./support/proxied-server.js";
import { sleep, until } from "./support/setup.js";

describe("optimistic updates across a reconnect", () => {
  const net = proxiedServerPerTest();
  const { connect, direct } = net;

  it("an optimistic mutation whose answer is lost: after the reconnect it resolves once with its value, and the optimistic value never stacks on top of the committed one", async () => {
    const client = connect({ inactivityTimeoutMs: 600 });
    const shown: Message[][] = [];
    client.subscribe(fixture.listRoom, { room: "opt" }, (v) => shown.push(v));
    await until(() => shown.length === 1);
    net.proxy.blackhole();
    const id = client.mutation(fixture.send, { room: "opt", body: "hello" }, {
      optimisticUpdate: (store, args) => {
        const list = store.getQuery(fixture.listRoom, { room: args.room });
        if (list) store.setQuery(fixture.listRoom, { room: args.room }, [...list, { _id: "optimistic", _creationTime: 0, room: args.room, body: args.body }]);
      },
    });
    await until(() => shown.at(-1)?.length === 1);
    for (let stored = 0; stored !== 1; await sleep(20)) stored = (await direct().query(fixture.listRoom, { room: "opt" })).length;
    net.proxy.restore();
    const realId = await id;
    expect(shown.at(-1)!.map((m) => m._id)).toEqual([realId]);
    expect(shown.map((list) => list.length)).not.toContain(2);
    expect(await direct().query(fixture.listRoom, { room: "opt" })).toHaveLength(1);
  });

  it("an optimistic increment whose answer is lost is never shown on top of the committed value", async () => {
    const client = connect({ inactivityTimeoutMs: 600 });
    const shown: number[] = [];
    client.subscribe(fixture.get, { name: "opt" }, (v) => shown.push(v));
    await until(() => shown.length === 1);
    net.proxy.blackhole();
    const done = client.mutation(fixture.increment, { name: "opt" }, {
      optimisticUpdate: (store, args) => {
        const value = store.getQuery(fixture.get, { name: args.name });
        if (value !== undefined) store.setQuery(fixture.get, { name: args.name }, value + 1);
      },
    });
    await until(() => shown.at(-1) === 1); // the optimistic value
    for (let stored = 0; stored !== 1; await sleep(20)) stored = await direct().query(fixture.get, { name: "opt" });
    net.proxy.restore();
    expect(await done).toBe(1);
    expect(shown.at(-1)).toBe(1);
    // The counter went 0 -> 1 once; it must never read 2.
    expect(shown).toEqual([0, 1]);
  });
});

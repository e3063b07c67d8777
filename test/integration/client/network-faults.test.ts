// SynclineClient against the real server through a TCP proxy that breaks the network in
// ways the existing tests do not: a half-open connection (the server's bytes lost) detected by
// the inactivity timeout, subscriptions changed while disconnected, staySubscribedMs across a
// reconnect, actions and connection state during an outage.

import { describe, expect, it } from "vitest";
import { SynclineClient, type ConnectionState } from "syncline";
import { fixture, proxiedServerPerTest } from "./support/proxied-server.js";
import { sleep, until } from "./support/setup.js";

describe("faults between the client and the real server", () => {
  const net = proxiedServerPerTest();
  const { connect, direct } = net;

  it("half-open connection: mutations keep committing on the server, the inactivity timeout replaces the socket, and each is answered once from its record", async () => {
    const client = connect({ inactivityTimeoutMs: 700 });
    const shown: number[] = [];
    client.subscribe(fixture.get, { name: "half" }, (v) => shown.push(v));
    await until(() => shown.length === 1);
    net.proxy.blackhole();
    const before = Date.now();
    const seenAtResolve: number[] = [];
    const calls = Array.from({ length: 5 }, () =>
      client.mutation(fixture.increment, { name: "half" }).then((value) => {
        seenAtResolve.push(shown.at(-1)!);
        return value;
      }),
    );
    // The server got and committed every mutation; none of its answers arrived.
    for (let stored = -1; stored !== 5; await sleep(20)) stored = await direct().query(fixture.get, { name: "half" });
    const during = client.connectionState();
    expect(during).toMatchObject({ isConnected: true, inflightMutations: 5 });
    expect(during.oldestInflightRequestAt).toBeGreaterThanOrEqual(before);
    net.proxy.restore();
    expect(await Promise.all(calls)).toEqual([1, 2, 3, 4, 5]);
    // Read-your-writes: each promise resolved with the subscription already showing its effect.
    for (let i = 0; i < 5; i++) expect(seenAtResolve[i]).toBeGreaterThanOrEqual(i + 1);
    expect(await direct().query(fixture.get, { name: "half" })).toBe(5);
    expect(client.debug().socket.connectionCount).toBeGreaterThanOrEqual(2);
    expect(client.connectionState()).toMatchObject({ isConnected: true, inflightMutations: 0, oldestInflightRequestAt: null });
  });

  it("half-open connection: an action in flight fails with Connection lost once the silent socket is dropped; the next one runs", async () => {
    const client = connect({ inactivityTimeoutMs: 600 });
    client.subscribe(fixture.get, { name: "act" }, () => {});
    await until(() => client.connectionState().isConnected);
    await until(() => client.debug().subscriptions[0]?.hasResult === true);
    net.proxy.blackhole();
    const action = client.action(fixture.slowAction, { ms: 10 }).catch((e: unknown) => e);
    await until(() => client.debug().socket.lastCloseReason === "InactiveServer" || client.connectionState().connectionCount > 1, 5_000);
    expect(await action).toMatchObject({ code: "CONNECTION_LOST", message: "[A(behaviour:slowAction)] Connection lost while action was in flight" });
    net.proxy.restore();
    await expect(client.action(fixture.slowAction, { ms: 1 })).resolves.toMatchObject({ started: expect.any(Number) });
  });

  it("an action and a mutation called while the network is cut are sent after it comes back, and resolve", async () => {
    const client = connect();
    const shown: number[] = [];
    client.subscribe(fixture.get, { name: "later" }, (v) => shown.push(v));
    await until(() => shown.length === 1);
    net.proxy.cut();
    await until(() => !client.connectionState().isConnected);
    const action = client.action(fixture.slowAction, { ms: 1 });
    const mutation = client.mutation(fixture.increment, { name: "later" });
    await sleep(50);
    expect(client.connectionState()).toMatchObject({ isConnected: false, isReconnecting: true, inflightActions: 1, inflightMutations: 1 });
    expect(client.debug().inflight.map((r) => r.state)).toEqual(["unsent", "unsent"]);
    net.proxy.restore();
    client.reconnectNow();
    await expect(action).resolves.toMatchObject({ started: expect.any(Number) });
    await expect(mutation).resolves.toBe(1);
    expect(shown.at(-1)).toBe(1);
  });

  it("connection state during an outage: retries count up, reconnectNow() while cut fails again, and retries reset once the new socket caught up", async () => {
    const client = connect();
    const states: ConnectionState[] = [];
    client.onConnectionStateChange((s) => states.push(s));
    const shown: number[] = [];
    client.subscribe(fixture.get, { name: "state" }, (v) => shown.push(v));
    await until(() => shown.length === 1);
    net.proxy.cut();
    await until(() => client.connectionState().retries >= 1);
    const retries = client.connectionState().retries;
    await until(() => client.debug().socket.state === "waiting");
    client.reconnectNow(); // the network is still down: one more failed attempt
    await until(() => client.connectionState().retries > retries, 3_000);
    expect(client.connectionState()).toMatchObject({ isConnected: false, isReconnecting: true, hasEverConnected: true });
    net.proxy.restore();
    await until(() => client.debug().socket.state === "waiting");
    client.reconnectNow();
    await until(() => client.connectionState().isConnected && client.connectionState().retries === 0, 5_000);
    expect(states.some((s) => !s.isConnected && s.isReconnecting)).toBe(true);
    expect(states.at(-1)).toMatchObject({ isConnected: true, retries: 0 });
  });

  it("subscriptions added and removed while disconnected: the new one gets results after the reconnect, the removed one stays quiet", async () => {
    const client = connect();
    const kept: number[] = [];
    const dropped: number[] = [];
    client.subscribe(fixture.get, { name: "kept" }, (v) => kept.push(v));
    const stopDropped = client.subscribe(fixture.get, { name: "dropped" }, (v) => dropped.push(v));
    await until(() => kept.length === 1 && dropped.length === 1);
    net.proxy.cut();
    await until(() => !client.connectionState().isConnected);
    stopDropped();
    const added: number[] = [];
    const stopAddedAndRemoved = client.subscribe(fixture.get, { name: "gone-before-send" }, () => {});
    stopAddedAndRemoved();
    client.subscribe(fixture.get, { name: "added" }, (v) => added.push(v));
    net.proxy.restore();
    client.reconnectNow();
    await until(() => added.length === 1);
    const http = direct();
    await http.mutation(fixture.increment, { name: "dropped" });
    await http.mutation(fixture.increment, { name: "added" });
    await http.mutation(fixture.increment, { name: "kept" });
    await until(() => kept.at(-1) === 1 && added.at(-1) === 1);
    expect(dropped).toEqual([0]);
    expect(client.debug().subscriptions.map((s) => s.name + JSON.stringify(s.args)).sort()).toEqual(
      ['counter:get{"name":"added"}', 'counter:get{"name":"kept"}'],
    );
  });

  it("staySubscribedMs across a reconnect: a query left within the window is re-added and comes back with its result at once", async () => {
    const client = connect({ staySubscribedMs: 5_000 });
    const first: number[] = [];
    const stop = client.subscribe(fixture.get, { name: "stay" }, (v) => first.push(v));
    await until(() => first.length === 1);
    stop();
    net.proxy.dropAll();
    await until(() => !client.connectionState().isConnected);
    client.reconnectNow();
    await until(() => client.connectionState().isConnected);
    expect(client.debug().subscriptions.map((s) => s.args)).toEqual([{ name: "stay" }]);
    await direct().mutation(fixture.increment, { name: "stay" });
    await until(() => client.debug().subscriptions[0]?.hasResult === true);
    const again: number[] = [];
    client.subscribe(fixture.get, { name: "stay" }, (v) => again.push(v));
    await sleep(0);
    await until(() => again.length >= 1);
    await until(() => again.at(-1) === 1);
    expect(again[0] === 0 || again[0] === 1).toBe(true);
  });
});

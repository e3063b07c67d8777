// Authentication plumbing (protocol.md §6, §9).

import { afterEach, describe, expect, it } from "vitest";
import type { ScriptedConnection } from "../../helpers/scripted-server.js";
import { fn, harness, ignore, settle, until, type Harness } from "./support/setup.js";

let h: Harness & { cleanup: () => Promise<void> };
afterEach(() => h?.cleanup());

const b64url = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
/** A JWT (unsigned: the client never checks signatures) living `seconds` from now. */
function jwt(sub: string, seconds: number, tag = ""): string {
  const iat = Math.floor(Date.now() / 1000);
  return `${b64url({ alg: "none" })}.${b64url({ sub, iat, exp: iat + seconds, tag })}.signature-${sub}${tag}`;
}

/** A fetchToken that hands out the given tokens in turn and records its calls. */
function tokens(...values: (string | null)[]) {
  const calls: { forceRefreshToken: boolean }[] = [];
  return {
    calls,
    fetchToken: async (args: { forceRefreshToken: boolean }) => {
      calls.push(args);
      return values[Math.min(calls.length - 1, values.length - 1)] ?? null;
    },
  };
}

function reject(socket: ScriptedConnection, baseVersion = 0) {
  socket.send({ type: "AuthError", error: "Could not verify token claim", baseVersion, authUpdateAttempted: true });
  return socket.close(1000);
}

describe("auth", () => {
  it("sends nothing until the first token, then batches everything made meanwhile", async () => {
    h = await harness();
    let giveToken!: (token: string) => void;
    h.client.setAuth(() => new Promise((resolve) => (giveToken = resolve)));
    h.client.subscribe(fn.list, { room: "a" }, () => {});
    h.client.subscribe(fn.list, { room: "b" }, () => {});
    ignore(h.client.mutation(fn.send, { room: "a", body: "x" }));
    const socket = await h.server.nextConnection();
    await settle();
    expect(socket.received).toEqual([]);
    giveToken("the-token");
    await socket.waitFor((m) => m.type === "Mutation");
    expect(socket.received.map((m) => m.type)).toEqual(["Connect", "Authenticate", "ModifyQuerySet", "Mutation"]);
    expect(socket.messages("ModifyQuerySet")[0]!.modifications).toHaveLength(2);
  });

  it("reports authenticated once the server confirms the token", async () => {
    h = await harness({ server: { auto: { query: () => [] } } });
    const changes: boolean[] = [];
    h.client.setAuth(tokens("token-a").fetchToken, (ok) => changes.push(ok));
    h.client.subscribe(fn.list, { room: "a" }, () => {});
    await until(() => changes.length === 1);
    expect(changes).toEqual([true]);
  });

  it("replaces a rejected token with a force-refreshed one, once, and reconnects with it", async () => {
    h = await harness();
    const source = tokens("cached-token", "fresh-token");
    const changes: boolean[] = [];
    h.client.setAuth(source.fetchToken, (ok) => changes.push(ok));
    h.client.subscribe(fn.list, { room: "a" }, () => {});
    const first = await h.server.nextConnection();
    expect(await first.next("Authenticate")).toMatchObject({ value: "cached-token" });
    await first.next("ModifyQuerySet");
    await reject(first);
    const second = await h.server.nextConnection(3_000);
    expect(source.calls).toEqual([{ forceRefreshToken: false }, { forceRefreshToken: true }]);
    expect(await second.next("Authenticate")).toEqual({ type: "Authenticate", tokenType: "User", value: "fresh-token", baseVersion: 0 });
    await second.next("ModifyQuerySet");
    second.transition([{ type: "QueryUpdated", queryId: 0, value: [], logLines: [], journal: null }]);
    await until(() => changes.length === 1);
    expect(changes).toEqual([true]);
  });

  it("gives up after two rejected fresh tokens in a row and goes on unauthenticated", async () => {
    h = await harness();
    const source = tokens("cached", "fresh-1", "fresh-2", "fresh-3");
    const changes: boolean[] = [];
    h.client.setAuth(source.fetchToken, (ok) => changes.push(ok));
    h.client.subscribe(fn.list, { room: "a" }, () => {});
    for (const expected of ["cached", "fresh-1", "fresh-2"]) {
      const socket = await h.server.nextConnection(4_000);
      expect(await socket.next("Authenticate")).toMatchObject({ value: expected });
      await socket.next("ModifyQuerySet");
      await reject(socket);
    }
    const last = await h.server.nextConnection(6_000);
    await last.next("ModifyQuerySet");
    expect(last.messages("Authenticate")).toEqual([]);
    expect(source.calls).toHaveLength(3);
    expect(changes).toEqual([false]);
    expect(h.log.lines.some((l) => l.level === "error" && l.text.includes("Failed to authenticate: Could not verify token claim"))).toBe(true);
    last.transition([{ type: "QueryUpdated", queryId: 0, value: ["public"], logLines: [], journal: null }]);
    await until(() => h.client.watchQuery(fn.list, { room: "a" }).getCurrentResult().status === "success");
  }, 15_000);

  it("gives up at once when fetchToken returns null", async () => {
    h = await harness({ server: { auto: { query: () => [] } } });
    const changes: boolean[] = [];
    h.client.setAuth(tokens(null).fetchToken, (ok) => changes.push(ok));
    h.client.subscribe(fn.list, { room: "a" }, () => {});
    const socket = await h.server.nextConnection();
    await socket.next("ModifyQuerySet");
    expect(socket.messages("Authenticate")).toEqual([]);
    expect(changes).toEqual([false]);
  });

  it("ignores an expired-token AuthError that was not about a token update while a new token is pending", async () => {
    h = await harness();
    const source = tokens("cached", "fresh");
    h.client.setAuth(source.fetchToken);
    h.client.subscribe(fn.list, { room: "a" }, () => {});
    const socket = await h.server.nextConnection();
    await socket.next("ModifyQuerySet");
    socket.send({ type: "AuthError", error: "expired", baseVersion: 0, authUpdateAttempted: false });
    await settle();
    expect(source.calls).toHaveLength(1);
  });

  it("refreshes a confirmed token before it expires, on the same socket", async () => {
    h = await harness({ server: { auto: { query: () => [] } }, client: { authRefreshLeewaySeconds: 11.7 } });
    const first = jwt("user-1", 12, "a");
    const second = jwt("user-1", 12, "b");
    const source = tokens(first, second);
    const changes: boolean[] = [];
    h.client.setAuth(source.fetchToken, (ok) => changes.push(ok));
    h.client.subscribe(fn.list, { room: "a" }, () => {});
    const socket = await h.server.nextConnection();
    const refreshed = await socket.waitFor((m) => m.type === "Authenticate" && m.baseVersion === 1, 3_000);
    expect(refreshed).toMatchObject({ tokenType: "User", value: second });
    expect(source.calls).toEqual([{ forceRefreshToken: false }, { forceRefreshToken: true }]);
    expect(h.server.connections).toHaveLength(1);
    expect(changes).toEqual([true]);
  });

  it("sets auth on an open socket without reconnecting, and clearAuth sends tokenType None", async () => {
    h = await harness({ server: { auto: { query: () => [] } } });
    h.client.subscribe(fn.list, { room: "a" }, () => {});
    const socket = await h.server.nextConnection();
    await socket.next("ModifyQuerySet");
    await settle();
    h.client.setAuth(tokens("late-token").fetchToken);
    expect(await socket.next("Authenticate")).toEqual({ type: "Authenticate", tokenType: "User", value: "late-token", baseVersion: 0 });
    h.client.clearAuth();
    expect(await socket.next("Authenticate")).toEqual({ type: "Authenticate", tokenType: "None", baseVersion: 1 });
    expect(h.server.connections).toHaveLength(1);
  });

  it("never logs a token, even with verbose logging", async () => {
    h = await harness({ server: { auto: { query: () => [] } }, client: { verbose: true } });
    const secret = jwt("user-secret", 3600, "SECRETSECRETSECRET");
    h.client.setAuth(tokens(secret).fetchToken);
    h.client.subscribe(fn.list, { room: "a" }, () => {});
    await until(() => h.log.lines.some((l) => l.text.includes("confirmed")));
    expect(h.log.lines.some((l) => l.level === "debug")).toBe(true);
    for (const line of h.log.lines) {
      expect(line.text).not.toContain(secret);
      expect(line.text).not.toContain(secret.slice(-12));
    }
  });
});

describe("tokens in logs (short ones too)", () => {
  it("never logs a short token in full, even with verbose logging", async () => {
    h = await harness({ server: { auto: { query: () => [] } }, client: { verbose: true } });
    const token = "s3cr3t!"; // an opaque 7-character token: "the last 7 characters" are all of it
    h.client.setAuth(async () => token);
    h.client.subscribe(fn.list, { room: "a" }, () => {});
    await until(() => h.log.lines.some((l) => l.text.includes("confirmed")));
    for (const line of h.log.lines) expect(line.text).not.toContain(token);
  });
});

// Identity over the sync protocol (protocol.md §5, §9): token lifetimes, identity changes that
// overlap, and mutations running as the identity they were sent under.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type RunningServer } from "syncline/server";
import type { Transition } from "../../src/protocol/messages.js";
import { openRawSocket, type RawSocket } from "../helpers/raw-socket.js";
import { tempProject, type TempProject } from "../helpers/temp-project.js";
import { mint, signingKey, type SigningKey } from "../helpers/tokens.js";
import { testDatabase } from "../helpers/test-database.js";

const ISSUER = "https://issuer.identity.test";
let key: SigningKey;
let project: TempProject;
let server: RunningServer;

beforeAll(async () => {
  key = await signingKey("RS256", "identity-1");
  project = tempProject({
    "auth.config.ts": `export default ${JSON.stringify({ providers: [{ type: "customJwt", issuer: ISSUER, jwks: { keys: [key.publicJwk] }, algorithm: "RS256" }] })};\n`,
    "who.ts": `import { query, mutation } from "syncline/server";
      export const subject = mutation(async (ctx) => (await ctx.auth.getUserIdentity())?.subject ?? null);
      // Reads the identity and the flags table; many small reads make its run take many event-loop turns.
      export const whoAndFlags = query(async (ctx) => {
        let flags = 0;
        for (let i = 0; i < 2000; i++) flags = (await ctx.db.query("flags").collect()).length;
        return { who: (await ctx.auth.getUserIdentity())?.subject ?? null, flags };
      });
      export const setFlag = mutation(async (ctx) => { await ctx.db.insert("flags", { on: true }); });
      export const spin = mutation((_ctx, { ms }: { ms: number }) => { const until = performance.now() + ms; while (performance.now() < until); return null; });`,
  });
  server = await startServer({ dir: project.dir, port: 0, db: testDatabase() });
});
afterAll(async () => {
  await server?.close();
  project?.remove();
});

/** Waits for a transition matching `test`, failing after `ms`. */
async function transitionWhere(socket: RawSocket, test: (t: Transition) => boolean, ms = 5000): Promise<Transition> {
  const deadline = Date.now() + ms;
  for (;;) {
    const t = await socket.next("Transition", Math.max(1, deadline - Date.now()));
    if (test(t)) return t;
  }
}

describe("token lifetime", () => {
  it("a token valid for 30 days is not treated as expired at once", async () => {
    const token = await mint(key, { sub: "long-lived", iss: ISSUER }, { expiresIn: 30 * 24 * 3600 });
    const socket = await openRawSocket(server.url);
    socket.send({ type: "Authenticate", tokenType: "User", value: token, baseVersion: 0 });
    socket.send({ type: "ModifyQuerySet", baseVersion: 0, newVersion: 1, modifications: [] });
    expect((await socket.next("Transition")).endVersion.identity).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    // The socket is still open and the identity still works.
    expect(socket.received.filter((m) => m.type === "AuthError")).toEqual([]);
    socket.send({ type: "Mutation", requestId: 0, udfPath: "who:subject", args: [{}] });
    expect(await socket.next("MutationResponse")).toMatchObject({ success: true, result: "long-lived" });
    socket.close();
  });
});

describe("identity changes", () => {
  it("a second Authenticate sent before the first was confirmed does not freeze the queries it moved", async () => {
    const socket = await openRawSocket(server.url);
    socket.send({ type: "ModifyQuerySet", baseVersion: 0, newVersion: 1, modifications: [{ type: "Add", queryId: 0, udfPath: "who:whoAndFlags", args: [{}] }] });
    expect((await socket.next("Transition")).modifications).toMatchObject([{ queryId: 0, value: { who: null, flags: 0 } }]);

    // Log in, then straight away log out (identity versions 1 and 2, as the client counts them).
    const token = await mint(key, { sub: "brief", iss: ISSUER });
    socket.send({ type: "Authenticate", tokenType: "User", value: token, baseVersion: 0 });
    socket.send({ type: "Authenticate", tokenType: "None", baseVersion: 1 });
    await transitionWhere(socket, (t) => t.endVersion.identity === 2);

    // The query is live for the new identity: a write it reads reaches the client.
    socket.send({ type: "Mutation", requestId: 0, udfPath: "who:setFlag", args: [{}] });
    expect(await socket.next("MutationResponse")).toMatchObject({ success: true });
    const update = await transitionWhere(socket, (t) => t.modifications.some((m) => m.queryId === 0 && m.type === "QueryUpdated" && (m.value as { flags: number }).flags === 1));
    expect(update.modifications).toMatchObject([{ queryId: 0, value: { who: null, flags: 1 } }]);
    socket.close();
  });
});

describe("message order", () => {
  it("a mutation sent before an Authenticate runs with the identity it was sent under", async () => {
    const token = await mint(key, { sub: "sender", iss: ISSUER });
    const socket = await openRawSocket(server.url);
    socket.send({ type: "Authenticate", tokenType: "User", value: token, baseVersion: 0 });
    socket.send({ type: "ModifyQuerySet", baseVersion: 0, newVersion: 1, modifications: [] });
    expect((await socket.next("Transition")).endVersion.identity).toBe(1);

    // Two mutations while logged in as "sender" (the first keeps the queue busy), then log out.
    socket.send({ type: "Mutation", requestId: 0, udfPath: "who:spin", args: [{ ms: 200 }] });
    socket.send({ type: "Mutation", requestId: 1, udfPath: "who:subject", args: [{}] });
    socket.send({ type: "Authenticate", tokenType: "None", baseVersion: 1 });
    expect(await socket.next("MutationResponse")).toMatchObject({ requestId: 0, success: true });
    // Mutation 1 was sent while the socket's identity was "sender": it must run as "sender".
    expect(await socket.next("MutationResponse")).toMatchObject({ requestId: 1, success: true, result: "sender" });
    socket.close();
  });

  it("a mutation sent right behind an Authenticate still being verified runs as the new identity", async () => {
    // The token's signature check waits for crypto: the Mutation frame arrives meanwhile and must
    // wait its turn (frames are handled in order, even those that need no waiting themselves).
    const token = await mint(key, { sub: "newcomer", iss: ISSUER });
    const socket = await openRawSocket(server.url);
    socket.send({ type: "Authenticate", tokenType: "User", value: token, baseVersion: 0 });
    socket.send({ type: "Mutation", requestId: 0, udfPath: "who:subject", args: [{}] });
    expect(await socket.next("MutationResponse")).toMatchObject({ requestId: 0, success: true, result: "newcomer" });
    socket.close();
  });
});

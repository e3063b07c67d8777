// Auth across a full server restart (a child process killed with SIGKILL and
// started again on the same port and database). The token is sent again on the new socket and
// confirmed, queries re-run with the identity, isAuthenticated never flickers to false, and a
// mutation that was waiting commits exactly once with the identity.

import { rmSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { makeFunctionReference, SynclineClient } from "syncline";
import { startChildServer, type ChildServer } from "../../helpers/child-server.js";
import { tempProject, type TempProject } from "../../helpers/temp-project.js";
import { mint, signingKey } from "../../helpers/tokens.js";
import { until } from "./support/setup.js";

const ISSUER = "https://issuer.restart.test";
const whoami = makeFunctionReference<"query", Record<string, never>, string | null>("query", "users:whoami");
const note = makeFunctionReference<"mutation", { body: string }, string>("mutation", "users:note");
const notes = makeFunctionReference<"query", Record<string, never>, string[]>("query", "users:notes");

describe("auth across a server restart", () => {
  let project: TempProject | undefined;
  let server: ChildServer | undefined;
  let client: SynclineClient | undefined;
  afterEach(async () => {
    await client?.close();
    await server?.stop();
    project?.remove();
  });

  it("re-sends the token, is confirmed again, re-runs queries with the identity and never reports unauthenticated", async () => {
    const key = await signingKey("RS256", "k1");
    project = tempProject({
      "auth.config.ts": `export default ${JSON.stringify({ providers: [{ type: "customJwt", issuer: ISSUER, jwks: { keys: [key.publicJwk] }, algorithm: "RS256" }] })};\n`,
      "users.ts": `import { mutation, query } from "syncline/server";
        import { v } from "syncline/values";
        export const whoami = query(async (ctx) => (await ctx.auth.getUserIdentity())?.subject ?? null);
        export const note = mutation({ args: { body: v.string() }, handler: async (ctx, { body }) => {
          const who = (await ctx.auth.getUserIdentity())?.subject ?? "anonymous";
          await ctx.db.insert("notes", { body: who + ":" + body });
          return who;
        } });
        export const notes = query(async (ctx) => (await ctx.db.query("notes").collect()).map((n) => n.body));`,
    });
    const file = join(project.root, "data.sqlite");
    server = await startChildServer(project.dir, file);
    const ports = { port: Number(new URL(server.url).port), sitePort: Number(new URL(server.siteUrl).port) };
    client = new SynclineClient(server.url, { WebSocket, logger: false });
    let fetches = 0;
    let serial = 0;
    const changes: boolean[] = [];
    client.setAuth(() => {
      fetches++;
      return mint(key, { sub: "ada", iss: ISSUER, jti: String(++serial) });
    }, (ok) => changes.push(ok));
    const seen: (string | null)[] = [];
    const shownNotes: string[][] = [];
    client.subscribe(whoami, {}, (subject) => seen.push(subject));
    client.subscribe(notes, {}, (list) => shownNotes.push(list));
    await until(() => changes.length === 1 && seen.length === 1 && shownNotes.length === 1, 10_000);

    await server.kill();
    await until(() => !client!.connectionState().isConnected);
    const pending = client.mutation(note, { body: "while down" });
    server = await startChildServer(project.dir, file, ports);
    client.reconnectNow();
    await expect(pending).resolves.toBe("ada");
    expect(shownNotes.at(-1)).toEqual(["ada:while down"]);
    await until(() => client!.debug().auth === "confirmed" && client!.debug().versions.identity === 1, 10_000);
    expect(client.connectionState().connectionCount).toBe(2);
    expect(changes).toEqual([true]);
    expect(seen).toEqual(["ada"]);
    expect(fetches).toBe(1);
  }, 60_000);
});

// Server-side authentication: what identity a verified token gives, and to whom.
//
// 1. A verified token's custom claims must not replace the identity's own fields
//    (`tokenIdentifier` is `<issuer>|<subject>`, unique across providers).
// 2. Several providers may share an issuer (e.g. one per applicationID, or a key migration from
//    one algorithm to another): a token that one of them accepts is accepted.
// 3. HTTP actions with a refused token: `getUserIdentity()` throws - also in the queries and
//    mutations the handler calls (auth is propagated to them), never a plain anonymous null.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type RunningServer } from "syncline/server";
import { openRawSocket } from "../helpers/raw-socket.js";
import { post } from "../helpers/server.js";
import { tempProject, type TempProject } from "../helpers/temp-project.js";
import { mint, signingKey, type SigningKey } from "../helpers/tokens.js";
import { testDatabase } from "../helpers/test-database.js";

const ISSUER_A = "https://a.claims.test";
const ISSUER_B = "https://b.claims.test";
const SHARED = "https://shared.claims.test";
const MIGRATING = "https://migrating.claims.test";

let keyA: SigningKey;
let keyB: SigningKey;
let sharedKey: SigningKey;
let oldRsa: SigningKey;
let newEc: SigningKey;
let project: TempProject;
let server: RunningServer;

beforeAll(async () => {
  [keyA, keyB, sharedKey, oldRsa, newEc] = await Promise.all([
    signingKey("RS256", "a-1"),
    signingKey("RS256", "b-1"),
    signingKey("RS256", "shared-1"),
    signingKey("RS256", "old-rsa"),
    signingKey("ES256", "new-ec"),
  ]);
  const providers = [
    { type: "customJwt", issuer: ISSUER_A, jwks: { keys: [keyA.publicJwk] }, algorithm: "RS256" },
    { type: "customJwt", issuer: ISSUER_B, jwks: { keys: [keyB.publicJwk] }, algorithm: "RS256" },
    // One issuer, two applications.
    { type: "customJwt", issuer: SHARED, jwks: { keys: [sharedKey.publicJwk] }, algorithm: "RS256", applicationID: "app-web" },
    { type: "customJwt", issuer: SHARED, jwks: { keys: [sharedKey.publicJwk] }, algorithm: "RS256", applicationID: "app-mobile" },
    // One issuer moving from RS256 to ES256: both providers configured during the migration.
    { type: "customJwt", issuer: MIGRATING, jwks: { keys: [oldRsa.publicJwk] }, algorithm: "RS256" },
    { type: "customJwt", issuer: MIGRATING, jwks: { keys: [newEc.publicJwk] }, algorithm: "ES256" },
  ];
  project = tempProject({
    "auth.config.ts": `export default ${JSON.stringify({ providers }, null, 2)};\n`,
    "users.ts": `import { query, internalQuery, internalMutation } from "syncline/server";
      export const whoami = query(async (ctx) => ctx.auth.getUserIdentity());
      export const innerWho = internalQuery(async (ctx) => {
        try {
          const identity = await ctx.auth.getUserIdentity();
          return { threw: false, identity };
        } catch (error) {
          return { threw: true, message: String((error as Error).message) };
        }
      });
      export const innerRecord = internalMutation(async (ctx) => {
        try {
          const identity = await ctx.auth.getUserIdentity();
          return { threw: false, identity };
        } catch (error) {
          return { threw: true, message: String((error as Error).message) };
        }
      });`,
    "http.ts": `import { httpRouter, httpAction, anyApi } from "syncline/server";
      const internal = anyApi as any;
      const http = httpRouter();
      // A handler that never asks for the identity itself, but calls functions that do.
      http.route({ path: "/nested", method: "GET", handler: httpAction(async (ctx) =>
        Response.json({
          query: await ctx.runQuery(internal.users.innerWho, {}),
          mutation: await ctx.runMutation(internal.users.innerRecord, {}),
        })) });
      export default http;`,
  });
  server = await startServer({ dir: project.dir, port: 0, db: testDatabase() });
});
afterAll(async () => {
  await server?.close();
  project?.remove();
});

const whoami = (token: string) => post(server.url, "/api/query", { path: "users:whoami", args: [{}] }, { Authorization: `Bearer ${token}` });

describe("custom claims never replace the identity's own fields", () => {
  it("a token of provider A carrying a `tokenIdentifier` claim still gets tokenIdentifier `<A>|<sub>` (no impersonation of provider B's users)", async () => {
    const token = await mint(keyA, { sub: "mallory", iss: ISSUER_A, tokenIdentifier: `${ISSUER_B}|victim`, team: "red" });
    const answer = await whoami(token);
    expect(answer.status).toBe(200);
    expect(answer.body.value).toMatchObject({ tokenIdentifier: `${ISSUER_A}|mallory`, subject: "mallory", issuer: ISSUER_A, team: "red" });
  });

  it("custom `subject` / `issuer` claims do not replace the verified `sub` / `iss`", async () => {
    const token = await mint(keyA, { sub: "mallory", iss: ISSUER_A, subject: "victim", issuer: ISSUER_B });
    const answer = await whoami(token);
    expect(answer.status).toBe(200);
    expect(answer.body.value).toMatchObject({ tokenIdentifier: `${ISSUER_A}|mallory`, subject: "mallory", issuer: ISSUER_A });
  });

  it("over the sync protocol too: the identity a query sees keeps `<issuer>|<subject>`", async () => {
    const socket = await openRawSocket(server.url);
    socket.send({ type: "Authenticate", tokenType: "User", value: await mint(keyA, { sub: "mallory", iss: ISSUER_A, tokenIdentifier: `${ISSUER_B}|victim` }), baseVersion: 0 });
    socket.send({ type: "ModifyQuerySet", baseVersion: 0, newVersion: 1, modifications: [{ type: "Add", queryId: 0, udfPath: "users:whoami", args: [{}] }] });
    const transition = await socket.next("Transition");
    socket.close();
    expect(transition.modifications[0]).toMatchObject({ type: "QueryUpdated", value: { tokenIdentifier: `${ISSUER_A}|mallory` } });
  });
});

describe("several providers with one issuer", () => {
  it("a token for the second application of an issuer (aud = its applicationID) is accepted", async () => {
    const web = await whoami(await mint(sharedKey, { sub: "u1", iss: SHARED }, { audience: "app-web" }));
    expect(web.status).toBe(200); // the first provider: accepted
    const mobile = await whoami(await mint(sharedKey, { sub: "u1", iss: SHARED }, { audience: "app-mobile" }));
    expect(mobile.body).toMatchObject({ status: "success", value: { tokenIdentifier: `${SHARED}|u1` } });
    expect(mobile.status).toBe(200);
  });

  it("during a key migration (RS256 provider + ES256 provider, same issuer) tokens of both are accepted", async () => {
    const old = await whoami(await mint(oldRsa, { sub: "u2", iss: MIGRATING }));
    expect(old.status).toBe(200);
    const fresh = await whoami(await mint(newEc, { sub: "u2", iss: MIGRATING }));
    expect(fresh.body).toMatchObject({ status: "success", value: { subject: "u2" } });
    expect(fresh.status).toBe(200);
  });

  it("over the sync protocol: the second application's token is confirmed, not answered with AuthError", async () => {
    const socket = await openRawSocket(server.url);
    socket.send({ type: "Authenticate", tokenType: "User", value: await mint(sharedKey, { sub: "u3", iss: SHARED }, { audience: "app-mobile" }), baseVersion: 0 });
    socket.send({ type: "ModifyQuerySet", baseVersion: 0, newVersion: 1, modifications: [] });
    // A Transition confirming the identity, or (the bug) an AuthError and a close.
    await socket.next("Transition").catch(() => undefined);
    socket.close();
    expect(socket.received.find((m) => m.type === "AuthError")).toBeUndefined();
    expect(socket.received[0]).toMatchObject({ type: "Transition", endVersion: { identity: 1 } });
  });
});

describe("HTTP actions with a refused token", () => {
  it("a query or mutation the handler calls also refuses to answer `getUserIdentity()` (it throws, like in the handler), never null", async () => {
    const response = await fetch(`${server.siteUrl}/nested`, { headers: { Authorization: "Bearer not-a-jwt" } });
    expect(response.status).toBe(200); // the handler never asked: it runs
    const body = (await response.json()) as { query: { threw: boolean; message?: string }; mutation: { threw: boolean; message?: string } };
    expect(body.query).toMatchObject({ threw: true, message: expect.stringMatching(/not a JWT/) });
    expect(body.mutation).toMatchObject({ threw: true, message: expect.stringMatching(/not a JWT/) });
  });

  it("(control) without a token the nested functions see null, with a good one they see the user", async () => {
    const anonymous = (await (await fetch(`${server.siteUrl}/nested`)).json()) as { query: unknown };
    expect(anonymous.query).toEqual({ threw: false, identity: null });
    const token = await mint(keyA, { sub: "alice", iss: ISSUER_A });
    const user = (await (await fetch(`${server.siteUrl}/nested`, { headers: { Authorization: `Bearer ${token}` } })).json()) as { query: unknown };
    expect(user.query).toMatchObject({ threw: false, identity: { subject: "alice" } });
  });
});

// Authentication on the server: custom JWT and OpenID Connect providers, tokens over HTTP and the
// sync protocol, every kind of bad token, expiry, refresh without re-runs, rotation, revocation.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type RunningServer, type ServerLogger } from "syncline/server";
import { openRawSocket, type RawSocket } from "../helpers/raw-socket.js";
import { post } from "../helpers/server.js";
import { tempProject, type TempProject } from "../helpers/temp-project.js";
import { identityProvider, mint, signingKey, unsignedToken, type IdentityProvider, type SigningKey } from "../helpers/tokens.js";
import { testDatabase } from "../helpers/test-database.js";

const ISSUER = "https://issuer.syncline.test";
const AUDIENCE = "syncline-tests";

let rsa: SigningKey;
let ec: SigningKey;
let stranger: SigningKey;
let oidc: IdentityProvider;
let oidcKey: SigningKey;
let project: TempProject;
let server: RunningServer;
const logged: string[] = [];
const logger: ServerLogger = {
  info: (m) => logged.push(m),
  warn: (m) => logged.push(m),
  error: (m) => logged.push(m),
  functionLine: (_k, _n, line) => logged.push(line),
};

function authConfig(providers: object[]): string {
  return `export default ${JSON.stringify({ providers }, null, 2)};\n`;
}
const customProvider = () => ({ type: "customJwt", issuer: ISSUER, jwks: { keys: [rsa.publicJwk, ec.publicJwk] }, algorithm: "RS256", applicationID: AUDIENCE });
const ecProvider = () => ({ type: "customJwt", issuer: `${ISSUER}/ec`, jwks: { keys: [ec.publicJwk] }, algorithm: "ES256" });
const oidcProvider = () => ({ domain: oidc.url, applicationID: AUDIENCE });

beforeAll(async () => {
  [rsa, ec, stranger, oidcKey] = await Promise.all([
    signingKey("RS256", "rsa-1"),
    signingKey("ES256", "ec-1"),
    signingKey("RS256", "rsa-1"), // same kid, different key: a forged signature
    signingKey("ES256", "oidc-1"),
  ]);
  oidc = await identityProvider([oidcKey.publicJwk]);
  project = tempProject({
    "auth.config.ts": authConfig([customProvider(), ecProvider(), oidcProvider()]),
    "users.ts": `import { query, mutation, action, internalQuery, anyApi } from "syncline/server";
      export const whoami = query(async (ctx) => ctx.auth.getUserIdentity());
      export const plain = query(() => "no identity needed");
      export const subjectFromMutation = mutation(async (ctx) => (await ctx.auth.getUserIdentity())?.subject ?? null);
      export const viaAction = action(async (ctx) => ctx.runQuery((anyApi.users as any).internalWhoami, {}));
      export const internalWhoami = internalQuery(async (ctx) => (await ctx.auth.getUserIdentity())?.tokenIdentifier ?? null);
      // Reads the identity only once a flag exists: whether a result depends on the claims can change with the data.
      export const maybeWho = query(async (ctx) => (await ctx.db.query("flags").first()) ? ((await ctx.auth.getUserIdentity())?.name ?? null) : "no flag");
      export const setFlag = mutation(async (ctx) => { await ctx.db.insert("flags", { on: true }); });`,
  });
  server = await startServer({ dir: project.dir, port: 0, db: testDatabase(), logger });
});
afterAll(async () => {
  await server?.close();
  await oidc?.close();
  project?.remove();
});

const claims = (extra: Record<string, unknown> = {}) => ({ sub: "user-1", iss: ISSUER, name: "Ada Lovelace", email: "ada@example.com", email_verified: true, team: "engines", ...extra });
const query = (path: string, token?: string) =>
  post(server.url, "/api/query", { path, args: [{}] }, token ? { Authorization: `Bearer ${token}` } : {});

async function authenticated(token: string): Promise<{ socket: RawSocket }> {
  const socket = await openRawSocket(server.url);
  socket.send({ type: "Authenticate", tokenType: "User", value: token, baseVersion: 0 });
  return { socket };
}

describe("HTTP Authorization: Bearer", () => {
  it("gives functions the identity from an RS256 custom JWT", async () => {
    const answer = await query("users:whoami", await mint(rsa, claims(), { audience: AUDIENCE }));
    expect(answer.body.value).toEqual({
      tokenIdentifier: `${ISSUER}|user-1`,
      subject: "user-1",
      issuer: ISSUER,
      name: "Ada Lovelace",
      email: "ada@example.com",
      emailVerified: true,
      team: "engines",
    });
  });

  it("accepts ES256 tokens and OpenID Connect tokens (discovery + JWKS over HTTP)", async () => {
    const ecAnswer = await query("users:whoami", await mint(ec, { sub: "e", iss: `${ISSUER}/ec` }));
    expect(ecAnswer.body.value).toMatchObject({ subject: "e", issuer: `${ISSUER}/ec` });
    const oidcAnswer = await query("users:whoami", await mint(oidcKey, { sub: "o", iss: oidc.url }, { audience: AUDIENCE }));
    expect(oidcAnswer.body.value).toMatchObject({ subject: "o", tokenIdentifier: `${oidc.url}|o` });
  });

  it("never answers one user from another's cached result", async () => {
    const before = server.runtime.executionCount("users:whoami");
    const ada = await mint(rsa, claims({ sub: "cache-ada" }), { audience: AUDIENCE });
    const bob = await mint(rsa, claims({ sub: "cache-bob", name: "Bob" }), { audience: AUDIENCE });
    expect((await query("users:whoami", ada)).body.value).toMatchObject({ subject: "cache-ada" });
    expect((await query("users:whoami", bob)).body.value).toMatchObject({ subject: "cache-bob", name: "Bob" });
    expect((await query("users:whoami")).body.value).toBeNull();
    expect((await query("users:whoami", ada)).body.value).toMatchObject({ subject: "cache-ada" }); // the same user: cached
    expect(server.runtime.executionCount("users:whoami")).toBe(before + 3);
  });

  it("is anonymous without a token, and actions pass the identity on to runQuery", async () => {
    expect((await query("users:whoami")).body.value).toBeNull();
    const token = await mint(rsa, claims(), { audience: AUDIENCE });
    const answer = await post(server.url, "/api/action", { path: "users:viaAction", args: [{}] }, { Authorization: `Bearer ${token}` });
    expect(answer.body).toMatchObject({ status: "success", value: `${ISSUER}|user-1` });
  });
});

describe("bad tokens are refused with a clear message, never crash, never logged in full", () => {
  const now = () => Math.floor(Date.now() / 1000);
  const cases: [string, () => Promise<string>, RegExp][] = [
    ["a forged signature", () => mint(stranger, claims(), { audience: AUDIENCE }), /signature does not verify/],
    ["an unknown issuer", () => mint(rsa, claims({ iss: "https://elsewhere.test" }), { audience: AUDIENCE }), /not a configured provider/],
    ["a wrong audience", () => mint(rsa, claims(), { audience: "someone-else" }), /audience/],
    ["an expired token", () => mint(rsa, claims({ iat: now() - 7200, exp: now() - 3600 }), { audience: AUDIENCE }), /expired/],
    ["a token not valid yet", () => mint(rsa, claims({ nbf: now() + 3600 }), { audience: AUDIENCE }), /not valid yet/],
    ["alg none", async () => unsignedToken(claims({ aud: AUDIENCE })), /unsigned/],
    ["an unknown key id", async () => mint({ ...rsa, kid: "rsa-unknown" }, claims(), { audience: AUDIENCE }), /key id|kid/],
    ["garbage", async () => "not-a-jwt-at-all", /not a JWT/],
    ["1 MB of text", async () => "x".repeat(1 << 20), /too large/],
  ];

  it.each(cases)("%s over HTTP: 401 (431 when it does not fit in a header)", async (label, token, message) => {
    const value = await token();
    const answer = await query("users:whoami", value);
    if (label === "1 MB of text") {
      expect(answer.status).toBe(431);
      expect(answer.body.message).toMatch(/headers are too large/);
    } else {
      expect(answer.status).toBe(401);
      expect(answer.body.message).toMatch(message);
    }
    expect(JSON.stringify(answer.body)).not.toContain(value.slice(0, -7));
  });

  it.each(cases)("%s over the sync protocol: AuthError then close", async (_label, token, message) => {
    const value = await token();
    const { socket } = await authenticated(value);
    const error = await socket.next("AuthError");
    expect(error).toMatchObject({ authUpdateAttempted: true, baseVersion: 0 });
    expect(error.error).toMatch(message);
    expect(error.error).not.toContain(value.slice(0, -7));
    expect((await socket.closed).code).toBe(1000);
  });

  it("kept no token in any log line, and the server still serves", async () => {
    expect(logged.join("\n")).not.toMatch(/eyJ[A-Za-z0-9_-]{20,}/);
    expect((await query("users:plain")).body.value).toBe("no identity needed");
  });
});

describe("the sync protocol", () => {
  it("confirms a token by bumping the identity version, and queries see the user", async () => {
    const { socket } = await authenticated(await mint(rsa, claims(), { audience: AUDIENCE }));
    socket.send({ type: "ModifyQuerySet", baseVersion: 0, newVersion: 1, modifications: [{ type: "Add", queryId: 0, udfPath: "users:whoami", args: [{}] }] });
    const transition = await socket.next("Transition");
    expect(transition).toMatchObject({ endVersion: { identity: 1, querySet: 1 } });
    expect(transition.modifications[0]).toMatchObject({ value: { subject: "user-1" } });
    socket.send({ type: "Mutation", requestId: 0, udfPath: "users:subjectFromMutation", args: [{}] });
    expect(await socket.next("MutationResponse")).toMatchObject({ success: true, result: "user-1" });
    socket.close();
  });

  it("a refreshed token for the same user re-runs nothing; changed claims re-run only what reads the identity", async () => {
    const { socket } = await authenticated(await mint(rsa, claims({ sub: "refresh" }), { audience: AUDIENCE }));
    socket.send({
      type: "ModifyQuerySet",
      baseVersion: 0,
      newVersion: 1,
      modifications: [
        { type: "Add", queryId: 0, udfPath: "users:whoami", args: [{}] },
        { type: "Add", queryId: 1, udfPath: "users:plain", args: [{}] },
      ],
    });
    await socket.next("Transition");
    const before = { whoami: server.runtime.executionCount("users:whoami"), plain: server.runtime.executionCount("users:plain") };
    await new Promise((resolve) => setTimeout(resolve, 1100)); // a later iat
    socket.send({ type: "Authenticate", tokenType: "User", value: await mint(rsa, claims({ sub: "refresh" }), { audience: AUDIENCE }), baseVersion: 1 });
    const refreshed = await socket.next("Transition");
    expect(refreshed.endVersion.identity).toBe(2);
    expect(refreshed.modifications).toEqual([]);
    expect(server.runtime.executionCount("users:whoami")).toBe(before.whoami);
    expect(server.runtime.executionCount("users:plain")).toBe(before.plain);

    socket.send({ type: "Authenticate", tokenType: "User", value: await mint(rsa, claims({ sub: "refresh", name: "Ada King" }), { audience: AUDIENCE }), baseVersion: 2 });
    const renamed = await socket.next("Transition");
    expect(renamed.endVersion.identity).toBe(3);
    // Only the query that reads the identity re-ran; the other kept its result.
    expect(renamed.modifications).toEqual([expect.objectContaining({ queryId: 0, value: expect.objectContaining({ name: "Ada King" }) })]);
    expect(server.runtime.executionCount("users:whoami")).toBe(before.whoami + 1);
    expect(server.runtime.executionCount("users:plain")).toBe(before.plain);
    socket.close();
  });

  it("a token that expires while connected ends in AuthError (authUpdateAttempted: false) and a close", async () => {
    const { socket } = await authenticated(await mint(rsa, claims(), { audience: AUDIENCE, expiresIn: 2 }));
    socket.send({ type: "ModifyQuerySet", baseVersion: 0, newVersion: 1, modifications: [] });
    await socket.next("Transition");
    expect(await socket.next("AuthError", 8000)).toMatchObject({ authUpdateAttempted: false, error: expect.stringMatching(/expired/) });
    expect((await socket.closed).code).toBe(1000);
  });

  it("rotating keys: a token signed with a new key id is accepted after the JWKS refetch", async () => {
    const rotated = await signingKey("ES256", "oidc-2");
    oidc.keys = [oidcKey.publicJwk, rotated.publicJwk];
    const fetchesBefore = oidc.jwksRequests;
    await new Promise((resolve) => setTimeout(resolve, 1100)); // past the refetch cooldown
    const answer = await query("users:whoami", await mint(rotated, { sub: "rotated", iss: oidc.url }, { audience: AUDIENCE }));
    expect(answer.body.value).toMatchObject({ subject: "rotated" });
    expect(oidc.jwksRequests).toBe(fetchesBefore + 1);
  });

  it("removing a provider under dev revokes its sessions and its tokens", async () => {
    const token = await mint(ec, { sub: "soon-revoked", iss: `${ISSUER}/ec` });
    const { socket } = await authenticated(token);
    socket.send({ type: "ModifyQuerySet", baseVersion: 0, newVersion: 1, modifications: [] });
    expect((await socket.next("Transition")).endVersion.identity).toBe(1);
    project.write("auth.config.ts", authConfig([customProvider(), oidcProvider()]));
    await server.reload();
    expect(await socket.next("AuthError")).toMatchObject({ authUpdateAttempted: false, error: expect.stringMatching(/not a configured provider/) });
    expect((await query("users:whoami", token)).status).toBe(401);
  });

  it("a query kept across a claims change that starts reading the identity is re-run for this socket's claims", async () => {
    const first = await authenticated(await mint(rsa, claims({ sub: "two-tabs", name: "Old Name" }), { audience: AUDIENCE }));
    const second = await authenticated(await mint(rsa, claims({ sub: "two-tabs", name: "Old Name", jti: "other" }), { audience: AUDIENCE }));
    for (const { socket } of [first, second]) {
      socket.send({ type: "ModifyQuerySet", baseVersion: 0, newVersion: 1, modifications: [{ type: "Add", queryId: 0, udfPath: "users:maybeWho", args: [{}] }] });
      expect((await socket.next("Transition")).modifications).toMatchObject([{ value: "no flag" }]);
    }
    // The second tab's user was renamed; the query does not read the identity yet, so it is kept.
    const executions = server.runtime.executionCount("users:maybeWho");
    second.socket.send({ type: "Authenticate", tokenType: "User", value: await mint(rsa, claims({ sub: "two-tabs", name: "New Name" }), { audience: AUDIENCE }), baseVersion: 1 });
    expect((await second.socket.next("Transition")).modifications).toEqual([]);
    expect(server.runtime.executionCount("users:maybeWho")).toBe(executions);
    // Now it does: each tab sees its own claims, never the other's.
    first.socket.send({ type: "Mutation", requestId: 0, udfPath: "users:setFlag", args: [{}] });
    const firstUpdate = await first.socket.next("Transition");
    expect(firstUpdate.modifications).toMatchObject([{ queryId: 0, value: "Old Name" }]);
    const secondUpdate = await second.socket.next("Transition");
    expect(secondUpdate.modifications).toEqual([expect.objectContaining({ queryId: 0, value: "New Name" })]);
    first.socket.close();
    second.socket.close();
  });
});

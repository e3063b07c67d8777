// Server-side authentication: the full claim mapping,
// algorithm confusion and missing `sub`, an unreachable JWKS URL, odd Authorization headers, the
// admin key's reach, signing out over the socket, and an action outliving a token change.

import { createServer } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SignJWT } from "jose";
import { startServer, type RunningServer } from "syncline/server";
import { openRawSocket } from "../helpers/raw-socket.js";
import { post } from "../helpers/server.js";
import { tempProject, type TempProject } from "../helpers/temp-project.js";
import { mint, signingKey, type SigningKey } from "../helpers/tokens.js";
import { testDatabase } from "../helpers/test-database.js";

const ISSUER = "https://issuer.verification.test";
const DOWN = "https://down.verification.test";
const ADMIN_KEY = "test-admin-key-0123456789abcdef";

let key: SigningKey;
let project: TempProject;
let server: RunningServer;

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const port = (probe.address() as { port: number }).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

beforeAll(async () => {
  key = await signingKey("RS256", "cov-1");
  const providers = [
    { type: "customJwt", issuer: ISSUER, jwks: { keys: [key.publicJwk] }, algorithm: "RS256" },
    { type: "customJwt", issuer: DOWN, jwks: `http://127.0.0.1:${await closedPort()}/jwks.json`, algorithm: "RS256" },
  ];
  project = tempProject({
    "auth.config.ts": `export default ${JSON.stringify({ providers }, null, 2)};\n`,
    "users.ts": `import { query, action, internalQuery, anyApi } from "syncline/server";
      export const whoami = query(async (ctx) => ctx.auth.getUserIdentity());
      export const secret = internalQuery(async () => "internal");
      export const innerSubject = internalQuery(async (ctx) => (await ctx.auth.getUserIdentity())?.subject ?? null);
      export const slowWho = action(async (ctx) => {
        await new Promise((resolve) => setTimeout(resolve, 400));
        return ctx.runQuery((anyApi.users as any).innerSubject, {});
      });`,
  });
  server = await startServer({ dir: project.dir, port: 0, db: testDatabase(), adminKey: ADMIN_KEY });
});
afterAll(async () => {
  await server?.close();
  project?.remove();
});

const whoami = (headers: Record<string, string>) => post(server.url, "/api/query", { path: "users:whoami", args: [{}] }, headers);
const now = () => Math.floor(Date.now() / 1000);

describe("identity from claims", () => {
  it("maps every standard OIDC claim to its camelCase field, keeps custom claims, drops aud and volatile claims", async () => {
    const token = await mint(
      key,
      {
        sub: "ada",
        iss: ISSUER,
        name: "Ada Lovelace",
        given_name: "Ada",
        family_name: "Lovelace",
        nickname: "ada",
        preferred_username: "countess",
        picture: "https://example.com/ada.png",
        email: "ada@example.com",
        email_verified: true,
        phone_number: "+44 20 0000 0000",
        phone_number_verified: false,
        updated_at: 1_700_000_000,
        gender: "female",
        birthday: "1815-12-10",
        timezone: "Europe/London",
        language: "en-GB",
        profile_url: "https://example.com/ada",
        address: { country: "UK" },
        roles: ["admin", "editor"],
        org: { id: 7 },
        nbf: now() - 10,
        jti: "unique-id",
      },
      { audience: "anything" },
    );
    const answer = await whoami({ Authorization: `Bearer ${token}` });
    expect(answer.body.value).toEqual({
      tokenIdentifier: `${ISSUER}|ada`,
      subject: "ada",
      issuer: ISSUER,
      name: "Ada Lovelace",
      givenName: "Ada",
      familyName: "Lovelace",
      nickname: "ada",
      preferredUsername: "countess",
      pictureUrl: "https://example.com/ada.png",
      email: "ada@example.com",
      emailVerified: true,
      phoneNumber: "+44 20 0000 0000",
      phoneNumberVerified: false,
      updatedAt: new Date(1_700_000_000_000).toISOString(),
      gender: "female",
      birthday: "1815-12-10",
      timezone: "Europe/London",
      language: "en-GB",
      profileUrl: "https://example.com/ada",
      address: { country: "UK" },
      roles: ["admin", "editor"],
      org: { id: 7 },
    });
  });
});

describe("tokens that must be refused", () => {
  it("HS256 signed with the provider's public key (algorithm confusion) is refused", async () => {
    const secret = new TextEncoder().encode(JSON.stringify(key.publicJwk));
    const token = await new SignJWT({ sub: "ada", iss: ISSUER })
      .setProtectedHeader({ alg: "HS256", kid: key.kid })
      .setIssuedAt()
      .setExpirationTime("1h")
      .sign(secret);
    const answer = await whoami({ Authorization: `Bearer ${token}` });
    expect(answer.status).toBe(401);
    expect(answer.body).toMatchObject({ code: "Unauthenticated", message: expect.stringMatching(/algorithm/) });
  });

  it("a signed token without `sub` is refused", async () => {
    const token = await new SignJWT({ iss: ISSUER }).setProtectedHeader({ alg: "RS256", kid: key.kid }).setIssuedAt().setExpirationTime("1h").sign(key.privateKey);
    const answer = await whoami({ Authorization: `Bearer ${token}` });
    expect(answer.status).toBe(401);
    expect(answer.body.message).toMatch(/"sub"/);
  });

  it("a token expired a minute ago is refused (beyond the clock tolerance)", async () => {
    const token = await mint(key, { sub: "ada", iss: ISSUER, iat: now() - 120, exp: now() - 60 });
    expect((await whoami({ Authorization: `Bearer ${token}` })).status).toBe(401);
  });
});

describe("a provider whose JWKS URL is down", () => {
  it("refuses its tokens with a clear 401 / AuthError, without crashing or affecting other sockets", async () => {
    const good = await openRawSocket(server.url);
    good.send({ type: "Authenticate", tokenType: "User", value: await mint(key, { sub: "steady", iss: ISSUER }), baseVersion: 0 });
    good.send({ type: "ModifyQuerySet", baseVersion: 0, newVersion: 1, modifications: [{ type: "Add", queryId: 0, udfPath: "users:whoami", args: [{}] }] });
    expect((await good.next("Transition")).modifications[0]).toMatchObject({ value: { subject: "steady" } });

    const downToken = await mint(key, { sub: "ada", iss: DOWN });
    const http = await whoami({ Authorization: `Bearer ${downToken}` });
    expect(http.status).toBe(401);
    expect(http.body).toMatchObject({ code: "Unauthenticated", message: expect.stringMatching(/refused/) });

    const bad = await openRawSocket(server.url);
    bad.send({ type: "Authenticate", tokenType: "User", value: downToken, baseVersion: 0 });
    expect(await bad.next("AuthError")).toMatchObject({ authUpdateAttempted: true, baseVersion: 0 });
    expect((await bad.closed).code).toBe(1000);

    // The other socket still works.
    good.send({ type: "ModifyQuerySet", baseVersion: 1, newVersion: 2, modifications: [{ type: "Remove", queryId: 0 }] });
    expect(await good.next("Transition")).toMatchObject({ endVersion: { querySet: 2 } });
    good.close();
  });
});

describe("the Authorization header over HTTP", () => {
  it("`Bearer` followed by something that is not a JWT is a 401 {code, message}", async () => {
    const answer = await whoami({ Authorization: "Bearer  ." });
    expect(answer.status).toBe(401);
    expect(answer.body).toMatchObject({ code: "Unauthenticated", message: expect.stringMatching(/not a JWT/) });
  });

  it("the admin key is honoured only as `Syncline-Admin <key>`, never as a Bearer token nor from a user JWT", async () => {
    const internal = (authorization: string) => post(server.url, "/api/query", { path: "users:secret", args: [{}] }, { Authorization: authorization });
    expect((await internal(`Syncline-Admin ${ADMIN_KEY}`)).body).toMatchObject({ status: "success", value: "internal" });
    expect((await internal(`Bearer ${ADMIN_KEY}`)).status).toBe(401);
    const userToken = await mint(key, { sub: "ada", iss: ISSUER });
    for (const header of [`Syncline-Admin ${userToken}`, `Syncline-Admin ${ADMIN_KEY}x`, `Syncline-Admin ${ADMIN_KEY.slice(0, -1)}`, `syncline-admin ${ADMIN_KEY}`]) {
      const answer = await internal(header);
      expect(answer.body).toMatchObject({ status: "error", errorMessage: expect.stringMatching(/Could not find public function/) });
    }
    expect((await internal(`Bearer ${userToken}`)).body).toMatchObject({ status: "error", errorMessage: expect.stringMatching(/Could not find public function/) });
  });

  it("the admin key is refused over the sync protocol (AuthError, close)", async () => {
    const socket = await openRawSocket(server.url);
    socket.send({ type: "Authenticate", tokenType: "Admin", value: ADMIN_KEY, baseVersion: 0 });
    expect(await socket.next("AuthError")).toMatchObject({ authUpdateAttempted: true });
    expect((await socket.closed).code).toBe(1000);
    expect(JSON.stringify(socket.received)).not.toContain(ADMIN_KEY);
  });
});

describe("identity changes on a socket", () => {
  it("Authenticate None signs out: queries see null, and the old token's expiry no longer closes the socket", async () => {
    const socket = await openRawSocket(server.url);
    socket.send({ type: "Authenticate", tokenType: "User", value: await mint(key, { sub: "leaving", iss: ISSUER }, { expiresIn: 2 }), baseVersion: 0 });
    socket.send({ type: "ModifyQuerySet", baseVersion: 0, newVersion: 1, modifications: [{ type: "Add", queryId: 0, udfPath: "users:whoami", args: [{}] }] });
    expect((await socket.next("Transition")).modifications[0]).toMatchObject({ value: { subject: "leaving" } });
    socket.send({ type: "Authenticate", tokenType: "None", baseVersion: 1 });
    const signedOut = await socket.next("Transition");
    expect(signedOut).toMatchObject({ endVersion: { identity: 2 } });
    expect(signedOut.modifications).toEqual([expect.objectContaining({ queryId: 0, value: null })]);
    await new Promise((resolve) => setTimeout(resolve, 3500)); // past the old token's expiry
    expect(socket.received.some((m) => m.type === "AuthError")).toBe(false);
    socket.close();
  });

  it("an action keeps the identity it started with when the socket's token is replaced mid-run", async () => {
    const socket = await openRawSocket(server.url);
    socket.send({ type: "Authenticate", tokenType: "User", value: await mint(key, { sub: "first", iss: ISSUER }), baseVersion: 0 });
    socket.send({ type: "Action", requestId: 0, udfPath: "users:slowWho", args: [{}] });
    socket.send({ type: "Authenticate", tokenType: "User", value: await mint(key, { sub: "second", iss: ISSUER }), baseVersion: 1 });
    socket.send({ type: "Action", requestId: 1, udfPath: "users:slowWho", args: [{}] });
    const first = await socket.next("ActionResponse", 5000);
    const second = await socket.next("ActionResponse", 5000);
    const byId = new Map([first, second].map((r) => [r.requestId, r]));
    expect(byId.get(0)).toMatchObject({ success: true, result: "first" });
    expect(byId.get(1)).toMatchObject({ success: true, result: "second" });
    socket.close();
  });
});

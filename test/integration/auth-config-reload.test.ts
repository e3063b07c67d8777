// Reloading auth.config.ts while a socket's Authenticate is still being verified. Removing a
// provider revokes its sessions (`reverify`), so a token of the removed provider must not become
// a socket's identity just because its verification started before the reload.

import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type RunningServer } from "syncline/server";
import { openRawSocket } from "../helpers/raw-socket.js";
import { post } from "../helpers/server.js";
import { tempProject, type TempProject } from "../helpers/temp-project.js";
import { mint, signingKey, type SigningKey } from "../helpers/tokens.js";
import { testDatabase } from "../helpers/test-database.js";

const KEPT = "https://kept.reload.test";
const REMOVED = "https://removed.reload.test";

let keptKey: SigningKey;
let removedKey: SigningKey;
let jwksServer: Server;
let jwksUrl: string;
/** JWKS requests wait here until the test lets them through. */
let held: (() => void)[] = [];
let jwksRequested: () => void = () => {};
let project: TempProject;
let server: RunningServer;

const config = (providers: object[]) => `export default ${JSON.stringify({ providers }, null, 2)};\n`;
const keptProvider = () => ({ type: "customJwt", issuer: KEPT, jwks: { keys: [keptKey.publicJwk] }, algorithm: "RS256" });
const removedProvider = () => ({ type: "customJwt", issuer: REMOVED, jwks: jwksUrl, algorithm: "RS256" });

beforeAll(async () => {
  [keptKey, removedKey] = await Promise.all([signingKey("RS256", "kept-1"), signingKey("RS256", "removed-1")]);
  jwksServer = createServer((_request, response) => {
    jwksRequested();
    held.push(() => {
      response.setHeader("Content-Type", "application/json");
      response.end(JSON.stringify({ keys: [removedKey.publicJwk] }));
    });
  });
  await new Promise<void>((resolve) => jwksServer.listen(0, "127.0.0.1", resolve));
  jwksUrl = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/jwks.json`;
  project = tempProject({
    "auth.config.ts": config([keptProvider(), removedProvider()]),
    "users.ts": `import { query } from "syncline/server";
      export const whoami = query(async (ctx) => (await ctx.auth.getUserIdentity())?.tokenIdentifier ?? null);`,
  });
  server = await startServer({ dir: project.dir, port: 0, db: testDatabase() });
});
afterAll(async () => {
  for (const release of held.splice(0)) release();
  await server?.close();
  jwksServer.closeAllConnections();
  await new Promise<void>((resolve) => jwksServer.close(() => resolve()));
  project?.remove();
});

describe("reloading auth.config.ts during an Authenticate", () => {
  it("a token of a provider removed while its verification was in flight does not become the socket's identity", async () => {
    const socket = await openRawSocket(server.url);
    socket.send({ type: "Authenticate", tokenType: "User", value: await mint(keptKey, { sub: "alice", iss: KEPT }), baseVersion: 0 });
    socket.send({ type: "ModifyQuerySet", baseVersion: 0, newVersion: 1, modifications: [{ type: "Add", queryId: 0, udfPath: "users:whoami", args: [{}] }] });
    expect((await socket.next("Transition")).modifications[0]).toMatchObject({ value: `${KEPT}|alice` });

    // A new token of the soon-removed provider: its keys are being fetched when the reload happens.
    const requested = new Promise<void>((resolve) => (jwksRequested = resolve));
    const removedToken = await mint(removedKey, { sub: "mallory", iss: REMOVED });
    socket.send({ type: "Authenticate", tokenType: "User", value: removedToken, baseVersion: 1 });
    await requested;
    project.write("auth.config.ts", config([keptProvider()]));
    await server.reload();
    // The provider is gone: its tokens are refused from now on.
    expect((await post(server.url, "/api/query", { path: "users:whoami", args: [{}] }, { Authorization: `Bearer ${removedToken}` })).status).toBe(401);
    // Now the old verification finishes.
    for (const release of held.splice(0)) release();

    // Either an AuthError (the token is refused under the new config) or at least no query
    // answered as the removed provider's user.
    await socket.next("AuthError", 3000).catch(() => undefined);
    socket.close();
    const answeredAsRemoved = socket.received.some(
      (m) => m.type === "Transition" && m.modifications.some((mod) => mod.type === "QueryUpdated" && mod.value === `${REMOVED}|mallory`),
    );
    expect(answeredAsRemoved).toBe(false);
    expect(socket.received.some((m) => m.type === "AuthError")).toBe(true);
  });
});

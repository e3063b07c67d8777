// SynclineClient.setAuth end to end against the real server with a custom JWT provider
// (protocol.md §6, §9).

import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { makeFunctionReference, SynclineClient } from "syncline";
import { startServer, type RunningServer } from "syncline/server";
import { tempProject, type TempProject } from "../../helpers/temp-project.js";
import { mint, signingKey, type SigningKey } from "../../helpers/tokens.js";
import { recordingLogger, until } from "./support/setup.js";
import { testDatabase } from "../../helpers/test-database.js";

const ISSUER = "https://issuer.client.test";
const whoami = makeFunctionReference<"query", Record<string, never>, string | null>("query", "users:whoami");

describe("SynclineClient auth against the real server", () => {
  let key: SigningKey;
  let forger: SigningKey;
  let project: TempProject;
  let server: RunningServer;
  let clients: SynclineClient[] = [];

  beforeAll(async () => {
    [key, forger] = await Promise.all([signingKey("RS256", "k1"), signingKey("RS256", "k1")]);
    project = tempProject({
      "auth.config.ts": `export default ${JSON.stringify({ providers: [{ type: "customJwt", issuer: ISSUER, jwks: { keys: [key.publicJwk] }, algorithm: "RS256" }] })};\n`,
      "users.ts": `import { query } from "syncline/server";
        export const whoami = query(async (ctx) => (await ctx.auth.getUserIdentity())?.subject ?? null);`,
    });
    server = await startServer({ dir: project.dir, port: 0, db: testDatabase() });
  });
  afterEach(async () => {
    await Promise.all(clients.map((client) => client.close()));
    clients = [];
  });
  afterAll(async () => {
    await server?.close();
    project?.remove();
  });

  const connect = (options: ConstructorParameters<typeof SynclineClient>[1] = {}) => {
    const client = new SynclineClient(server.url, { WebSocket, logger: false, ...options });
    clients.push(client);
    return client;
  };
  // Every token gets a serial number (jti): two tokens minted in the same second must differ.
  let serial = 0;
  const good = (sub: string, expiresIn = 3600) => mint(key, { sub, iss: ISSUER, jti: String(++serial) }, { expiresIn });
  /** Signed by a key the server does not trust. */
  const forged = (sub: string) => mint(forger, { sub, iss: ISSUER, jti: String(++serial) });

  it("authenticates with the token from fetchToken and reports it", async () => {
    const client = connect();
    const changes: boolean[] = [];
    client.setAuth(() => good("ada"), (ok) => changes.push(ok));
    const seen: (string | null)[] = [];
    client.subscribe(whoami, {}, (subject) => seen.push(subject));
    await until(() => seen.length > 0 && changes.length > 0);
    expect(seen).toEqual(["ada"]);
    expect(changes).toEqual([true]);
  });

  it("replaces a rejected token with a force-refreshed one", async () => {
    const client = connect();
    const calls: boolean[] = [];
    const changes: boolean[] = [];
    client.setAuth(
      async ({ forceRefreshToken }) => {
        calls.push(forceRefreshToken);
        return forceRefreshToken ? good("grace") : forged("grace");
      },
      (ok) => changes.push(ok),
    );
    const seen: (string | null)[] = [];
    client.subscribe(whoami, {}, (subject) => seen.push(subject));
    await until(() => seen.includes("grace"), 10_000);
    expect(calls).toEqual([false, true]);
    expect(changes).toEqual([true]);
  });

  it("gives up after two rejected fresh tokens and goes on unauthenticated", async () => {
    const log = recordingLogger();
    const client = connect({ logger: log.logger });
    let calls = 0;
    const changes: boolean[] = [];
    client.setAuth(
      () => {
        calls++;
        return forged("mallory");
      },
      (ok) => changes.push(ok),
    );
    const seen: (string | null)[] = [];
    client.subscribe(whoami, {}, (subject) => seen.push(subject));
    await until(() => changes.length > 0 && seen.length > 0, 15_000);
    expect(changes).toEqual([false]);
    expect(calls).toBe(3);
    expect(seen).toEqual([null]);
    expect(log.lines.some((line) => line.level === "error" && line.text.includes("Failed to authenticate"))).toBe(true);
  }, 20_000);

  it("refreshes the token before it expires without reconnecting", async () => {
    const client = connect({ authRefreshLeewaySeconds: 28.5 });
    let calls = 0;
    client.setAuth(() => {
      calls++;
      return good("hopper", 30);
    });
    const seen: (string | null)[] = [];
    client.subscribe(whoami, {}, (subject) => seen.push(subject));
    await until(() => calls >= 2, 10_000);
    await until(() => client.debug().auth === "confirmed" && client.debug().versions.identity === 2, 10_000);
    expect(client.connectionState().connectionCount).toBe(1);
    expect(seen).toEqual(["hopper"]);
  });
});

// HTTP actions on the site port: the documentation's examples (hello, the postMessage webhook,
// lookups by author, CORS with its pre-flight and file storage), body types and the 20 MB limit, 404 / 405,
// failures in dev and --prod, logs, auth, and routes that are load errors.

import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type RunningServer } from "syncline/server";
import { call, startTestServer, recordingLogger } from "../helpers/server.js";
import { tempProject } from "../helpers/temp-project.js";
import { waitFor } from "../helpers/wait.js";
import { cleanupAfterEach } from "../helpers/cleanups.js";
import { testDatabase } from "../helpers/test-database.js";

const { logger, lines } = recordingLogger();

// The CORS example reads the allowed origin from the environment (the server's, in Syncline).
process.env.CLIENT_ORIGIN = "https://mywebsite.example";

let server: RunningServer;
beforeAll(async () => {
  server = await startTestServer({ logger });
});
afterAll(() => server.close());

const cleanups = cleanupAfterEach();

const site = (path: string, init?: RequestInit) => fetch(`${server.siteUrl}${path}`, init);

describe("the documentation's examples", () => {
  it("serves http.ts on its own port, not under the API", async () => {
    expect(server.sitePort).not.toBe(server.port);
    const hello = await site("/?x=1");
    expect(hello.status).toBe(200);
    expect(await hello.text()).toBe(`Hello from ${server.siteUrl}/?x=1`);
    expect((await fetch(`${server.url}/postMessage`, { method: "POST" })).status).toBe(404);
    const lost = await site("/api/query", { method: "POST" });
    expect(lost.status).toBe(404);
    expect(((await lost.json()) as { message: string }).message).toContain(`${server.url}/api/query`);
  });

  it("postMessage: a webhook calling an internal mutation", async () => {
    const response = await site("/postMessage", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ author: "User 123", body: "Hello world" }),
    });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe("");
    const answer = await call(server.url, "query", "behaviour:listRoom", { room: "http" });
    expect(answer.body.value).toMatchObject([{ author: "User 123", body: "Sent via HTTP action: Hello world" }]);
  });

  it("routes by exact path and by path prefix", async () => {
    await site("/postMessage", { method: "POST", body: JSON.stringify({ author: "User 234", body: "hi" }) });
    const byQuery = await site("/getMessagesByAuthor?author=User%20234");
    expect(byQuery.headers.get("content-type")).toBe("application/json");
    expect(await byQuery.json()).toEqual([{ author: "User 234", body: "Sent via HTTP action: hi" }]);
    expect(await (await site("/getAuthorMessages/User%20234")).json()).toEqual([{ author: "User 234", body: "Sent via HTTP action: hi" }]);
    // An exact path wins over a prefix for its own method; other methods still reach the prefix.
    expect(await (await site("/files/special", { method: "POST" })).text()).toBe("special");
    expect(await (await site("/files/special")).text()).toBe("file /files/special");
  });

  it("CORS: the pre-flight route answers OPTIONS, the POST sets Access-Control-Allow-Origin", async () => {
    const preflight = await site("/sendImage", {
      method: "OPTIONS",
      headers: { Origin: "https://mywebsite.example", "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "Content-Type, Digest" },
    });
    expect(preflight.status).toBe(200);
    expect(Object.fromEntries(preflight.headers)).toMatchObject({
      "access-control-allow-origin": "https://mywebsite.example",
      "access-control-allow-methods": "POST",
      "access-control-allow-headers": "Content-Type, Digest",
      "access-control-max-age": "86400",
    });
    const notPreflight = await site("/sendImage", { method: "OPTIONS" });
    expect(notPreflight.status).toBe(200);
    expect(notPreflight.headers.get("access-control-allow-origin")).toBeNull();

    const image = new Blob([new Uint8Array([137, 80, 78, 71])], { type: "image/png" });
    const sent = await site("/sendImage?author=ada", { method: "POST", body: image, headers: { Origin: "https://mywebsite.example" } });
    expect(sent.status).toBe(200);
    expect(sent.headers.get("access-control-allow-origin")).toBe("https://mywebsite.example");
    expect(sent.headers.get("vary")).toBe("origin");
    // Step 1 stored the file and step 2 saved its id: the image is served from its file URL.
    const { result: images } = await server.db.read((tx) => tx.db.query("images").collect());
    expect(images).toMatchObject([{ author: "ada" }]);
    const file = await fetch(`${server.url}/api/storage/${String(images[0]!.storageId)}`);
    expect(file.headers.get("content-type")).toBe("image/png");
    expect([...new Uint8Array(await file.arrayBuffer())]).toEqual([137, 80, 78, 71]);
  });
});

describe("bodies", () => {
  it("text, json, arrayBuffer and blob, both ways", async () => {
    expect(await (await site("/echo/text", { method: "POST", body: "shout" })).text()).toBe("POST SHOUT");
    const json = await site("/echo/json", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ n: 1, list: ["a"] }) });
    expect(await json.json()).toEqual({ received: { n: 1, list: ["a"] }, contentType: "application/json" });
    const bytes = await site("/echo/bytes", { method: "PUT", body: new Uint8Array([1, 2, 3]) });
    expect(bytes.headers.get("x-length")).toBe("3");
    expect([...new Uint8Array(await bytes.arrayBuffer())]).toEqual([3, 2, 1]);
    const blob = await site("/echo/blob", { method: "POST", body: new Blob(["blob body"]) });
    expect(blob.status).toBe(201);
    expect(blob.headers.get("x-blob-size")).toBe("9");
    expect(await (await blob.blob()).text()).toBe("blob body");
    const cookies = await site("/cookies");
    expect(cookies.headers.getSetCookie()).toEqual(["a=1", "b=2"]);
  });

  it("accepts 20 MB, and answers a larger body with a clear 413", async () => {
    const limit = 20 * 1024 * 1024;
    const full = await site("/echo/blob", { method: "POST", body: new Uint8Array(limit) });
    expect(full.status).toBe(201);
    expect(full.headers.get("x-blob-size")).toBe(String(limit));
    expect((await full.arrayBuffer()).byteLength).toBe(limit);

    const tooLarge = await site("/echo/blob", { method: "POST", body: new Uint8Array(limit + 1) });
    expect(tooLarge.status).toBe(413);
    expect(await tooLarge.json()).toEqual({ code: "PayloadTooLarge", message: `Request body is larger than the limit of ${limit} bytes.` });

    const tooBig = await site("/too-big");
    expect(tooBig.status).toBe(500);
    expect(await tooBig.json()).toEqual({ code: "HttpActionFailed", message: `The HTTP action's response body is larger than the limit of ${limit} bytes.` });
  });
});

describe("status codes and failures", () => {
  it("404 for an unknown route, 405 with Allow for a wrong method, HEAD answered by GET", async () => {
    const missing = await site("/nowhere");
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ code: "NotFound", message: "No HTTP action routes GET /nowhere." });
    const wrong = await site("/postMessage");
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get("allow")).toBe("POST");
    expect((await site("/sendImage", { method: "DELETE" })).headers.get("allow")).toBe("OPTIONS, POST");
    expect((await site("/files/x", { method: "DELETE" })).headers.get("allow")).toBe("GET, HEAD");
    const head = await site("/", { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe("");
  });

  it("a throwing handler is a 500 with its message in dev, and its logs reach the dev logger with the route", async () => {
    const failed = await site("/fail");
    expect(failed.status).toBe(500);
    const body = (await failed.json()) as { code: string; message: string };
    expect(body.code).toBe("HttpActionFailed");
    expect(body.message).toMatch(/^Uncaught Error: a secret detail of the failure/);
    expect(lines).toContain("httpAction GET /fail [LOG] 'about to fail'");
    expect(lines.some((line) => line.startsWith("httpAction GET /fail [ERROR] Uncaught Error: a secret detail"))).toBe(true);

    const notResponse = await site("/not-a-response");
    expect(notResponse.status).toBe(500);
    expect(((await notResponse.json()) as { message: string }).message).toMatch(/must return a Response .* got string/);
  });

  it("--prod redacts the 500 body but still delivers AppError data", async () => {
    const prod = await startTestServer({ prod: true });
    cleanups.push(() => prod.close());
    const failed = await fetch(`${prod.siteUrl}/fail`);
    expect(failed.status).toBe(500);
    expect(await failed.json()).toEqual({ code: "HttpActionFailed", message: "Server Error" });
    const withData = await fetch(`${prod.siteUrl}/fail-with-data`);
    expect(withData.status).toBe(500);
    expect(await withData.json()).toMatchObject({ code: "HttpActionFailed", data: { code: "NOPE" } });
  });

  it("handlers run with real time and may use timers, like actions", async () => {
    const { elapsed } = (await (await site("/clock")).json()) as { elapsed: number };
    expect(elapsed).toBeGreaterThanOrEqual(15);
  });
});

describe("routes that are load errors", () => {
  async function loadError(http: string): Promise<string> {
    const project = tempProject({ "http.ts": http }, cleanups);
    const failure = await startServer({ dir: project.dir, port: 0, db: testDatabase() }).then(
      (started) => started.close().then(() => "started"),
      (error: Error) => error.message,
    );
    return failure;
  }
  const router = (route: string) => `import { httpRouter, httpAction } from "syncline/server";
const http = httpRouter();
const ok = httpAction(async () => new Response("ok"));
${route}
export default http;`;

  it("a route under /api/, a duplicate, a prefix without a trailing slash, a handler that is not an httpAction", async () => {
    expect(await loadError(router(`http.route({ path: "/api/hook", method: "POST", handler: ok });`))).toBe(
      "syncline/http.ts:4:6: failed to load: http.route(POST /api/hook): paths under /api/ are reserved for the function API; choose another path.",
    );
    expect(await loadError(router(`http.route({ path: "/a", method: "GET", handler: ok }); http.route({ path: "/a", method: "GET", handler: ok });`))).toMatch(
      /http\.route\(GET \/a\): this path and method are already routed/,
    );
    expect(await loadError(router(`http.route({ pathPrefix: "/files", method: "GET", handler: ok });`))).toMatch(/pathPrefix must end with "\/"/);
    expect(await loadError(router(`http.route({ path: "/a", method: "GET", handler: (async () => new Response()) as never });`))).toMatch(
      /handler must be httpAction/,
    );
    expect(await loadError(`export default { route() {} };`)).toMatch(/the default export of http\.ts must be httpRouter\(\)/);
  });
});

describe("auth in HTTP actions", () => {
  it("ctx.auth answers for the Bearer token; a refused token fails only handlers that ask; scheduled work runs as nobody", async () => {
    const { privateKey, publicKey } = await generateKeyPair("RS256", { extractable: true });
    const jwk = { ...(await exportJWK(publicKey)), kid: "k1", alg: "RS256", use: "sig" };
    const issuer = "https://issuer.http-actions.test";
    const project = tempProject({
      "auth.config.ts": `export default ${JSON.stringify({ providers: [{ type: "customJwt", issuer, jwks: { keys: [jwk] }, algorithm: "RS256" }] })};`,
      "jobs.ts": `import { internalMutation, query } from "syncline/server";
export const record = internalMutation(async (ctx) => { await ctx.db.insert("seen", { who: (await ctx.auth.getUserIdentity())?.subject ?? "nobody" }); });
export const seen = query(async (ctx) => (await ctx.db.query("seen").collect()).map((row) => row.who));`,
      "http.ts": `import { httpRouter, httpAction, anyApi } from "syncline/server";
const internal = anyApi as any;
const http = httpRouter();
http.route({ path: "/whoami", method: "GET", handler: httpAction(async (ctx) => {
  const identity = await ctx.auth.getUserIdentity();
  await ctx.scheduler.runAfter(0, internal.jobs.record, {});
  return Response.json({ subject: identity?.subject ?? null });
}) });
http.route({ path: "/webhook", method: "POST", handler: httpAction(async (_ctx, request) =>
  new Response(request.headers.get("authorization") === "Bearer shared-secret" ? "accepted" : "refused")) });
export default http;`,
    }, cleanups);
    const authed = await startServer({ dir: project.dir, port: 0, db: testDatabase() });
    cleanups.push(() => authed.close());
    const token = await new SignJWT({ sub: "user-7", iss: issuer }).setProtectedHeader({ alg: "RS256", kid: "k1" }).setIssuedAt().setExpirationTime("1h").sign(privateKey);

    const whoami = (headers: Record<string, string>) => fetch(`${authed.siteUrl}/whoami`, { headers });
    expect(await (await whoami({})).json()).toEqual({ subject: null });
    expect(await (await whoami({ Authorization: `Bearer ${token}` })).json()).toEqual({ subject: "user-7" });
    // A handler that asks who is calling fails with the reason the token was refused...
    const refused = await whoami({ Authorization: "Bearer not-a-jwt" });
    expect(refused.status).toBe(500);
    expect(JSON.stringify(await refused.json())).toMatch(/not a JWT/);
    // ...while one that does not (a webhook with its own secret in Authorization) just runs.
    const webhook = await fetch(`${authed.siteUrl}/webhook`, { method: "POST", headers: { Authorization: "Bearer shared-secret" } });
    expect(webhook.status).toBe(200);
    expect(await webhook.text()).toBe("accepted");
    // Both accepted requests scheduled a job; scheduled functions never carry the caller's identity.
    const seen = await waitFor(
      async () => (await call(authed.url, "query", "jobs:seen")).body.value as string[],
      (who) => who.length === 2,
    );
    expect(seen).toEqual(["nobody", "nobody"]);
  });
});

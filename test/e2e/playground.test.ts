// The playground in real headless Chromium against the real server.

import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { createServer, type ViteDevServer } from "vite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startChildServer, type ChildServer } from "../helpers/child-server.js";
import { launchBrowser, type Browser } from "./browser.js";

const ROOT = join(import.meta.dirname, "../..");
const FUNCTIONS = join(ROOT, "playground/syncline");
const ARTIFACTS = join(ROOT, "test/e2e/artifacts");

let scratch: string;
let dbFile: string;
let server: ChildServer;
let vite: ViteDevServer;
let pageUrl: string;
let browser: Browser;

// The server runs in its own process, as it would for real: the test process must stay free
// to watch the browser while the server is busy. Sending is slowed down (the playground's demo
// knob) so the optimistic update is observable before the server confirms.
const SEND_DELAY_MS = 2000;
function startBackend(ports?: { port: number; sitePort: number }): Promise<ChildServer> {
  return startChildServer(FUNCTIONS, dbFile, { env: { SYNCLINE_PLAYGROUND_DELAY_MS: String(SEND_DELAY_MS) }, ...ports });
}

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), "syncline-e2e-"));
  dbFile = join(scratch, "data.sqlite");
  server = await startBackend();
  vite = await createServer({ configFile: join(ROOT, "playground/vite.config.ts"), server: { port: 0, host: "127.0.0.1" }, logLevel: "silent" });
  await vite.listen();
  pageUrl = `${vite.resolvedUrls!.local[0]}?server=${encodeURIComponent(server.url)}&site=${encodeURIComponent(server.siteUrl)}`;
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await vite?.close();
  await server?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

async function open(): Promise<{ page: Page; console: string[] }> {
  const page = await browser.context.newPage();
  const console: string[] = [];
  page.on("console", (message) => console.push(message.text()));
  await page.goto(pageUrl);
  await page.getByTestId("connection").filter({ hasText: "connected" }).waitFor();
  return { page, console };
}

async function send(page: Page, text: string) {
  await page.getByLabel("Message").fill(text);
  await page.getByRole("button", { name: "Send" }).click();
}

describe("the playground in Chromium", () => {
  it("a message sent in page A appears in page B, and the sender sees it before the server confirms", async () => {
    const a = await open();
    const b = await open();
    await send(a.page, "hello from A");
    // Only the optimistic copy carries the pending mark: the server's copy replaces it on
    // confirmation, so seeing it proves the sender saw the message first, however loaded the
    // machine is (a stopwatch around the click measured the machine, not the client).
    await a.page.locator("[data-testid=messages] li.pending", { hasText: "hello from A" }).waitFor();
    await b.page.locator("[data-testid=messages] li", { hasText: "hello from A" }).waitFor();
    await a.page.locator("[data-testid=messages] li:not(.pending)", { hasText: "hello from A" }).waitFor();
    await a.page.close();
    await b.page.close();
  });

  it("shows a function's console.log line in the browser console with the function's name", async () => {
    const { page, console } = await open();
    await page.locator("[data-testid=messages]").waitFor();
    await expect.poll(() => console.join("\n")).toMatch(/\[Q\(messages:list\)\] \[LOG\] 'listing room' 'general'/);
    await page.close();
  });

  it("loads without a failed request (favicon included) and says when a room is empty", async () => {
    const page = await browser.context.newPage();
    const failed: string[] = [];
    page.on("response", (response) => {
      if (response.status() >= 400) failed.push(`${response.status()} ${response.url()}`);
    });
    await page.goto(pageUrl);
    await page.getByTestId("connection").filter({ hasText: "connected" }).waitFor();
    // Headless Chromium never asks for a favicon; a headed one asks for the page's icon link.
    const icon = await page.locator("link[rel=icon]").evaluate((link: HTMLLinkElement) => link.href);
    const served = await fetch(icon);
    expect([served.status, served.headers.get("content-type")]).toEqual([200, "image/svg+xml"]);
    await page.getByRole("button", { name: "#syncline" }).click();
    expect(await page.getByTestId("empty-room").textContent()).toBe("No messages in #syncline yet. Say hello: open a second tab and watch it arrive there.");
    expect(failed).toEqual([]);
    await page.close();
  });

  it("refuses the internal mutation, and the page keeps working", async () => {
    const { page } = await open();
    await page.getByRole("button", { name: "Call the internal mutation directly" }).click();
    const refusal = await page.getByTestId("refusal").textContent();
    expect(refusal).toMatch(/client: summaries:save is an internal function/);
    expect(refusal).toMatch(/server: .*Could not find public function for 'summaries:save'/);
    await send(page, "still working");
    await page.locator("[data-testid=messages] li:not(.pending)", { hasText: "still working" }).waitFor();
    await page.close();
  });

  it("after a server restart the badge shows reconnecting, then connected, and live updates resume", async () => {
    const a = await open();
    const b = await open();
    const ports = { port: Number(new URL(server.url).port), sitePort: Number(new URL(server.siteUrl).port) };
    await server.stop();
    await a.page.getByTestId("connection").filter({ hasText: "reconnecting" }).waitFor();
    server = await startBackend(ports); // same ports and database file: a real restart
    await a.page.getByTestId("connection").filter({ hasText: "connected" }).waitFor({ timeout: 30_000 });
    await b.page.getByTestId("connection").filter({ hasText: "connected" }).waitFor({ timeout: 30_000 });
    await send(a.page, "after the restart");
    await b.page.locator("[data-testid=messages] li", { hasText: "after the restart" }).waitFor();
    // Nothing sent before the restart was lost.
    await b.page.locator("[data-testid=messages] li", { hasText: "hello from A" }).waitFor();
    await a.page.close();
    await b.page.close();
  });

  it("runs the summarize action and saves a screenshot for review", async () => {
    const { page } = await open();
    await page.getByLabel("New task").fill("write the closing note");
    await page.getByRole("button", { name: "Add" }).click();
    await page.getByRole("button", { name: /Summarize #general/ }).click();
    await page.getByTestId("summary").filter({ hasText: /recent message/ }).waitFor({ timeout: 10_000 });
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, "playground.png"), fullPage: true });
    await page.close();
  });
});

describe("signing in with the dev-only token issuer", () => {
  it("signs in, shows per-user data, survives token expiry through refreshes, and signs out", async () => {
    const page = await browser.context.newPage();
    // Tokens that live 12 s: the client refreshes them 10 s before they expire.
    await page.goto(`${pageUrl}&tokenLifetime=12`);
    await page.getByTestId("connection").filter({ hasText: "connected" }).waitFor();
    await page.getByLabel("Your name").fill("Ada");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByTestId("me").filter({ hasText: "Signed in as Ada · 0 message(s) sent" }).waitFor();
    // The composer and the optimistic message use the signed-in name at once (the server posts
    // under it), never the guest name first.
    expect(await page.getByLabel("Message").getAttribute("placeholder")).toBe("Message #general as Ada");
    await send(page, "signed message");
    expect(await page.locator("[data-testid=messages] li.pending", { hasText: "signed message" }).textContent()).toMatch(/^Ada /);
    await page.getByTestId("me").filter({ hasText: "1 message(s) sent" }).waitFor();
    await page.locator("[data-testid=messages] li:not(.pending)", { hasText: "signed message" }).first().waitFor();
    expect(await page.locator("[data-testid=messages] li", { hasText: "signed message" }).first().textContent()).toMatch(/^Ada/);

    // Past the first token's lifetime: still signed in, never shown as signed out meanwhile.
    const shownSignedOut = page.waitForSelector("input[aria-label='Your name']", { timeout: 14_000 }).then(() => true, () => false);
    await page.waitForTimeout(14_000);
    expect(await shownSignedOut).toBe(false);
    await send(page, "after expiry");
    await page.getByTestId("me").filter({ hasText: "2 message(s) sent" }).waitFor();

    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByLabel("Your name").waitFor();
    await page.close();
  });
});

// A real 2x2 RGB PNG, so the browser has something to decode (a broken image keeps naturalWidth 0).
const PIXELS_PNG = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGN4ZummNbef4cuiRDW3YAAowgVyZKvJwgAAAABJRU5ErkJggg==", "base64");

describe("files in the playground", () => {
  it("a file uploaded in page A shows and loads in page B; deleting it in B removes it from A and from its URL", async () => {
    const a = await open();
    const b = await open();
    // The page (Vite's origin) posts to the API port with Content-Type image/png: a CORS preflight, then the upload.
    const uploaded = a.page.waitForResponse((response) => response.url().includes("/api/storage/upload"));
    await a.page.getByLabel("Attach a file").setInputFiles({ name: "pixels.png", mimeType: "image/png", buffer: PIXELS_PNG });
    expect((await uploaded).status()).toBe(200);

    const imageInB = b.page.locator("[data-testid=files] img[alt='pixels.png']");
    await imageInB.waitFor();
    await expect.poll(() => imageInB.evaluate((image: HTMLImageElement) => image.complete && image.naturalWidth)).toBe(2);
    await b.page.locator("[data-testid=files] li", { hasText: `${PIXELS_PNG.length} B` }).waitFor();
    expect(await b.page.locator("[data-testid=files] li", { has: b.page.locator("img[alt='pixels.png']") }).textContent()).toMatch(/^pixels\.png /);
    const url = (await imageInB.getAttribute("src"))!;
    expect(url.startsWith(`${server.url}/api/storage/`)).toBe(true);
    const served = await fetch(url);
    expect(served.headers.get("content-type")).toBe("image/png");
    expect(Buffer.from(await served.arrayBuffer()).equals(PIXELS_PNG)).toBe(true);

    const imageInA = a.page.locator("[data-testid=files] img[alt='pixels.png']");
    await imageInA.waitFor();
    await b.page.getByRole("button", { name: "Delete pixels.png" }).click();
    await imageInA.waitFor({ state: "detached" });
    expect((await fetch(url)).status).toBe(404);
    expect(await a.page.getByRole("alert").count()).toBe(0);
    await a.page.close();
    await b.page.close();
  });

  it("shows a failed upload to the user and saves nothing", async () => {
    const { page } = await open();
    await page.route("**/api/storage/upload*", (route) => route.abort());
    await page.getByLabel("Attach a file").setInputFiles({ name: "lost.png", mimeType: "image/png", buffer: PIXELS_PNG });
    expect(await page.getByRole("alert").textContent()).toMatch(/^Could not upload lost\.png: /);
    await page.getByTestId("files").waitFor({ state: "attached" });
    expect(await page.locator("[data-testid=files] img[alt='lost.png']").count()).toBe(0);
    await page.close();
  });
});

// The devtools panel in the playground, in real headless Chromium against the real server: it
// opens, lists the page's queries and sees them change, shows log lines and auth claims (never the
// token), remembers being open across a reload, works from the keyboard, and - checked on
// screenshots - covers nothing but its button while closed.

import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Locator, Page } from "playwright-core";
import { createServer, type ViteDevServer } from "vite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startChildServer, type ChildServer } from "../helpers/child-server.js";
import { launchBrowser, type Browser } from "./browser.js";
import { changedRegion, inkRatio } from "./screenshots.js";

const ROOT = join(import.meta.dirname, "../..");
const FUNCTIONS = join(ROOT, "playground/syncline");
const ARTIFACTS = join(ROOT, "test/e2e/artifacts");

let scratch: string;
let server: ChildServer;
let vite: ViteDevServer;
let pageUrl: string;
let browser: Browser;

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), "syncline-devtools-e2e-"));
  server = await startChildServer(FUNCTIONS, join(scratch, "data.sqlite"));
  vite = await createServer({ configFile: join(ROOT, "playground/vite.config.ts"), server: { port: 0, host: "127.0.0.1" }, logLevel: "silent" });
  await vite.listen();
  pageUrl = `${vite.resolvedUrls!.local[0]}?server=${encodeURIComponent(server.url)}&site=${encodeURIComponent(server.siteUrl)}`;
  browser = await launchBrowser();
  mkdirSync(ARTIFACTS, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
  await vite?.close();
  await server?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

/** A fresh page (its own localStorage: a new context would share the profile's, so it is cleared). */
async function open(): Promise<Page> {
  const page = await browser.context.newPage();
  await page.goto(pageUrl);
  await page.evaluate(() => localStorage.removeItem("syncline-devtools"));
  await page.reload();
  await page.getByTestId("connection").filter({ hasText: "connected" }).waitFor();
  await toggle(page).waitFor();
  return page;
}

const toggle = (page: Page) => page.getByRole("button", { name: /^Open Syncline devtools/ });
const panel = (page: Page) => page.getByRole("region", { name: "Syncline devtools" });
const tab = (page: Page, name: string | RegExp) => panel(page).getByRole("tab", { name });
const queryRow = (page: Page, name: string) => panel(page).locator(`details.row[data-query="${name}"]`).first();

async function send(page: Page, text: string) {
  await page.getByLabel("Message").fill(text);
  await page.getByRole("button", { name: "Send" }).click();
}

/** The number in a row's "Count" cell (how many times its result changed). */
async function changes(row: Locator): Promise<number> {
  return Number(await row.locator("summary > span").nth(6).textContent());
}

describe("the devtools panel in the playground", () => {
  it("while closed shows only its button: the page looks the same everywhere else", async () => {
    const page = await open();
    await page.getByRole("heading", { name: "Syncline playground" }).waitFor();
    const box = (await toggle(page).boundingBox())!;
    expect(box.width).toBeLessThanOrEqual(48);
    expect(box.height).toBeLessThanOrEqual(48);
    expect(await panel(page).isHidden()).toBe(true);
    // Without the devtools first, until the page has settled (two screenshots alike), then with them.
    await page.evaluate(() => document.querySelector<HTMLElement>("[data-syncline-devtools]")!.style.setProperty("display", "none"));
    let without = await page.screenshot();
    for (let attempt = 0; attempt < 20; attempt++) {
      const again = await page.screenshot();
      const settled = (await changedRegion(page, without, again)) === null;
      without = again;
      if (settled) break;
    }
    await page.evaluate(() => document.querySelector<HTMLElement>("[data-syncline-devtools]")!.style.removeProperty("display"));
    const withButton = await page.screenshot();
    const changed = await changedRegion(page, withButton, without);
    expect(changed, "the button draws something").not.toBeNull();
    // Every changed pixel is within the button and its shadow (a few pixels around it).
    expect(changed!.left).toBeGreaterThanOrEqual(box.x - 12);
    expect(changed!.top).toBeGreaterThanOrEqual(box.y - 12);
    expect(changed!.right).toBeLessThanOrEqual(box.x + box.width + 12);
    expect(changed!.bottom).toBeLessThanOrEqual(box.y + box.height + 12);
    await page.close();
  });

  it("opens on click, lists the page's queries, and shows a query's result change after a mutation", async () => {
    const page = await open();
    await toggle(page).click();
    await panel(page).waitFor();
    expect(await tab(page, /^Queries/).getAttribute("aria-selected")).toBe("true");
    const row = queryRow(page, "messages:list");
    await row.waitFor();
    await expect.poll(() => row.locator(".badge").textContent()).toBe("success");
    expect(await row.locator(".args").textContent()).toContain('room: "general"');
    const before = await changes(row);

    await send(page, "seen by the devtools");
    await expect.poll(() => changes(row), { timeout: 10_000 }).toBeGreaterThan(before);
    expect(await row.getAttribute("data-flash")).not.toBeNull(); // highlighted for a moment
    // Its result as a tree: { page: [newest message, ...], ... }
    await row.locator("summary").first().click();
    const tree = row.locator(".tree").first();
    await tree.locator("summary", { hasText: /^page: Array\(\d+\)/ }).click();
    await tree.locator("summary", { hasText: /^0: \{\d+ keys\}/ }).click();
    await tree.locator(".leaf", { hasText: 'body: "seen by the devtools"' }).waitFor();

    // The filter keeps only matching queries.
    await panel(page).getByRole("searchbox", { name: "Filter queries by name" }).fill("tasks:");
    await expect.poll(() => row.count()).toBe(0);
    expect(await panel(page).locator("details.row[data-query^='tasks:']").count()).toBeGreaterThan(0);

    // The mutation is listed with its arguments, result and duration.
    await tab(page, /^Mutations & actions/).click();
    const mutation = panel(page).locator("details.row", { hasText: "messages:send" }).first();
    await mutation.waitFor();
    expect(await mutation.getAttribute("data-state")).toBe("ok");
    expect(await mutation.textContent()).toContain("seen by the devtools");
    expect(await mutation.textContent()).toMatch(/\d+ ms|\d\.\d+ s/);

    await page.screenshot({ path: join(ARTIFACTS, "devtools-requests.png") });
    await page.close();
  });

  it("shows the functions' log lines with function name and level, filterable", async () => {
    const page = await open();
    await toggle(page).click();
    await tab(page, /^Logs/).click();
    // The server caches query results: a write makes it run the list again, which logs.
    await send(page, "makes the list run");
    const line = panel(page).getByRole("log").locator(".log", { hasText: "'listing room' 'general'" }).first();
    await line.waitFor();
    expect(await line.getAttribute("data-level")).toBe("log");
    expect(await line.locator(".name").textContent()).toBe("messages:list");
    await page.screenshot({ path: join(ARTIFACTS, "devtools-logs.png") });
    await panel(page).getByRole("searchbox", { name: "Filter log lines" }).fill("no line says this");
    await expect.poll(() => panel(page).getByRole("log").locator(".log").count()).toBe(0);
    await page.close();
  });

  it("the Auth tab shows who is signed in and the token's claims, never the token", async () => {
    const page = await open();
    const issued = page.waitForResponse((response) => response.url().includes("/dev-only/token"));
    await page.getByLabel("Your name").fill("Grace");
    await page.getByRole("button", { name: "Sign in" }).click();
    const token = ((await (await issued).json()) as { token: string }).token;
    expect(token.split(".")).toHaveLength(3);
    await page.getByTestId("me").filter({ hasText: "Signed in as Grace" }).waitFor();

    await toggle(page).click();
    await tab(page, "Auth").click();
    await panel(page).getByTestId("auth-status").filter({ hasText: "Signed in" }).waitFor();
    const text = (await panel(page).textContent())!;
    expect(text).toMatch(/Expires\d\d:\d\d:\d\d/);
    expect(text).toContain("Grace");
    const html = await page.evaluate(() => document.querySelector("[data-syncline-devtools]")!.shadowRoot!.innerHTML);
    for (const part of token.split(".")) expect(html).not.toContain(part); // header, claims and signature
    await page.screenshot({ path: join(ARTIFACTS, "devtools-auth.png") });
    await page.getByRole("button", { name: "Sign out" }).click();
    await panel(page).getByTestId("auth-status").filter({ hasText: "Signed out" }).waitFor();
    await page.close();
  });

  it("remembers open, height and tab across a reload", async () => {
    const page = await open();
    await toggle(page).click();
    await tab(page, "Connection").click();
    const handle = panel(page).getByRole("separator", { name: "Resize the devtools panel" });
    const start = (await panel(page).boundingBox())!.height;
    const grip = (await handle.boundingBox())!;
    await page.mouse.move(grip.x + 200, grip.y + grip.height / 2);
    await page.mouse.down();
    await page.mouse.move(grip.x + 200, grip.y - 100, { steps: 4 });
    await page.mouse.up();
    const resized = (await panel(page).boundingBox())!.height;
    expect(resized).toBeGreaterThan(start + 80);

    await page.reload();
    await panel(page).waitFor();
    expect(await tab(page, "Connection").getAttribute("aria-selected")).toBe("true");
    expect((await panel(page).boundingBox())!.height).toBe(resized);
    expect(await panel(page).textContent()).toContain(server.url);
    await panel(page).getByRole("button", { name: "Close Syncline devtools" }).click();
    await page.reload();
    await toggle(page).waitFor();
    expect(await panel(page).isHidden()).toBe(true);
    await page.close();
  });

  it("works from the keyboard: Enter opens, arrow keys move between tabs and resize, Escape closes", async () => {
    const page = await open();
    await toggle(page).focus();
    await page.keyboard.press("Enter");
    await panel(page).waitFor();
    const focusedTab = () => page.evaluate(() => document.querySelector("[data-syncline-devtools]")!.shadowRoot!.activeElement?.id ?? null);
    expect(await focusedTab()).toBe("tab-queries");
    await page.keyboard.press("ArrowRight");
    expect(await focusedTab()).toBe("tab-requests");
    expect(await tab(page, /^Mutations & actions/).getAttribute("aria-selected")).toBe("true");
    await page.keyboard.press("ArrowLeft");
    await page.keyboard.press("ArrowLeft"); // wraps around to the last tab
    expect(await focusedTab()).toBe("tab-auth");
    await page.keyboard.press("Home");
    expect(await focusedTab()).toBe("tab-queries");

    const handle = panel(page).getByRole("separator", { name: "Resize the devtools panel" });
    await handle.focus();
    const before = Number(await handle.getAttribute("aria-valuenow"));
    await page.keyboard.press("ArrowUp");
    expect(Number(await handle.getAttribute("aria-valuenow"))).toBe(before + 24);

    await page.keyboard.press("Escape");
    expect(await panel(page).isHidden()).toBe(true);
    expect(await page.evaluate(() => document.querySelector("[data-syncline-devtools]")!.shadowRoot!.activeElement?.className)).toBe("toggle");
    await page.close();
  });

  it("open, it draws a readable panel docked at the bottom; the Connection tab reconnects on demand", async () => {
    const page = await open();
    await send(page, "for the screenshot");
    await toggle(page).click();
    await queryRow(page, "messages:list").locator("summary").first().click();
    await queryRow(page, "messages:list").locator(".tree").first().waitFor();
    const box = (await panel(page).boundingBox())!;
    const viewport = page.viewportSize()!;
    expect(box.y + box.height).toBe(viewport.height);
    expect(box.width).toBe(viewport.width);
    const shot = await page.screenshot({ path: join(ARTIFACTS, "devtools.png") });
    // The panel's region has text on it (not a blank box): a share of its pixels differ from its background.
    expect(await inkRatio(page, shot, { left: 0, top: Math.ceil(box.y) + 40, right: viewport.width, bottom: viewport.height })).toBeGreaterThan(0.01);

    // Dark mode follows the system: the panel's background turns dark.
    await page.emulateMedia({ colorScheme: "dark" });
    const dark = await page.screenshot({ path: join(ARTIFACTS, "devtools-dark.png") });
    expect(await inkRatio(page, dark, { left: 0, top: Math.ceil(box.y) + 40, right: viewport.width, bottom: viewport.height })).toBeGreaterThan(0.01);
    const background = await panel(page).evaluate((element) => getComputedStyle(element).backgroundColor);
    expect(background).toBe("rgb(22, 24, 29)");
    await page.emulateMedia({ colorScheme: "light" });

    await tab(page, "Connection").click();
    expect(await panel(page).getByRole("button", { name: "Reconnect now" }).isDisabled()).toBe(true); // connected already
    await page.screenshot({ path: join(ARTIFACTS, "devtools-connection.png") });
    await page.close();
  });

  it("the Connection tab shows a lost server: the close with its reason and backoff, then the new socket", async () => {
    const page = await open();
    await toggle(page).click();
    await tab(page, "Connection").click();
    const history = panel(page).locator("tbody tr");
    const ports = { port: Number(new URL(server.url).port), sitePort: Number(new URL(server.siteUrl).port) };
    await server.stop();
    const closed = history.filter({ hasText: "closed" }).first();
    await closed.waitFor({ timeout: 15_000 });
    expect(await closed.locator("td").nth(4).textContent()).toMatch(/^\d+(\.\d+)? (ms|s)$/); // the backoff before the next attempt
    await panel(page).locator("dd[data-state=reconnecting]").waitFor();
    const reconnect = panel(page).getByRole("button", { name: "Reconnect now" });
    expect(await reconnect.isEnabled()).toBe(true);
    server = await startChildServer(FUNCTIONS, join(scratch, "data.sqlite"), ports); // same ports and data: a restart
    await reconnect.click();
    await panel(page).locator("dd[data-state=connected]").waitFor({ timeout: 30_000 });
    const opened = history.filter({ hasText: "opened" }).first();
    expect(await opened.locator("td").last().textContent()).toBe("2"); // the second socket
    expect(await panel(page).getByRole("button", { name: "Reconnect now" }).isDisabled()).toBe(true);
    await page.close();
  });
});

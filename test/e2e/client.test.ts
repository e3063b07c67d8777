// The framework-free client in real headless Chromium, against the real server behind a proxy the
// test can cut: the browser-only parts (network hints, the leave-page prompt, the console) with
// the browser's own WebSocket, events and dialogs.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { SynclineClient } from "../../src/index.js";
import type { api as appApi } from "../fixtures/app/syncline/_generated/api.js";
import { startChildServer, type ChildServer } from "../helpers/child-server.js";
import { launchBrowser, type Browser } from "./browser.js";
import { serveClientPage, type ClientPage } from "./client-page.js";
import { startTcpProxy, type TcpProxy } from "../helpers/tcp-proxy.js";

const FUNCTIONS = join(import.meta.dirname, "../fixtures/app/syncline");

/** What the page holds; `lines` is everything the client logged, with the page's clock. */
interface PageGlobals {
  SynclineClient: typeof SynclineClient;
  api: typeof appApi;
  client: SynclineClient;
  lines: { at: number; method: string; line: string }[];
  /** When the client became connected, each time (page clock). */
  connectedAt: number[];
  counterValues: number[];
  visibility: DocumentVisibilityState;
  /** A mutation started by a click. */
  pending: Promise<number>;
}

let scratch: string;
let server: ChildServer;
let proxy: TcpProxy;
let clientPage: ClientPage;
let browser: Browser;

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), "syncline-e2e-client-"));
  server = await startChildServer(FUNCTIONS, join(scratch, "data.sqlite"));
  proxy = await startTcpProxy(Number(new URL(server.url).port));
  clientPage = await serveClientPage();
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await clientPage?.close();
  await proxy?.close();
  await server?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

beforeEach(() => proxy.restore());

/**
 * Opens the page with a client on the proxy (verbose, every line recorded) subscribed to the
 * counter `name`, and waits for its first value.
 */
async function openClient(name: string): Promise<Page> {
  const page = await browser.context.newPage();
  await page.goto(clientPage.url);
  await page.waitForFunction(() => "SynclineClient" in window);
  await page.evaluate(
    ([url, counter]) => {
      const w = window as unknown as PageGlobals;
      w.lines = [];
      w.connectedAt = [];
      w.counterValues = [];
      const record = (method: "debug" | "info" | "log" | "warn" | "error") => (line: string) => {
        w.lines.push({ at: performance.now(), method, line });
        console[method](line);
      };
      const logger = { debug: record("debug"), info: record("info"), log: record("log"), warn: record("warn"), error: record("error") };
      w.client = new w.SynclineClient(url, { verbose: true, logger });
      w.client.onConnectionStateChange((state) => {
        if (state.isConnected && w.connectedAt.length < state.connectionCount) w.connectedAt.push(performance.now());
      });
      w.client.subscribe(w.api.counter.get, { name: counter }, (value) => w.counterValues.push(value));
    },
    [proxy.url, name] as const,
  );
  await page.waitForFunction(() => (window as unknown as PageGlobals).counterValues.length > 0);
  return page;
}

/**
 * Waits until the client, with the network cut, has scheduled a reconnect at least `minMs` away;
 * returns when (page clock) and how long the wait is.
 */
async function waitForLongBackoff(page: Page, minMs: number): Promise<{ at: number; ms: number }> {
  const handle = await page.waitForFunction(
    (min) => {
      for (const { at, line } of (window as unknown as PageGlobals).lines) {
        const delay = /reconnecting in (\d+) ms/.exec(line);
        if (delay !== null && Number(delay[1]) >= min) return { at, ms: Number(delay[1]) };
      }
      return undefined;
    },
    minMs,
    { timeout: 30_000 },
  );
  return (await handle.jsonValue())!;
}

async function connectionsSoFar(page: Page): Promise<number> {
  return page.evaluate(() => (window as unknown as PageGlobals).connectedAt.length);
}

/** The time (page clock) the client connected again after `count` connections. */
async function reconnectedAt(page: Page, count: number): Promise<number> {
  const handle = await page.waitForFunction((n) => (window as unknown as PageGlobals).connectedAt[n], count, { timeout: 30_000 });
  return (await handle.jsonValue())!;
}

describe("reconnecting on the browser's hints", () => {
  it("connects as soon as the browser is back online instead of waiting out the backoff", async () => {
    const page = await openClient("online");
    const before = await connectionsSoFar(page);
    proxy.cut();
    const backoff = await waitForLongBackoff(page, 2_000);
    proxy.restore();
    await browser.context.setOffline(true);
    await browser.context.setOffline(false); // the page gets `offline`, then `online`
    const connected = await reconnectedAt(page, before);
    expect(connected).toBeLessThan(backoff.at + backoff.ms);
    await page.close();
  });

  it("connects as soon as a hidden page becomes visible again", async () => {
    const page = await openClient("visible");
    // Headless Chromium keeps every page visible, so the page's visibility is set by the test;
    // the event is the browser's own `visibilitychange`, seen by the client's real listener.
    const setVisibility = (state: DocumentVisibilityState) =>
      page.evaluate((visibility) => {
        const w = window as unknown as PageGlobals;
        w.visibility = visibility;
        Object.defineProperty(document, "visibilityState", { configurable: true, get: () => w.visibility });
        document.dispatchEvent(new Event("visibilitychange"));
      }, state);
    await setVisibility("hidden");
    const before = await connectionsSoFar(page);
    proxy.cut();
    const backoff = await waitForLongBackoff(page, 2_000);
    proxy.restore();
    await setVisibility("visible");
    const connected = await reconnectedAt(page, before);
    expect(connected).toBeLessThan(backoff.at + backoff.ms);
    await page.close();
  });
});

describe("the leave-page prompt", () => {
  it("asks before leaving while a mutation is unconfirmed, and not once it committed (exactly once)", async () => {
    const page = await openClient("unsaved");
    proxy.cut();
    await page.waitForFunction(() => !(window as unknown as PageGlobals).client.connectionState().isConnected);
    // The mutation starts from a real click: Chromium shows the prompt only after a user gesture.
    await page.evaluate(() => {
      const w = window as unknown as PageGlobals;
      document.getElementById("act")!.onclick = () => {
        w.pending = w.client.mutation(w.api.counter.increment, { name: "unsaved" });
      };
    });
    await page.click("#act");

    const prompt = page.waitForEvent("dialog");
    await page.close({ runBeforeUnload: true });
    const dialog = await prompt;
    expect(dialog.type()).toBe("beforeunload");
    await dialog.dismiss(); // "stay on the page"
    expect(page.isClosed()).toBe(false);

    proxy.restore();
    await page.evaluate(() => (window as unknown as PageGlobals).client.reconnectNow());
    expect(await page.evaluate(() => (window as unknown as PageGlobals).pending)).toBe(1);
    expect(await page.evaluate(() => (window as unknown as PageGlobals).client.query((window as unknown as PageGlobals).api.counter.get, { name: "unsaved" }))).toBe(1);

    page.on("dialog", (unexpected) => void unexpected.dismiss().then(() => expect.fail(`unexpected ${unexpected.type()} prompt`)));
    const closed = new Promise((resolve) => page.once("close", resolve));
    await page.close({ runBeforeUnload: true });
    await closed;
  });
});

describe("a dropped connection", () => {
  it("fails an action that was in flight with a clear error, and the client carries on", async () => {
    const page = await openClient("action");
    const outcome = page.evaluate(() => {
      const w = window as unknown as PageGlobals;
      return w.client.action(w.api.behaviour.slowAction, { ms: 5_000 }).then(
        () => "resolved",
        (error: Error) => error.message,
      );
    });
    await page.waitForFunction(() => (window as unknown as PageGlobals).client.connectionState().inflightActions === 1);
    proxy.cut();
    expect(await outcome).toMatch(/Connection lost while action was in flight/);
    proxy.restore();
    await page.evaluate(() => (window as unknown as PageGlobals).client.reconnectNow());
    const value = await page.evaluate(() => {
      const w = window as unknown as PageGlobals;
      return w.client.mutation(w.api.counter.increment, { name: "action" });
    });
    expect(value).toBe(1);
    await page.close();
  });
});

describe("repeated drops with answers lost", () => {
  it("mutations whose answers were lost commit exactly once and in call order, and the live query shows the last", async () => {
    const page = await openClient("drops");
    const sending = page.evaluate(async () => {
      const w = window as unknown as PageGlobals;
      const results: number[] = [];
      const calls: Promise<unknown>[] = [];
      for (let i = 0; i < 40; i++) {
        calls.push(w.client.mutation(w.api.counter.increment, { name: "drops" }).then((value) => results.push(value)));
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      await Promise.all(calls);
      return results;
    });
    // Three times: the server's answers are lost while it goes on committing, then the connection
    // drops; the client resends what it has no answer for, and the server must answer those from
    // its records instead of running them again.
    for (let drop = 0; drop < 3; drop++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      proxy.blackhole();
      await new Promise((resolve) => setTimeout(resolve, 150));
      proxy.dropAll();
      proxy.restore();
    }
    // Each result is the counter after that mutation: 1..40 in order means each ran once, in order.
    expect(await sending).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    await page.waitForFunction(() => (window as unknown as PageGlobals).counterValues.at(-1) === 40);
    expect(await page.evaluate(() => (window as unknown as PageGlobals).client.connectionState().connectionCount)).toBeGreaterThan(1);
    await page.close();
  });
});

describe("the browser console", () => {
  it("prints each server log line with the console method of its level, and verbose lines as timestamped debug", async () => {
    const page = await openClient("console");
    const messages: { type: string; text: string }[] = [];
    page.on("console", (message) => messages.push({ type: message.type(), text: message.text() }));
    await page.evaluate(() => {
      const w = window as unknown as PageGlobals;
      return w.client.query(w.api.behaviour.logs, {});
    });
    const logged = (type: string, pattern: RegExp) => messages.some((m) => m.type === type && pattern.test(m.text));
    await expect.poll(() => logged("error", /^\[Q\(behaviour:logs\)\] \[ERROR\] 'bad'$/)).toBe(true);
    expect(logged("log", /^\[Q\(behaviour:logs\)\] \[LOG\] 'hi' 42$/)).toBe(true);
    expect(logged("info", /^\[Q\(behaviour:logs\)\] \[INFO\] \{ a: 1 \}$/)).toBe(true);
    expect(logged("warning", /^\[Q\(behaviour:logs\)\] \[WARN\] 'careful'$/)).toBe(true);
    expect(logged("debug", /^\[Q\(behaviour:logs\)\] \[DEBUG\] 'details'$/)).toBe(true);
    expect(logged("debug", /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z \[syncline\] received Transition$/)).toBe(true);
    await page.close();
  });
});

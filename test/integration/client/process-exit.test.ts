// After close(), nothing the client started keeps Node alive (issue 9: "`close()` ends
// everything"), whatever state the network left the socket in. The client runs in a child
// process; the test measures how long that process lives on after close() returned.

import { spawn } from "node:child_process";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { afterEach, describe, expect, it } from "vitest";
import { startServer, type RunningServer } from "syncline/server";
import { startTcpProxy, type TcpProxy } from "../../helpers/tcp-proxy.js";
import { sleep } from "./support/setup.js";
import { testDatabase } from "../../helpers/test-database.js";

const FIXTURE_DIR = join(import.meta.dirname, "../../fixtures/app/syncline");
const CLIENT = join(import.meta.dirname, "support/exit-client.ts");

interface ChildClient {
  waitFor(line: string, timeoutMs?: number): Promise<void>;
  send(line: string): void;
  /** Resolves with the ms between "closed" and the process exit (or rejects after `limitMs`). */
  exitAfterClose(limitMs: number): Promise<number>;
  kill(): void;
}

function startChildClient(url: string, inactivityTimeoutMs = 60_000): ChildClient {
  const child = spawn(process.execPath, ["--import", "tsx", CLIENT, url, String(inactivityTimeoutMs)], { stdio: ["pipe", "pipe", "inherit"] });
  const seen: string[] = [];
  const waiters: { line: string; resolve: () => void }[] = [];
  let closedAt: number | undefined;
  const exited = new Promise<number>((resolve) => child.once("exit", () => resolve(Date.now())));
  createInterface({ input: child.stdout! }).on("line", (line) => {
    seen.push(line);
    if (line === "closed") closedAt = Date.now();
    for (const waiter of [...waiters]) if (waiter.line === line) waiter.resolve();
  });
  return {
    waitFor(line, timeoutMs = 15_000) {
      if (seen.includes(line)) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`the child never printed ${line}`)), timeoutMs);
        waiters.push({ line, resolve: () => (clearTimeout(timer), resolve()) });
      });
    },
    send(line) {
      child.stdin!.write(`${line}\n`);
    },
    async exitAfterClose(limitMs) {
      const limit = sleep(limitMs).then(() => -1);
      const at = await Promise.race([exited, limit]);
      if (at === -1) return Number.POSITIVE_INFINITY;
      return at - (closedAt ?? at);
    },
    kill() {
      if (child.exitCode === null) child.kill("SIGKILL");
    },
  };
}

describe("close() lets the process exit", () => {
  let server: RunningServer | undefined;
  let proxy: TcpProxy | undefined;
  const children: ChildClient[] = [];
  afterEach(async () => {
    for (const child of children) child.kill();
    children.length = 0;
    await proxy?.close();
    proxy = undefined;
    await server?.close();
    server = undefined;
  });

  it("after close() on a healthy connection the process exits at once", async () => {
    server = await startServer({ dir: FIXTURE_DIR, port: 0, db: testDatabase() });
    const child = startChildClient(server.url);
    children.push(child);
    await child.waitFor("ready");
    child.send("close");
    await child.waitFor("closed");
    expect(await child.exitAfterClose(10_000)).toBeLessThan(2_000);
  }, 30_000);

  it("after close() during a reconnect backoff (network cut) the process exits at once", async () => {
    server = await startServer({ dir: FIXTURE_DIR, port: 0, db: testDatabase() });
    proxy = await startTcpProxy(server.port);
    const child = startChildClient(proxy.url);
    children.push(child);
    await child.waitFor("ready");
    proxy.cut();
    await sleep(300); // the socket closed, the first retry failed: waiting on the backoff
    child.send("close");
    await child.waitFor("closed");
    expect(await child.exitAfterClose(10_000)).toBeLessThan(2_000);
  }, 30_000);

  it("after close() on a half-open connection (the server's bytes are lost) the process exits at once", async () => {
    server = await startServer({ dir: FIXTURE_DIR, port: 0, db: testDatabase() });
    proxy = await startTcpProxy(server.port);
    const child = startChildClient(proxy.url);
    children.push(child);
    await child.waitFor("ready");
    proxy.blackhole();
    child.send("close");
    await child.waitFor("closed");
    expect(await child.exitAfterClose(10_000)).toBeLessThan(2_000);
  }, 30_000);

  it("after close() while a reconnect attempt hangs (upgrade answer lost) the process exits at once", async () => {
    server = await startServer({ dir: FIXTURE_DIR, port: 0, db: testDatabase() });
    proxy = await startTcpProxy(server.port);
    const child = startChildClient(proxy.url, 400);
    children.push(child);
    await child.waitFor("ready");
    proxy.blackhole();
    await sleep(1_200); // silence: InactiveServer, then attempts whose upgrade answer never arrives
    child.send("close");
    await child.waitFor("closed");
    expect(await child.exitAfterClose(10_000)).toBeLessThan(2_000);
  }, 30_000);
});

// Browsers tell the client when a reconnect is worth trying now rather than after the backoff
// (protocol.md §8): the network came back, or a hidden page became visible.

import { afterEach, describe, expect, it } from "vitest";
import { SynclineClient } from "syncline";
import { startScriptedServer, type ScriptedServer } from "../../helpers/scripted-server.js";
import { fn, settle, until, WebSocket } from "./support/setup.js";

describe("browser recovery hints (protocol §8)", () => {
  let server: ScriptedServer | undefined;
  let client: SynclineClient | undefined;
  const g = globalThis as { window?: unknown; document?: unknown };
  afterEach(async () => {
    await client?.close();
    await server?.close();
    delete g.window;
    delete g.document;
  });

  async function waitingAfterServerClose() {
    server = await startScriptedServer();
    client = new SynclineClient(server.url, { WebSocket, logger: false, unsavedChangesWarning: false });
    client.subscribe(fn.list, { room: "a" }, () => {});
    const first = await server.nextConnection();
    await first.next("ModifyQuerySet");
    await first.close(1013); // overloaded: the next attempt waits 1.5 s at least
    await until(() => client!.debug().socket.state === "waiting");
    return server;
  }

  it("reconnects at once on `online`", async () => {
    const win = new EventTarget();
    g.window = win;
    const s = await waitingAfterServerClose();
    const asked = Date.now();
    win.dispatchEvent(new Event("online"));
    await s.nextConnection(1_000);
    expect(Date.now() - asked).toBeLessThan(1_000);
  });

  it("reconnects at once when a hidden page becomes visible", async () => {
    const doc = Object.assign(new EventTarget(), { visibilityState: "visible" });
    g.document = doc;
    const s = await waitingAfterServerClose();
    doc.visibilityState = "hidden";
    doc.dispatchEvent(new Event("visibilitychange"));
    await settle();
    expect(s.connections).toHaveLength(1);
    const asked = Date.now();
    doc.visibilityState = "visible";
    doc.dispatchEvent(new Event("visibilitychange"));
    await s.nextConnection(1_000);
    expect(Date.now() - asked).toBeLessThan(1_000);
  });
});

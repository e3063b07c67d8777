// React tests against the real server: a server per file, a client per test, render helpers.

import { render, type RenderResult } from "@testing-library/react";
import { StrictMode, type ReactNode } from "react";
import WebSocket from "ws";
import { SynclineClient } from "syncline";
import { SynclineProvider } from "syncline/react";
import type { RunningServer } from "syncline/server";
import { afterAll, beforeAll } from "vitest";
import { startTestServer } from "../../helpers/server.js";

export function newClient(server: RunningServer): SynclineClient {
  return new SynclineClient(server.url, { WebSocket: WebSocket as never, logger: false, unsavedChangesWarning: false });
}

/**
 * The fixture app's server for the tests of one file, with a `writer` client that changes data
 * behind the components' backs; both start before the file's tests and stop after them.
 *
 * @example
 * const shared = serverPerFile();
 * it("...", async () => { await shared.writer.mutation(api.behaviour.send, { room: "r", body: "hi" }); });
 */
export function serverPerFile(): { readonly server: RunningServer; readonly writer: SynclineClient } {
  const shared = {} as { server: RunningServer; writer: SynclineClient };
  beforeAll(async () => {
    shared.server = await startTestServer();
    shared.writer = newClient(shared.server);
  });
  afterAll(async () => {
    await shared.writer.close();
    await shared.server.close();
  });
  return shared;
}

/** A room no other test uses. */
export const newRoom = () => `room-${Math.random().toString(36).slice(2)}`;

/** A message list as text for assertions ("loading" before the first result). */
export const bodies = (messages: readonly { body: string }[] | undefined) => messages?.map((m) => m.body).join(",") ?? "loading";

/** Renders `ui` under a provider for `client` (StrictMode unless told otherwise). */
export function renderWith(client: SynclineClient, ui: ReactNode, strict = true): RenderResult {
  const tree = <SynclineProvider client={client}>{ui}</SynclineProvider>;
  return render(strict ? <StrictMode>{tree}</StrictMode> : tree);
}

/** Polls until `check` passes (or throws its last failure after `timeoutMs`). */
export async function eventually(check: () => void, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
}

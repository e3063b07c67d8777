// Shared setup for client tests against the scripted server.

import WebSocket from "ws";
import { makeFunctionReference, SynclineClient, type SynclineClientOptions } from "syncline";
import type { JSONValue } from "../../../../src/values/value.js";
import { startScriptedServer, type ScriptedServer, type ScriptedServerOptions } from "../../../helpers/scripted-server.js";

export { WebSocket };

/** References to functions the scripted server pretends to have. */
export const fn = {
  list: makeFunctionReference<"query", { room: string }, string[]>("query", "messages:list"),
  count: makeFunctionReference<"query", { name: string }, number>("query", "counter:get"),
  send: makeFunctionReference<"mutation", { room: string; body: string }, null>("mutation", "messages:send"),
  increment: makeFunctionReference<"mutation", { name: string }, number>("mutation", "counter:increment"),
  slow: makeFunctionReference<"action", { ms: number }, string>("action", "work:slow"),
};

/** A logger that records lines instead of printing them. */
export function recordingLogger() {
  const lines: { level: string; text: string }[] = [];
  const at =
    (level: string) =>
    (...args: unknown[]) =>
      lines.push({ level, text: args.map(String).join(" ") });
  return { lines, logger: { debug: at("debug"), info: at("info"), log: at("log"), warn: at("warn"), error: at("error") } };
}

export interface Harness {
  server: ScriptedServer;
  client: SynclineClient;
  log: ReturnType<typeof recordingLogger>;
}

/** A scripted server and a client pointed at it; `cleanup` closes both. */
export async function harness(
  options: { server?: ScriptedServerOptions; client?: SynclineClientOptions } = {},
): Promise<Harness & { cleanup: () => Promise<void> }> {
  const server = await startScriptedServer(options.server);
  const log = recordingLogger();
  const client = new SynclineClient(server.url, { WebSocket, logger: log.logger, ...options.client });
  return {
    server,
    client,
    log,
    cleanup: async () => {
      await client.close();
      await server.close();
    },
  };
}

/** Resolves after `ms`. */
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until `check` returns true (polling), or fails after `timeoutMs`. */
export async function until(check: () => boolean, timeoutMs = 5_000, what = "condition"): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`Timed out waiting for ${what}`);
    await sleep(5);
  }
}

/** Lets pending microtasks and socket I/O run. */
export const settle = () => sleep(20);

/** Starts a call whose outcome the test does not care about (closing the client rejects it). */
export function ignore(promise: Promise<unknown>): void {
  promise.catch(() => {});
}

/**
 * Watches `fn.list` ({ room: "a" }) on the harness's client until the scripted server's first
 * result, `value`, is in: the starting point of tests about what the server sends next.
 */
export async function watchWithResult(h: Harness, value: JSONValue, onChange: (value: string[] | undefined) => void = () => {}) {
  const watch = h.client.watchQuery(fn.list, { room: "a" });
  watch.subscribe(() => onChange(watch.getCurrentResult().value));
  const socket = await h.server.nextConnection();
  await socket.next("ModifyQuerySet");
  socket.transition([{ type: "QueryUpdated", queryId: 0, value, logLines: [], journal: null }]);
  await until(() => watch.getCurrentResult().status === "success");
  return { watch, socket };
}


// The reliability fixture's real server, references to its functions, and the official client
// set up the way the conformance tests use it.

import { join } from "node:path";
import { ConvexClient } from "convex/browser";
import { anyApi, type FunctionReference } from "convex/server";
import WebSocket from "ws";
import { makeFunctionReference, SynclineClient } from "syncline";
import { startServer, type RunningServer, type ServerOptions } from "syncline/server";
import { testDatabase } from "../../helpers/test-database.js";

export const RELIABILITY_DIR = join(import.meta.dirname, "../../fixtures/reliability/syncline");

export type Slot = { slot: number; round: number; body: string } | null;

/** Functions of test/fixtures/reliability. */
export const load = {
  slot: makeFunctionReference<"query", { slot: number }, Slot>("query", "load:slot"),
  fill: makeFunctionReference<"mutation", { slot: number; round: number; bytes: number }, number>("mutation", "load:fill"),
  clear: makeFunctionReference<"mutation", Record<string, never>, number>("mutation", "load:clear"),
  count: makeFunctionReference<"query", { name: string }, number>("query", "load:count"),
  increment: makeFunctionReference<"mutation", { name: string }, number>("mutation", "load:increment"),
  blob: makeFunctionReference<"action", { bytes: number }, string>("action", "load:blob"),
  reachedCount: makeFunctionReference<"query", Record<string, never>, number>("query", "load:reachedCount"),
};

/** Starts the fixture on port 0 with an in-memory database; `cleanups` closes it. */
export async function startReliabilityServer(cleanups: (() => unknown)[], options: ServerOptions = {}): Promise<RunningServer> {
  const server = await startServer({ dir: RELIABILITY_DIR, port: 0, db: testDatabase(), ...options });
  cleanups.push(() => server.close());
  return server;
}

/** Our client, keeping every line it logs in `lines`. */
export function synclineClient(url: string, cleanups: (() => unknown)[], lines: string[] = []): SynclineClient {
  const keep = (...args: unknown[]) => void lines.push(args.join(" "));
  const client = new SynclineClient(url, { WebSocket, logger: { debug() {}, info: keep, log: keep, warn: keep, error: keep } });
  cleanups.push(() => client.close());
  return client;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyReference = FunctionReference<any, "public", any, any>;
/** Untyped references by path: the official client's own escape hatch. */
export const convexApi = anyApi as unknown as Record<string, Record<string, AnyReference>>;

/** The official client, keeping every line it logs in `lines`. */
export function convexClient(url: string, cleanups: (() => unknown)[], lines: string[] = []): ConvexClient {
  const keep = (...args: unknown[]) => void lines.push(args.join(" "));
  const client = new ConvexClient(url, {
    webSocketConstructor: WebSocket as never,
    skipConvexDeploymentUrlCheck: true,
    unsavedChangesWarning: false,
    logger: { logVerbose() {}, log: keep, warn: keep, error: keep },
  });
  cleanups.push(() => client.close());
  return client;
}

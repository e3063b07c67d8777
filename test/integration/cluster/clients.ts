// Clients of the cluster tests: the official `convex` client and ours, each closed by the test.

import { ConvexClient } from "convex/browser";
import { SynclineClient } from "syncline";
import WebSocket from "ws";

/**
 * The official client on `url`, closed after the test.
 *
 * @example
 * const convex = convexClient(node.url, cleanups);
 */
export function convexClient(url: string, cleanups: (() => unknown)[]): ConvexClient {
  const client = new ConvexClient(url, { webSocketConstructor: WebSocket as never, skipConvexDeploymentUrlCheck: true, unsavedChangesWarning: false, logger: false });
  cleanups.push(() => client.close());
  return client;
}

/**
 * Our client on `url`, closed after the test.
 *
 * @example
 * const client = synclineClient(node.url, cleanups);
 */
export function synclineClient(url: string, cleanups: (() => unknown)[]): SynclineClient {
  const client = new SynclineClient(url, { WebSocket, logger: false });
  cleanups.push(() => client.close());
  return client;
}

// The URL a client uses to reach a server listening on `host:port`.

import { isIPv6 } from "node:net";

/**
 * `http://<host>:<port>`, with IPv6 addresses in brackets and the wildcard addresses (listening
 * on every interface) replaced by the loopback one, which a client can actually connect to.
 *
 * @example
 * listenUrl("0.0.0.0", 3210); // "http://127.0.0.1:3210"
 * listenUrl("::1", 3210);     // "http://[::1]:3210"
 */
export function listenUrl(host: string, port: number): string {
  if (host === "0.0.0.0") return `http://127.0.0.1:${port}`;
  if (host === "::") return `http://[::1]:${port}`;
  return `http://${isIPv6(host) ? `[${host}]` : host}:${port}`;
}

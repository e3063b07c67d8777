// The address a leader writes into the leader row, where followers send what they forward. It
// must reach this process from the other machines: a server listening on every interface
// (`syncline serve` does, on 0.0.0.0) would otherwise advertise 127.0.0.1, and each follower
// would forward to itself. So a wildcard listener advertises the machine's first non-internal
// IPv4 address (a container's or VM's private address), unless told otherwise.

import { networkInterfaces, type NetworkInterfaceInfo } from "node:os";

/**
 * The URL other nodes reach this one at: `configured` when given; for a wildcard `host`, the
 * machine's first non-internal IPv4 address on `port`; else `listening`.
 *
 * @example
 * advertiseAddress(undefined, "0.0.0.0", 3210, "http://127.0.0.1:3210"); // "http://10.0.3.7:3210"
 */
export function advertiseAddress(
  configured: string | undefined,
  host: string,
  port: number,
  listening: string,
  interfaces: NodeJS.Dict<NetworkInterfaceInfo[]> = networkInterfaces(),
): string {
  if (configured !== undefined && configured !== "") return configured;
  if (host !== "0.0.0.0" && host !== "::") return listening;
  for (const addresses of Object.values(interfaces)) {
    const external = addresses?.find((address) => address.family === "IPv4" && !address.internal);
    if (external !== undefined) return `http://${external.address}:${port}`;
  }
  return listening;
}

// The leader's advertised address must reach it from other machines: a wildcard listener must
// not advertise loopback (every follower would forward to itself).
import type { NetworkInterfaceInfo } from "node:os";
import { describe, expect, it } from "vitest";
import { advertiseAddress } from "../../../src/server/cluster/advertise-address.js";

const iface = (address: string, family: "IPv4" | "IPv6", internal: boolean) => ({ address, family, internal }) as NetworkInterfaceInfo;
const machine = {
  lo: [iface("127.0.0.1", "IPv4", true), iface("::1", "IPv6", true)],
  eth0: [iface("fe80::1", "IPv6", false), iface("10.0.3.7", "IPv4", false)],
};

describe("advertiseAddress", () => {
  it("uses the configured address as given", () => {
    expect(advertiseAddress("http://node-a.internal:3210", "0.0.0.0", 3210, "http://127.0.0.1:3210", machine)).toBe("http://node-a.internal:3210");
  });

  it("on a wildcard listener, advertises the first non-internal IPv4 address with the port", () => {
    expect(advertiseAddress(undefined, "0.0.0.0", 3210, "http://127.0.0.1:3210", machine)).toBe("http://10.0.3.7:3210");
    expect(advertiseAddress("", "::", 4000, "http://[::1]:4000", machine)).toBe("http://10.0.3.7:4000");
  });

  it("on a specific host, or a machine with loopback only, advertises where it listens", () => {
    expect(advertiseAddress(undefined, "127.0.0.1", 3210, "http://127.0.0.1:3210", machine)).toBe("http://127.0.0.1:3210");
    expect(advertiseAddress(undefined, "0.0.0.0", 3210, "http://127.0.0.1:3210", { lo: machine.lo })).toBe("http://127.0.0.1:3210");
  });
});

// The URL clients are given for a listening address.

import { describe, expect, it } from "vitest";
import { listenUrl } from "../../../src/server/http/listen-url.js";

describe("listenUrl", () => {
  it("brackets IPv6 addresses and points wildcard addresses at loopback", () => {
    expect(listenUrl("127.0.0.1", 3210)).toBe("http://127.0.0.1:3210");
    expect(listenUrl("localhost", 3210)).toBe("http://localhost:3210");
    expect(listenUrl("::1", 3210)).toBe("http://[::1]:3210");
    expect(listenUrl("0.0.0.0", 3210)).toBe("http://127.0.0.1:3210");
    expect(listenUrl("::", 3210)).toBe("http://[::1]:3210");
  });
});

import { describe, expect, it } from "vitest";
import { requestUrl } from "../../../src/server/http/request-url.js";

describe("requestUrl", () => {
  it("keeps a target starting with // as a path, not a host", () => {
    const url = requestUrl("//evil.test/x?y=1", "http://127.0.0.1:3211");
    expect(url.host).toBe("127.0.0.1:3211");
    expect(url.pathname).toBe("//evil.test/x");
    expect(url.searchParams.get("y")).toBe("1");
  });

  it("reads an ordinary path, a missing one, and an absolute-form target", () => {
    expect(requestUrl("/api/storage/abc", "http://localhost").pathname).toBe("/api/storage/abc");
    expect(requestUrl(undefined, "http://localhost").pathname).toBe("/");
    expect(requestUrl("http://127.0.0.1:9/hook", "http://localhost").pathname).toBe("/hook");
  });

  it("refuses a target that is neither", () => {
    expect(() => requestUrl("*", "http://localhost")).toThrow(TypeError);
  });
});

// The panel's text forms of values, sizes and times.

import { describe, expect, it } from "vitest";
import { ago, byteSize, clock, formatBytes, formatDuration, jsonText, preview } from "../../../src/devtools/format.js";

describe("devtools formatting", () => {
  it("previews values on one line, two levels deep, cut at the limit", () => {
    expect(preview({ room: "general", n: 1n, tags: ["a", "b"] })).toBe('{room: "general", n: 1n, tags: ["a", "b"]}');
    expect(preview({ deep: { deeper: { deepest: 1 } } })).toBe("{deep: {deeper: {…}}}");
    expect(preview([new ArrayBuffer(3), null, undefined as never, true])).toBe("[bytes(3), null, undefined, true]");
    const long = preview({ text: "x".repeat(200) }, 20);
    expect(long).toHaveLength(20);
    expect(long.endsWith("…")).toBe(true);
  });

  it("measures values as UTF-8 JSON, int64 and bytes by their text form", () => {
    expect(byteSize({ a: "é" })).toBe(10);
    expect(byteSize(undefined)).toBe(0);
    expect(jsonText({ n: 2n, b: new ArrayBuffer(4) })).toBe('{"n":"2n","b":"bytes(4)"}');
    expect(formatBytes(512)).toBe("512 B");
    expect(formatBytes(2048)).toBe("2.0 KB");
    expect(formatBytes(3 * 1024 * 1024)).toBe("3.0 MB");
  });

  it("writes durations and times", () => {
    expect(formatDuration(87.4)).toBe("87 ms");
    expect(formatDuration(1530)).toBe("1.53 s");
    expect(ago(10_000, 10_200)).toBe("just now");
    expect(ago(0, 42_000)).toBe("42s ago");
    expect(ago(0, 65_000)).toBe("1m ago");
    expect(ago(0, 7_200_000)).toBe("2h ago");
    expect(clock(new Date(2026, 0, 2, 3, 4, 5, 6).getTime())).toBe("03:04:05.006");
  });
});

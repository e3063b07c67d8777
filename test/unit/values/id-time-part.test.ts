// An id's first 10 characters are the millisecond it was made in (base32, most significant
// first), so ids sort by time. newId reuses the time part within one millisecond: it must follow
// the clock as soon as the millisecond changes, in either direction.

import { afterEach, describe, expect, it, vi } from "vitest";
import { newId } from "../../../src/values/id.js";

const ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz";

function timeOf(id: string): number {
  let ms = 0;
  for (const char of id.slice(id.lastIndexOf("_") + 1, id.lastIndexOf("_") + 11)) ms = ms * 32 + ALPHABET.indexOf(char);
  return ms;
}

describe("ids: the time part", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("is the millisecond the id was made in, also right after the clock moved", () => {
    vi.useFakeTimers();
    for (const ms of [1_700_000_000_000, 1_700_000_000_001, 1_700_000_000_001, 1_800_000_000_000, 1_600_000_000_000]) {
      vi.setSystemTime(ms);
      expect(timeOf(newId("tasks"))).toBe(ms);
    }
  });

  it("sorts ids of later milliseconds after earlier ones", () => {
    vi.useFakeTimers();
    vi.setSystemTime(1_700_000_000_000);
    const first = newId("tasks");
    vi.setSystemTime(1_700_000_000_031);
    const second = newId("tasks");
    expect(first < second).toBe(true);
  });

  it("gives ids of one millisecond distinct random parts", () => {
    vi.useFakeTimers();
    vi.setSystemTime(1_700_000_000_000);
    const ids = Array.from({ length: 1000 }, () => newId("tasks"));
    expect(new Set(ids).size).toBe(1000);
    expect(new Set(ids.map((id) => id.slice(6, 16))).size).toBe(1);
  });
});

describe("ids: the time part's encoding", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("encodes every bit of 50-bit milliseconds, the ends of both halves included", () => {
    vi.useFakeTimers();
    for (const ms of [0, 31, 32, 2 ** 25 - 1, 2 ** 25, 2 ** 25 + 1, 2 ** 31, 2 ** 40 + 12345, 2 ** 50 - 1]) {
      vi.setSystemTime(ms);
      expect(timeOf(newId("t")), String(ms)).toBe(ms);
    }
  });
});

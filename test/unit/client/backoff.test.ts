import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Backoff, DEFAULT_RECONNECT_BACKOFF, type BackoffReason } from "../../../transport/backoff.js";

const FACTOR: Record<Exclude<BackoffReason, "restart">, number> = { client: 0.1, server: 1, overload: 3 };

describe("Backoff", () => {
  it("doubles from the reason's share of minMs, jittered down to half", () => {
    const low = new Backoff({ random: () => 0 });
    expect([low.next("client"), low.next("client"), low.next("client")]).toEqual([50, 100, 200]);
    const high = new Backoff({ random: () => 0.999999 });
    expect(high.next("server")).toBeCloseTo(1_000, 0);
    expect(high.next("server")).toBeCloseTo(2_000, 0);
    expect(new Backoff({ random: () => 1 - Number.EPSILON }).next("overload")).toBeCloseTo(3_000, 0);
  });

  it("never waits longer than maxMs (default 5 s), however many failures", () => {
    const backoff = new Backoff({ random: () => 1 - Number.EPSILON });
    for (let i = 0; i < 2_000; i++) expect(backoff.next("overload")).toBeLessThanOrEqual(DEFAULT_RECONNECT_BACKOFF.maxMs);
    expect(backoff.next("server")).toBeCloseTo(5_000, 0);
  });

  it("takes its bounds from the options", () => {
    const backoff = new Backoff({ minMs: 200, maxMs: 700, random: () => 1 - Number.EPSILON });
    expect([backoff.next("server"), backoff.next("server"), backoff.next("server")].map(Math.round)).toEqual([200, 400, 700]);
    expect(backoff.maxMs).toBe(700);
    // A minMs above the default maximum raises the maximum with it instead of being refused.
    expect(new Backoff({ minMs: 8_000 }).maxMs).toBe(8_000);
  });

  it("refuses bounds that are not positive, not finite, or out of order, naming the option", () => {
    expect(() => new Backoff({ minMs: 0 })).toThrow("reconnectBackoff.minMs must be a positive number of milliseconds, got 0");
    expect(() => new Backoff({ minMs: Number.NaN })).toThrow("reconnectBackoff.minMs must be a positive number of milliseconds, got NaN");
    expect(() => new Backoff({ minMs: 500, maxMs: 100 })).toThrow(
      "reconnectBackoff.maxMs must be a number of milliseconds of at least minMs (500), got 100",
    );
    expect(() => new Backoff({ maxMs: Number.POSITIVE_INFINITY })).toThrow("reconnectBackoff.maxMs");
  });

  it("stays within [0.5, 1] x min(minMs * factor * 2^retries, maxMs) for any randomness and bounds", () => {
    fc.assert(
      fc.property(
        fc.constantFrom<Exclude<BackoffReason, "restart">>("client", "server", "overload"),
        fc.nat(40),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        fc.integer({ min: 1, max: 10_000 }),
        fc.integer({ min: 0, max: 60_000 }),
        (reason, retries, r, minMs, extra) => {
          const maxMs = minMs + extra;
          const backoff = new Backoff({ minMs, maxMs, random: () => r });
          for (let i = 0; i < retries; i++) backoff.next(reason);
          const delay = backoff.next(reason);
          const bound = Math.min(minMs * FACTOR[reason] * 2 ** retries, maxMs);
          return delay >= bound * 0.5 && delay <= bound;
        },
      ),
    );
  });

  it("counts retries and resets only when told", () => {
    const backoff = new Backoff({ random: () => 0 });
    backoff.next("server");
    backoff.next("client");
    expect(backoff.retries).toBe(2);
    backoff.reset();
    expect(backoff.retries).toBe(0);
    expect(backoff.next("client")).toBe(50);
  });

  it("reconnects at once after a drain for a restart (1012), then backs off as after a server close", () => {
    const backoff = new Backoff({ random: () => 0 });
    expect(backoff.next("restart")).toBe(0);
    // The node reached next said 1012 too, or was unreachable: no spinning, the usual doubling.
    expect(backoff.next("restart")).toBe(1_000);
    expect(backoff.next("server")).toBe(2_000);
    backoff.reset();
    expect(backoff.next("restart")).toBe(0);
    // Once something failed since the last healthy socket, a restart close waits like a server close.
    const failed = new Backoff({ random: () => 0 });
    failed.next("server");
    expect(failed.next("restart")).toBe(1_000);
  });
});

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Backoff, BACKOFF_BASE_MS, BACKOFF_CAP_MS, type BackoffReason } from "../../../transport/backoff.js";

describe("Backoff", () => {
  it("doubles from the base of the reason, with jitter of +/-50%", () => {
    const low = new Backoff({ random: () => 0 });
    expect([low.next("client"), low.next("client"), low.next("client")]).toEqual([50, 100, 200]);
    const high = new Backoff({ random: () => 0.999999 });
    expect(high.next("server")).toBeCloseTo(1_500, 0);
    expect(high.next("server")).toBeCloseTo(3_000, 0);
    expect(new Backoff({ random: () => 0.5 }).next("overload")).toBe(3_000);
  });

  it("caps the delay before jitter at 16 s", () => {
    const backoff = new Backoff({ random: () => 0.5 });
    for (let i = 0; i < 20; i++) backoff.next("server");
    expect(backoff.next("server")).toBe(BACKOFF_CAP_MS);
  });

  it("stays within [0.5, 1.5] x min(base * 2^retries, cap) for any randomness", () => {
    fc.assert(
      fc.property(fc.constantFrom<BackoffReason>("client", "server", "overload"), fc.nat(30), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (reason, retries, r) => {
        const backoff = new Backoff({ random: () => r });
        for (let i = 0; i < retries; i++) backoff.next(reason);
        const delay = backoff.next(reason);
        const capped = Math.min(BACKOFF_BASE_MS[reason] * 2 ** retries, BACKOFF_CAP_MS);
        return delay >= capped * 0.5 && delay <= capped * 1.5; // <=: float rounding of 0.5 + r
      }),
    );
  });

  it("counts retries and resets only when told", () => {
    const backoff = new Backoff({ random: () => 0.5 });
    backoff.next("server");
    backoff.next("client");
    expect(backoff.retries).toBe(2);
    backoff.reset();
    expect(backoff.retries).toBe(0);
    expect(backoff.next("client")).toBe(100);
  });
});

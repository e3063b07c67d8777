// The client benchmark's sample (bench/lib/client-sample.ts): it refuses requests that would wait
// for ever, its thread CPU clock counts this thread's work and not its waiting, and one real
// sample (the built client against the scripted server) reports every figure the rows print.

import { describe, expect, it } from "vitest";
import { sample, threadCpuMs, type SampleRequest } from "../../bench/lib/client-sample.js";

describe("the client benchmark's sample", () => {
  it.each([
    [{ client: "nope", count: 10, rounds: 1 }, /client must be "syncline" or "convex", got "nope"/],
    [{ client: "syncline", count: 0, rounds: 1 }, /count must be a positive integer, got 0/],
    [{ client: "convex", count: 2.5, rounds: 1 }, /count must be a positive integer, got 2.5/],
    [{ client: "syncline", count: 10, rounds: -1 }, /rounds must be an integer of at least 0, got -1/],
  ])("refuses %j before starting anything", async (request, message) => {
    await expect(sample(request as SampleRequest)).rejects.toThrow(message);
  });

  it("counts this thread's CPU, not time spent waiting", async () => {
    const start = threadCpuMs();
    if (start === undefined) return; // neither process.threadCpuUsage nor Linux's schedstat here
    await new Promise((resolve) => setTimeout(resolve, 100));
    const afterWaiting = threadCpuMs()!;
    let x = 0;
    const busyUntil = performance.now() + 200;
    while (performance.now() < busyUntil) x += Math.sqrt(x + 1);
    const afterWork = threadCpuMs()!;
    expect(x).toBeGreaterThan(0);
    expect(afterWaiting - start).toBeLessThan(50);
    // 200 ms of wall time spinning: a fair part of it on a core even on a crowded machine.
    expect(afterWork - afterWaiting).toBeGreaterThan(5);
  });

  it("measures the built Syncline client end to end: subscriptions, heap, one update per round", async () => {
    const result = await sample({ client: "syncline", count: 50, rounds: 2 });
    expect(result.subscribeMs).toBeGreaterThan(0);
    expect(result.heapPerSubscription).toBeGreaterThan(0);
    expect(result.updateMs).toHaveLength(2);
    if (threadCpuMs() !== undefined) {
      expect(result.subscribeCpuMs).toBeGreaterThan(0);
      expect(result.subscribeCpuMs!).toBeLessThanOrEqual(result.subscribeMs + 1);
      expect(result.updateCpuMs).toHaveLength(2);
    }
  }, 30_000);
});

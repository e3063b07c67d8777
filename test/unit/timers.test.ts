import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { callAt, LONGEST_TIMER_MS } from "../../src/server/timers.js";

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe("callAt", () => {
  it("waits past the longest Node timer, however far away the time is", () => {
    const due = vi.fn();
    const thirtyDays = 30 * 24 * 3600 * 1000;
    callAt(Date.now() + thirtyDays, due);
    vi.advanceTimersByTime(LONGEST_TIMER_MS);
    expect(due).not.toHaveBeenCalled();
    vi.advanceTimersByTime(thirtyDays - LONGEST_TIMER_MS - 1);
    expect(due).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(due).toHaveBeenCalledTimes(1);
  });

  it("calls at once for a time already past, and never after being cancelled", () => {
    const past = vi.fn();
    callAt(Date.now() - 5, past);
    vi.advanceTimersByTime(0);
    expect(past).toHaveBeenCalledTimes(1);
    const cancelled = vi.fn();
    const cancel = callAt(Date.now() + LONGEST_TIMER_MS + 10, cancelled);
    vi.advanceTimersByTime(LONGEST_TIMER_MS);
    cancel();
    vi.advanceTimersByTime(100);
    expect(cancelled).not.toHaveBeenCalled();
  });
});

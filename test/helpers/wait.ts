// Polling for a condition that background work (scheduler, crons) makes true eventually.

/** Resolves with `probe()`'s value once `accept` holds for it; rejects with the last value after `timeoutMs`. */
export async function waitFor<T>(probe: () => Promise<T> | T, accept: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (accept(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms; last value: ${JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? `${v}n` : v))}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

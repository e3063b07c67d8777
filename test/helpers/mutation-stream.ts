// A client's stream of mutations for drain and failover tests: a few in flight at a time, each
// acknowledgement and failure recorded, so a test can check that none was lost or doubled.

/**
 * Sends mutations one after another (at most 8 unanswered) until stopped; records what was
 * acknowledged.
 *
 * @example
 * const fromOurs = streamMutations((n) => client.mutation(api.load.add, { client: "ours", n }));
 * await fromOurs.stop();
 */
export function streamMutations(send: (n: number) => Promise<unknown>) {
  const acked = new Set<number>();
  const failed: unknown[] = [];
  const pending = new Set<Promise<unknown>>();
  let next = 0;
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const n = next++;
      const call = send(n).then(
        () => void acked.add(n),
        (error: unknown) => void failed.push(error),
      );
      pending.add(call);
      void call.finally(() => pending.delete(call));
      // At most 8 unanswered: while the server is away they wait in the client, not in a loop.
      while (pending.size >= 8 && !stopped) await Promise.race(pending);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  })();
  return {
    acked,
    failed,
    get sent() {
      return next;
    },
    async stop() {
      stopped = true;
      await loop;
    },
    pending,
  };
}

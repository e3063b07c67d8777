// A client's stream of mutations for drain and failover tests: a few in flight at a time, each
// acknowledgement and failure recorded, so a test can check that none was lost or doubled.

import { expect } from "vitest";
import { waitFor } from "./wait.js";

/**
 * Sends mutations one after another (at most 8 unanswered) until stopped; records what was
 * acknowledged.
 *
 * @example
 * const fromOurs = streamMutations((n) => client.mutation(api.load.add, { client: "ours", n }));
 * await fromOurs.stop();
 */
export function streamMutations(send: (n: number) => Promise<unknown>): MutationStream {
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

export interface MutationStream {
  /** The numbers whose mutation was acknowledged. */
  readonly acked: Set<number>;
  readonly failed: unknown[];
  /** How many were sent. */
  readonly sent: number;
  /** Calls not answered yet. */
  readonly pending: Set<Promise<unknown>>;
  stop(): Promise<void>;
}

/**
 * Waits until every stream has `more` acknowledgements beyond what it has now: its client
 * resumed (after a restart or a move to another node).
 *
 * @example
 * await waitForMoreAcks({ ours: fromOurs, official: fromOfficial }, 20);
 */
export async function waitForMoreAcks(streams: Record<string, MutationStream>, more: number, timeoutMs = 30_000): Promise<void> {
  const now = Object.values(streams).map((stream) => stream.acked.size);
  await waitFor(
    () => Object.values(streams).map((stream) => stream.acked.size),
    (acked) => acked.every((size, i) => size > now[i]! + more),
    timeoutMs,
  );
}

/**
 * Stops the streams and checks the outcome: no call is left unanswered, none failed, every one
 * sent was acknowledged, and `stored(client)` holds each acknowledged number exactly once.
 *
 * @example
 * await stopAndCheckExactlyOnce({ ours: fromOurs }, (client) => client.query(list, { client }));
 */
export async function stopAndCheckExactlyOnce(streams: Record<string, MutationStream>, stored: (client: string) => Promise<number[]>): Promise<void> {
  const all = Object.entries(streams);
  for (const [, stream] of all) await stream.stop();
  await waitFor(() => all.reduce((size, [, stream]) => size + stream.pending.size, 0), (size) => size === 0, 20_000);
  expect(all.map(([, stream]) => stream.failed)).toEqual(all.map(() => []));
  for (const [client, stream] of all) {
    const numbers = await stored(client);
    expect(numbers.length).toBe(new Set(numbers).size);
    expect(stream.acked.size).toBe(stream.sent);
    expect([...numbers].sort((a, b) => a - b)).toEqual([...stream.acked].sort((a, b) => a - b));
  }
}

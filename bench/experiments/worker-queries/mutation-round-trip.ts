// The price of moving a mutation to another thread and back: postMessage carrying a Mutation
// frame's content one way and a MutationResponse's the other, nothing executed. Three shapes:
// one mutation per message with one in flight (latency), one per message with 20 in flight (a
// busy socket), and 20 per message (a session's in-flight mutations sent together).

import { performance } from "node:perf_hooks";
import type { MutationRequest } from "./messages.js";
import { processCpuMs, threadCpuMs } from "./thread-cpu.js";
import type { WorkerLink } from "./worker-link.js";

/** Per mutation (microseconds). */
export interface RoundTripResult {
  wallUs: number;
  mainCpuUs: number;
  workerCpuUs: number;
  processCpuUs: number;
}

export type RoundTripShape = { perMessage: 1; inFlight: 1 | 20 } | { perMessage: 20; inFlight: 1 };

/** A typical small mutation: a chat message's fields. */
function request(requestId: number): MutationRequest {
  return { requestId, udfPath: "messages:send", args: { channel: "general", author: `user-${requestId % 50}`, body: `hello from socket ${requestId % 50}, message ${requestId}`, urgent: false } };
}

async function workerCpu(link: WorkerLink): Promise<number> {
  return ((await link.request({ op: "cpu" })) as { ms: number }).ms;
}

/**
 * Sends `total` mutations through the worker in `shape` and measures per mutation.
 *
 * @example
 * const batched = await roundTrips(link, 20_000, { perMessage: 20, inFlight: 1 });
 */
export async function roundTrips(link: WorkerLink, total: number, shape: RoundTripShape): Promise<RoundTripResult> {
  const worker0 = await workerCpu(link);
  const cpu0 = threadCpuMs();
  const process0 = processCpuMs();
  const started = performance.now();
  let nextId = 0;
  let answered = 0;
  const lane = async () => {
    while (nextId < total) {
      const requests: MutationRequest[] = [];
      while (requests.length < shape.perMessage && nextId < total) requests.push(request(nextId++));
      const answer = await link.request({ op: "mutations", requests });
      if (answer.op !== "answers" || answer.answers.length !== requests.length) throw new Error("wrong answer");
      // What the socket would do with it: match the request, read the outcome.
      for (let i = 0; i < requests.length; i++) if (answer.answers[i]!.requestId === requests[i]!.requestId && answer.answers[i]!.ok) answered++;
    }
  };
  await Promise.all(Array.from({ length: shape.inFlight }, lane));
  const wallMs = performance.now() - started;
  const mainCpuMs = threadCpuMs() - cpu0;
  const processMs = processCpuMs() - process0;
  const workerMs = (await workerCpu(link)) - worker0;
  if (answered !== total) throw new Error(`${answered} of ${total} mutations answered`);
  const us = (ms: number) => (ms * 1000) / total;
  return { wallUs: us(wallMs), mainCpuUs: us(mainCpuMs), workerCpuUs: us(workerMs), processCpuUs: us(processMs) };
}

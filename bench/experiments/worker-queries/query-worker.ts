// The query worker: a second thread running its own full Syncline stack (startServer: database
// over its own copy of the file, user modules, runtime) that executes a share of the queries and
// posts back, per batch, what the main thread's subscriptions keep. It also answers mutation
// frames with a canned answer, to price a round trip through postMessage, and serves as the
// sync bench's server thread for row-phases.ts.

import { parentPort } from "node:worker_threads";
import { startServer, type RunningServer } from "../../../src/server/start-server.js";
import { gcFunction } from "../../lib/gc.js";
import type { FromWorker, MutationAnswer, ToWorker } from "./messages.js";
import { packBatch, type PackedBatch } from "./outcome-transfer.js";
import { clearQueryCache, keepOutcome, runLikeSubscriptions, type KeptResult } from "./query-runs.js";
import { threadCpuMs } from "./thread-cpu.js";

const port = parentPort;
if (port === null) throw new Error("query-worker.ts runs as a worker thread (see experiment.ts)");
const post = (message: FromWorker) => port.postMessage(message);

let server: RunningServer | undefined;
/** The batches the last run posted, for `replay`. */
let lastBatches: PackedBatch[] = [];
/** What `instrument` notes: the CPU clock at the first queryBatch call and at the last one's end. */
let marks: { firstCallCpuMs: number | undefined; lastEndCpuMs: number; batches: number } = { firstCallCpuMs: undefined, lastEndCpuMs: 0, batches: 0 };

async function handle(message: ToWorker): Promise<void> {
  switch (message.op) {
    case "start":
      server = await startServer({ dir: message.dir, db: message.db, port: 0, host: "127.0.0.1" });
      return post({ op: "started", url: server.url });
    case "prepare":
      if (server !== undefined) clearQueryCache(server.runtime);
      gcFunction()?.();
      return post({ op: "cpu", ms: threadCpuMs() });
    case "cpu":
      return post({ op: "cpu", ms: threadCpuMs() });
    case "run": {
      if (server === undefined) throw new Error("run before start");
      const batches: PackedBatch[] = [];
      await runLikeSubscriptions(server.runtime, message.calls, (outcomes, from) => {
        const batch = packBatch(outcomes, from);
        batches.push(batch);
        post({ op: "batch", batch });
      });
      lastBatches = batches;
      return post({ op: "done", cpuMs: threadCpuMs() });
    }
    case "runHere": {
      if (server === undefined) throw new Error("run before start");
      const kept: KeptResult[] = new Array<KeptResult>(message.calls.length);
      await runLikeSubscriptions(server.runtime, message.calls, (outcomes, from) => {
        for (let i = 0; i < outcomes.length; i++) kept[from + i] = keepOutcome(outcomes[i]!);
      });
      return post({ op: "done", cpuMs: threadCpuMs() });
    }
    case "instrument": {
      if (server === undefined) throw new Error("instrument before start");
      const runtime = server.runtime;
      const queryBatch = runtime.queryBatch.bind(runtime);
      // An own property in front of the prototype's method: the subscription manager calls this one.
      runtime.queryBatch = async (calls) => {
        marks.firstCallCpuMs ??= threadCpuMs();
        marks.batches++;
        const outcomes = await queryBatch(calls);
        marks.lastEndCpuMs = threadCpuMs();
        return outcomes;
      };
      return post({ op: "cpu", ms: threadCpuMs() });
    }
    case "phases": {
      const { firstCallCpuMs, lastEndCpuMs, batches } = marks;
      marks = { firstCallCpuMs: undefined, lastEndCpuMs: 0, batches: 0 };
      if (firstCallCpuMs === undefined) throw new Error("no queryBatch ran since the last phases");
      return post({ op: "phases", firstCallCpuMs, lastEndCpuMs, nowCpuMs: threadCpuMs(), batches });
    }
    case "subscriptions":
      return post({ op: "subscriptions", size: server?.sync.manager.size ?? 0 });
    case "replay":
      // The calls came along as in a run (receiving them is part of the transfer); none runs.
      for (const batch of lastBatches) post({ op: "batch", batch });
      return post({ op: "done", cpuMs: threadCpuMs() });
    case "mutations": {
      // What a runtime.mutation answer holds for an insert: the new id, the commit timestamp.
      const answers: MutationAnswer[] = message.requests.map((request) => ({
        requestId: request.requestId,
        ok: true,
        value: `k57${request.requestId.toString(36).padStart(29, "0")}`,
        ts: 1_765_000_000_000_000_000n + BigInt(request.requestId),
        logLines: [],
      }));
      return post({ op: "answers", answers });
    }
    case "close":
      await server?.close();
      server = undefined;
      return post({ op: "closed" });
  }
}

port.on("message", (message: ToWorker) => {
  handle(message).catch((error: unknown) => post({ op: "error", error: (error as Error).stack ?? String(error) }));
});
post({ op: "ready" });

// The whole sync-bench row, split by phase (run.ts --row-phases): the server (startServer) on the
// query worker's thread, a raw sync socket here, one ModifyQuerySet with 10,000 Adds of
// `items:first`, as benchManySubscriptions does. The server thread's CPU is cut at its first
// queryBatch call and at its last one's end: before (parse, validate, create the subscriptions),
// during (the queries and the per-result work between them), after (the transition). The same
// thread then runs the 10,000 queries alone, as A does. What "during" holds beyond that is
// per-result work a worker running the queries could overlap with; before and after it cannot.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { median } from "../../lib/stats.js";
import { SyncSocket } from "../../lib/sync-socket.js";
import type { ExperimentConfig } from "./experiment.js";
import type { FromWorker } from "./messages.js";
import { firstCalls } from "./query-runs.js";
import { seedItems } from "./seed.js";
import { WorkerLink } from "./worker-link.js";

const config = JSON.parse(process.argv[2] ?? "") as ExperimentConfig;

interface Phases {
  wallMs: number;
  beforeMs: number;
  duringMs: number;
  afterMs: number;
  queriesAloneMs: number;
}

function expect<T extends FromWorker["op"]>(message: FromWorker, op: T): Extract<FromWorker, { op: T }> {
  if (message.op !== op) throw new Error(`expected ${op}, got ${message.op}`);
  return message as Extract<FromWorker, { op: T }>;
}

/** One round: a new socket subscribes to every query; the phases of the server thread's CPU. */
async function round(link: WorkerLink, url: string): Promise<Phases> {
  const queries = Array.from({ length: config.count }, (_, x) => ({ udfPath: "items:first", args: { x } }));
  const socket = await SyncSocket.open(url);
  let phases: Extract<FromWorker, { op: "phases" }>;
  let wallMs: number;
  let cpuStart: number;
  try {
    await sleep(50);
    cpuStart = await link.prepare();
    const first = socket.waitFor((m) => m.type === "Transition", 120_000);
    const sent = performance.now();
    socket.addQueries(queries);
    const { message, at } = await first;
    wallMs = at - sent;
    phases = expect(await link.request({ op: "phases" }), "phases");
    if (message.type !== "Transition") throw new Error("not a transition");
    const updated = message.modifications.filter((m) => m.type === "QueryUpdated").length;
    if (updated !== config.count) throw new Error(`the first transition carries ${updated} results, expected ${config.count}`);
  } finally {
    await socket.close();
  }
  while (expect(await link.request({ op: "subscriptions" }), "subscriptions").size > 0) await sleep(20);
  // The same queries on the same thread, as A runs them.
  const aloneStart = await link.prepare();
  const aloneEnd = expect(await link.request({ op: "runHere", calls: firstCalls(queries.map((q) => q.args.x)) }), "done").cpuMs;
  await link.request({ op: "phases" }).catch(() => undefined); // forgets runHere's marks
  return {
    wallMs,
    beforeMs: phases.firstCallCpuMs - cpuStart,
    duringMs: phases.lastEndCpuMs - phases.firstCallCpuMs,
    afterMs: phases.nowCpuMs - phases.lastEndCpuMs,
    queriesAloneMs: aloneEnd - aloneStart,
  };
}

async function main(): Promise<void> {
  const temp = mkdtempSync(join(tmpdir(), "syncline-workerexp-"));
  try {
    await seedItems(config.functionsDir, temp, config.count);
    const link = await WorkerLink.start(config.workerFile);
    try {
      const { url } = expect(await link.request({ op: "start", dir: config.functionsDir, db: join(temp, "data.sqlite") }), "started");
      await link.request({ op: "instrument" });
      const rounds: Phases[] = [];
      for (let i = 0; i <= config.rounds; i++) {
        const phases = await round(link, url);
        if (i > 0) rounds.push(phases); // round 0 warms up
        console.log(`round ${i}${i === 0 ? " (warm-up)" : ""}: ${Object.entries(phases).map(([k, v]) => `${k} ${v.toFixed(0)}`).join(", ")}`);
      }
      const m = (pick: (p: Phases) => number) => median(rounds.map(pick)).toFixed(0);
      console.log(`\nThe sync row in phases (${config.rounds} rounds, medians, ms of server-thread CPU unless said)\n`);
      console.log("| wall (socket) | server CPU | before first query | queries + per-result work | after last query | the queries alone (A) | per-result work |");
      console.log("|---:|---:|---:|---:|---:|---:|---:|");
      console.log(
        `| ${m((p) => p.wallMs)} | ${m((p) => p.beforeMs + p.duringMs + p.afterMs)} | ${m((p) => p.beforeMs)} | ${m((p) => p.duringMs)} | ${m((p) => p.afterMs)} | ${m((p) => p.queriesAloneMs)} | ${m((p) => p.duringMs - p.queriesAloneMs)} |`,
      );
    } finally {
      await link.close();
    }
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
}

await main();

// A alone, in a process with no worker and no second stack (run.ts --a-alone): where its wall
// time goes besides the main thread's CPU - garbage collection pauses, idle event loop - and how
// much CPU the process's other threads (V8's GC helpers) use meanwhile. That last number is what
// a query worker has to share the second core with.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance, PerformanceObserver } from "node:perf_hooks";
import { startServer } from "../../../src/server/start-server.js";
import { gcFunction } from "../../lib/gc.js";
import { clearQueryCache, firstCalls, keepOutcome, runLikeSubscriptions, type KeptResult } from "./query-runs.js";
import { cpuByThread, processCpuMs, threadCpuMs } from "./thread-cpu.js";
import type { ExperimentConfig } from "./experiment.js";
import { seedItems } from "./seed.js";

const { functionsDir, rounds, count } = JSON.parse(process.argv[2] ?? "") as ExperimentConfig;
const temp = mkdtempSync(join(tmpdir(), "syncline-workerexp-"));
let gcMs = 0;
let gcCount = 0;
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    gcMs += e.duration;
    gcCount++;
  }
}).observe({ entryTypes: ["gc"] });
await seedItems(functionsDir, temp, count);
const server = await startServer({ dir: functionsDir, db: join(temp, "data.sqlite"), port: 0, host: "127.0.0.1" });
const calls = firstCalls(Array.from({ length: count }, (_, x) => x));
for (let round = 0; round <= rounds; round++) {
  clearQueryCache(server.runtime);
  gcFunction()?.();
  await new Promise((r) => setTimeout(r, 50));
  const gc0 = gcMs;
  const n0 = gcCount;
  const kept = new Array<KeptResult>(calls.length);
  const elu0 = performance.eventLoopUtilization();
  const threads0 = cpuByThread();
  const c0 = threadCpuMs();
  const p0 = processCpuMs();
  const t0 = performance.now();
  await runLikeSubscriptions(server.runtime, calls, (outcomes, from) => {
    for (let i = 0; i < outcomes.length; i++) kept[from + i] = keepOutcome(outcomes[i]!);
  });
  const wall = performance.now() - t0;
  const cpu = threadCpuMs() - c0;
  const proc = processCpuMs() - p0;
  const others = [...cpuByThread()]
    .map(([name, ms]) => [name, ms - (threads0.get(name) ?? 0)] as const)
    .filter(([, ms]) => ms >= 1)
    .map(([tid, ms]) => `${tid === String(process.pid) ? "main" : tid} ${ms.toFixed(0)}`)
    .join(", ");
  const elu = performance.eventLoopUtilization(elu0);
  await new Promise((r) => setTimeout(r, 20)); // gc entries arrive in a later task
  console.log(`round ${round}${round === 0 ? " (warm-up)" : ""}: wall ${wall.toFixed(0)} main cpu ${cpu.toFixed(0)} process cpu ${proc.toFixed(0)} elu idle ${elu.idle.toFixed(0)} active ${elu.active.toFixed(0)} gc ${(gcMs - gc0).toFixed(0)} ms in ${gcCount - n0}; CPU by thread: ${others}`);
}
await server.close();
rmSync(temp, { recursive: true, force: true });

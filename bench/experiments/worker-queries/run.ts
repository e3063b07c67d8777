// Runs the worker-queries experiment: bundles the main-thread script and the worker as the bench
// suites bundle their workers (esbuild, like the published package; not tsx), runs them in a
// fresh node process (so its process CPU is the experiment's alone), and removes the bundles.
//
//   npx tsx bench/experiments/worker-queries/run.ts [--rounds 15] [--count 10000] [--mutations 20000]
//   npx tsx bench/experiments/worker-queries/run.ts --a-alone [--rounds 15]   (A in a process of its own)
//   npx tsx bench/experiments/worker-queries/run.ts --row-phases [--rounds 15]   (the sync row's server CPU by phase)
//   --node-flags "--max-semi-space-size=32"   passes flags to the node process that runs the experiment

import { spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { BENCH_FUNCTIONS_DIR, bundleBenchEntry } from "../../lib/bench-server.js";
import type { ExperimentConfig } from "./experiment.js";

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  return at === -1 ? fallback : Number(process.argv[at + 1]);
}

const script = process.argv.includes("--a-alone") ? "a-alone" : process.argv.includes("--row-phases") ? "row-phases" : "experiment";
const experimentFile = await bundleBenchEntry(`../experiments/worker-queries/${script}.ts`, "workerexp-main");
const workerFile = await bundleBenchEntry("../experiments/worker-queries/query-worker.ts", "workerexp-worker");
try {
  const config: ExperimentConfig = {
    workerFile,
    functionsDir: BENCH_FUNCTIONS_DIR,
    rounds: option("rounds", 15),
    count: option("count", 10_000),
    mutations: option("mutations", 20_000),
  };
  const flagsAt = process.argv.indexOf("--node-flags");
  const nodeFlags = flagsAt === -1 ? [] : (process.argv[flagsAt + 1] ?? "").split(" ").filter((flag) => flag !== "");
  const child = spawnSync(process.execPath, [...nodeFlags, experimentFile, JSON.stringify(config)], { stdio: "inherit", cwd: fileURLToPath(new URL("../../..", import.meta.url)) });
  process.exitCode = child.status ?? 1;
} finally {
  rmSync(experimentFile, { force: true });
  rmSync(workerFile, { force: true });
}

// `npm run bench [-- <suite>... ] [--quick] [--json]`: runs the registered suites (all of them
// when none is named) and prints one table per suite: Syncline against the official peer,
// measured in the same run.
//
// To add a suite: write bench/<name>.bench.ts with a default export satisfying `Suite`
// (bench/lib/types.ts) and add one line to SUITES below.

import os from "node:os";
import { formatResults } from "./lib/table.js";
import type { BenchResult, Suite } from "./lib/types.js";

const SUITES: Record<string, () => Promise<{ default: Suite }>> = {
  values: () => import("./values.bench.js"),
  db: () => import("./db.bench.js"),
  scheduler: () => import("./scheduler.bench.js"),
  server: () => import("./server.bench.js"),
  sync: () => import("./sync.bench.js"),
  client: () => import("./client.bench.js"),
  snapshot: () => import("./snapshot.bench.js"),
  search: () => import("./search.bench.js"),
  testing: () => import("./testing.bench.js"),
  reliability: () => import("./reliability.bench.js"),
  cluster: () => import("./cluster.bench.js"),
};

function usage(): string {
  return `usage: npm run bench -- [suite...] [--quick] [--json]\nsuites: ${Object.keys(SUITES).join(", ")}`;
}

async function main(argv: readonly string[]): Promise<number> {
  const flags = new Set(argv.filter((arg) => arg.startsWith("--")));
  const names = argv.filter((arg) => !arg.startsWith("--"));
  for (const flag of flags) {
    if (flag === "--help") {
      console.log(usage());
      return 0;
    }
    if (flag !== "--quick" && flag !== "--json") {
      console.error(`unknown option ${flag}\n${usage()}`);
      return 2;
    }
  }
  const unknown = names.filter((name) => !Object.hasOwn(SUITES, name));
  if (unknown.length > 0) {
    console.error(`unknown suite${unknown.length > 1 ? "s" : ""}: ${unknown.join(", ")}\n${usage()}`);
    return 2;
  }
  const selected = names.length > 0 ? [...new Set(names)] : Object.keys(SUITES);
  const options = { quick: flags.has("--quick") };
  const json = flags.has("--json");

  if (!json) {
    const cpu = os.cpus()[0]?.model ?? "unknown CPU";
    console.log(`syncline bench: node ${process.version}, ${os.platform()}/${os.arch()}, ${cpu} x${os.cpus().length}${options.quick ? ", quick" : ""}`);
  }
  const all: Record<string, BenchResult[]> = {};
  for (const name of selected) {
    const suite = (await SUITES[name]!()).default;
    if (!json) console.log(`\n== ${suite.name}: ${suite.description}`);
    const results = await suite.run(options);
    all[suite.name] = results;
    if (!json) console.log(formatResults(results));
  }
  if (json) console.log(JSON.stringify(all, null, 2));
  else console.log("\nratio = syncline median / peer median (below 1.00x: Syncline is faster)");
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);

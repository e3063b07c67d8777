// Commit matching on its own: the CPU time of `readSetOverlaps` per (subscription, commit) pair,
// the test the sync layer and the query cache run for every candidate of every commit. Read sets
// are built by ReadSetBuilder from real index keys (encodeKey), shaped like the live queries the
// sync bench holds: one eq() range ending after the first row, point reads, and wide read sets
// of 20 ranges (the merged, binary-searched path).
//
// `npx tsx bench/read-set-match.ts [<other read-set.ts> ...]`: with other implementations of
// read-set.ts (e.g. an older commit's, checked out elsewhere), all are measured in the same
// process, interleaved, on the same keys; median and fastest round per implementation.

import { pathToFileURL } from "node:url";
import { encodeKey, keySuccessor } from "../src/server/db/keys.js";
import * as current from "../src/server/db/read-set.js";
import type { ReadSet, WriteSet } from "../src/server/db/types.js";
import { median } from "./lib/stats.js";

type Implementation = Pick<typeof current, "ReadSetBuilder" | "readSetOverlaps">;

const BY_ID = 1;
const BY_X = 2;
const BY_CREATION = 3;
const idOf = (n: number) => `j57${n.toString(36).padStart(8, "0")}q9z2m4k7x1c3v5b8n0h6g2f4d`;

interface Scenario {
  name: string;
  readSets: (impl: Implementation) => ReadSet[];
  commits: WriteSet[];
}

/** An insert of a document with `x` (an id sorting before the seeded ones): its keys in by_id, by_x and by_creation. */
function insertOf(n: number, x: number): WriteSet {
  const id = `a${idOf(n)}`;
  return { writes: [{ indexId: BY_ID, key: encodeKey([id]) }, { indexId: BY_X, key: encodeKey([x, id]) }, { indexId: BY_CREATION, key: encodeKey([n, id]) }] };
}

/** A patch moving seeded document `n` from `x` to `x + 1`: its by_id key, its old and new by_x keys. */
function patchOf(n: number, x: number): WriteSet {
  const id = idOf(n);
  return { writes: [{ indexId: BY_ID, key: encodeKey([id]) }, { indexId: BY_X, key: encodeKey([x, id]) }, { indexId: BY_X, key: encodeKey([x + 1, id]) }] };
}

const SUBSCRIPTIONS = 10_000;
/** Inserts and patches alternating, spread over the keys. */
const commits = Array.from({ length: 50 }, (_, i) => {
  const n = (i * 7919) % SUBSCRIPTIONS;
  return i % 2 === 0 ? insertOf(1_000_000 + i, n) : patchOf(n, n);
});

const scenarios: Scenario[] = [
  {
    name: "eq(x).first(): 1 range per read set",
    readSets: (impl) =>
      Array.from({ length: SUBSCRIPTIONS }, (_, x) => {
        const builder = new impl.ReadSetBuilder();
        builder.add(BY_X, encodeKey([x]), keySuccessor(encodeKey([x, idOf(x)])));
        return builder.build();
      }),
    commits,
  },
  {
    name: "get(id): 1 point per read set",
    readSets: (impl) =>
      Array.from({ length: SUBSCRIPTIONS }, (_, n) => {
        const builder = new impl.ReadSetBuilder();
        builder.point(BY_ID, encodeKey([idOf(n)]));
        return builder.build();
      }),
    commits,
  },
  {
    name: "20 ranges per read set (merged, binary search)",
    readSets: (impl) =>
      Array.from({ length: SUBSCRIPTIONS / 10 }, (_, s) => {
        const builder = new impl.ReadSetBuilder();
        for (let r = 0; r < 20; r++) {
          const x = (s * 20 + r) % SUBSCRIPTIONS;
          builder.add(BY_X, encodeKey([x]), keySuccessor(encodeKey([x, idOf(x)])));
        }
        return builder.build();
      }),
    commits,
  },
];

/** CPU nanoseconds per overlap test over every (read set, commit) pair; the hit count checks both agree. */
function measure(impl: Implementation, readSets: ReadSet[], writeSets: WriteSet[]): { ns: number; hits: number } {
  let hits = 0;
  const started = process.cpuUsage();
  for (const writeSet of writeSets) for (const readSet of readSets) if (impl.readSetOverlaps(readSet, writeSet)) hits++;
  const used = process.cpuUsage(started);
  return { ns: ((used.user + used.system) * 1000) / (readSets.length * writeSets.length), hits };
}

async function main(): Promise<void> {
  const implementations: [string, Implementation][] = [["this tree", current]];
  for (const path of process.argv.slice(2)) implementations.push([path, (await import(pathToFileURL(path).href)) as Implementation]);
  const rounds = 15;
  for (const scenario of scenarios) {
    const prepared = implementations.map(([name, impl]) => ({ name, impl, readSets: scenario.readSets(impl), ns: [] as number[], hits: -1 }));
    for (let round = 0; round < rounds + 2; round++) {
      const order = [...prepared.slice(round % prepared.length), ...prepared.slice(0, round % prepared.length)];
      for (const side of order) {
        const { ns, hits } = measure(side.impl, side.readSets, scenario.commits);
        if (round >= 2) side.ns.push(ns); // two warm-up rounds
        side.hits = hits;
      }
    }
    if (new Set(prepared.map((side) => side.hits)).size !== 1) throw new Error(`${scenario.name}: the implementations disagree on the hits`);
    for (const side of prepared) console.log(`${scenario.name.padEnd(48)} ${side.name.padEnd(48)} ${median(side.ns).toFixed(1)} ns/test, fastest round ${Math.min(...side.ns).toFixed(1)} (${side.hits} hits)`);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) await main();

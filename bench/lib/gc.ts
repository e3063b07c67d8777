// A full garbage collection on demand, without starting node with --expose-gc: the flag is set
// at run time and `gc` fetched from a fresh context (where V8 installs it). Per isolate, so it
// also works inside a worker thread.

import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

let gc: (() => void) | undefined;

/** `globalThis.gc` when the process has it, else the run-time one; undefined if neither works. */
export function gcFunction(): (() => void) | undefined {
  if (gc !== undefined) return gc;
  const global = (globalThis as { gc?: () => void }).gc;
  if (typeof global === "function") return (gc = global);
  try {
    setFlagsFromString("--expose-gc");
    const found = runInNewContext("gc") as unknown;
    if (typeof found === "function") gc = found as () => void;
  } catch {
    gc = undefined;
  }
  return gc;
}

/** `process.memoryUsage().heapUsed` of this isolate after full collections (before any when gc is unavailable). */
export function heapUsedAfterGc(): { heapUsed: number; collected: boolean } {
  const collect = gcFunction();
  if (collect) for (let i = 0; i < 3; i++) collect();
  return { heapUsed: process.memoryUsage().heapUsed, collected: collect !== undefined };
}

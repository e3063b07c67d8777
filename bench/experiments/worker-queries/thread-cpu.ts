// CPU time of the calling thread. Node 20 has no process.threadCpuUsage, and on a shared 2-core
// machine wall time and event-loop busy time both count time the thread was runnable but
// preempted; the kernel's per-thread run time does not.

import { readdirSync, readFileSync } from "node:fs";

/** USER_HZ: 100 on every Linux this runs on (getconf CLK_TCK). */
const CLOCK_TICKS_PER_SECOND = 100;

/**
 * CPU time (ms) this thread has run so far: /proc/thread-self/schedstat (nanoseconds) when the
 * kernel keeps it, else /proc/thread-self/stat (10 ms ticks). Throws off Linux: every number of
 * this experiment is per thread, and a silent fallback to process time would mix the threads.
 *
 * @example
 * const before = threadCpuMs();
 * work();
 * console.log(`${threadCpuMs() - before} ms of this thread's CPU`);
 */
export function threadCpuMs(): number {
  const schedstat = readFileSync("/proc/thread-self/schedstat", "utf8");
  const ns = Number(schedstat.split(" ")[0]);
  if (ns > 0) return ns / 1e6;
  const stat = readFileSync("/proc/thread-self/stat", "utf8");
  // Fields after the command name (which may hold spaces): utime is field 14, stime 15.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
}

/**
 * CPU time (ms) of the whole process (every thread: both isolates, V8's GC helpers, libuv).
 *
 * @example
 * const before = processCpuMs();
 */
export function processCpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/**
 * CPU time (ms) of every thread of the process by thread id (`/proc/self/task`; the main
 * thread's id is the process id). Shows who uses the CPU the main thread does not.
 *
 * @example
 * const before = cpuByThread();
 */
export function cpuByThread(): Map<string, number> {
  const byThread = new Map<string, number>();
  for (const task of readdirSync("/proc/self/task")) {
    try {
      byThread.set(task, Number(readFileSync(`/proc/self/task/${task}/schedstat`, "utf8").split(" ")[0]) / 1e6);
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return byThread;
}

/**
 * CPU time (ms, 10 ms ticks) every process on the machine has used so far (/proc/stat: user,
 * nice, system, irq, softirq, steal over all cores). Minus `processCpuMs` over the same span it
 * is what other processes took: how much of the second core a worker could really have had.
 *
 * @example
 * const others = machineCpuMs() - before - (processCpuMs() - processBefore);
 */
export function machineCpuMs(): number {
  const line = readFileSync("/proc/stat", "utf8").split("\n", 1)[0]!;
  const [user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
  return ((user! + nice! + system! + irq! + softirq! + steal!) * 1000) / CLOCK_TICKS_PER_SECOND;
}

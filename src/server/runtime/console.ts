// `console` inside a function call. Every method the functions documentation lists (log, info,
// warn, error, debug, trace, time, timeLog, timeEnd) writes log lines of the call that made it
// (protocol.md §15) instead of the server's stdout. Timers and counters belong to the call: Node
// keeps them on the one global console, where two concurrent calls using the same label would
// collide and a label would leak from one user's call into another's.

import { performance } from "node:perf_hooks";
import { appendLogLine, CONSOLE_LEVELS, formatLogLine, formatMessage, rawLogLine, type LogLevel } from "./log-lines.js";

/** The per-call state the console methods need. */
export interface ConsoleScope {
  readonly logLines: string[];
  /** `console.time` labels and when they started (made on first use). */
  timers?: Map<string, number>;
  /** `console.count` labels and their counts (made on first use). */
  counters?: Map<string, number>;
}

type ConsoleMethod = (...args: unknown[]) => void;

/**
 * Replaces the console methods with ones that write to the current call's log lines; outside any
 * call they behave as before.
 *
 * @example
 * installScopedConsole(() => storage.getStore());
 */
export function installScopedConsole(currentScope: () => ConsoleScope | undefined): void {
  const scoped = (method: keyof Console, inCall: (scope: ConsoleScope, args: unknown[]) => void) => {
    const real = (console[method] as ConsoleMethod).bind(console);
    (console as unknown as Record<string, ConsoleMethod>)[method] = (...args: unknown[]) => {
      const scope = currentScope();
      if (scope) inCall(scope, args);
      else real(...args);
    };
  };
  const write = (scope: ConsoleScope, level: LogLevel, args: readonly unknown[]) => appendLogLine(scope.logLines, formatLogLine(level, args));

  for (const [method, level] of Object.entries(CONSOLE_LEVELS)) {
    scoped(method as keyof typeof CONSOLE_LEVELS, (scope, args) => write(scope, level, args));
  }
  scoped("dir", (scope, [value]) => write(scope, "LOG", [value]));

  scoped("trace", (scope, args) => {
    // Shaped like an error's stack, starting at the caller of console.trace (the wrapper).
    const holder = { name: "Trace", message: formatMessage(args), stack: "" };
    Error.captureStackTrace(holder, console.trace);
    appendLogLine(scope.logLines, rawLogLine("ERROR", holder.stack));
  });

  scoped("time", (scope, [label]) => {
    const name = labelOf(label);
    scope.timers ??= new Map();
    if (scope.timers.has(name)) return write(scope, "WARN", [`Label '${name}' already exists for console.time()`]);
    scope.timers.set(name, performance.now());
  });
  const elapsed = (scope: ConsoleScope, method: "timeLog" | "timeEnd", label: unknown, data: unknown[]) => {
    const name = labelOf(label);
    const start = scope.timers?.get(name);
    if (start === undefined) return write(scope, "WARN", [`No such label '${name}' for console.${method}()`]);
    if (method === "timeEnd") scope.timers!.delete(name);
    write(scope, "LOG", [`${name}: ${formatDuration(performance.now() - start)}`, ...data]);
  };
  scoped("timeLog", (scope, [label, ...data]) => elapsed(scope, "timeLog", label, data));
  scoped("timeEnd", (scope, [label]) => elapsed(scope, "timeEnd", label, []));

  scoped("count", (scope, [label]) => {
    const name = labelOf(label);
    scope.counters ??= new Map();
    const count = (scope.counters.get(name) ?? 0) + 1;
    scope.counters.set(name, count);
    write(scope, "LOG", [`${name}: ${count}`]);
  });
  scoped("countReset", (scope, [label]) => {
    scope.counters?.delete(labelOf(label));
  });
}

function labelOf(label: unknown): string {
  return label === undefined ? "default" : String(label);
}

/** Like Node's console.timeEnd: milliseconds under a second, then seconds. */
function formatDuration(ms: number): string {
  return ms < 1000 ? `${ms.toFixed(3)}ms` : `${(ms / 1000).toFixed(3)}s`;
}

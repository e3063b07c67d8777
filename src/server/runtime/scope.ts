// The execution scope of one function call, carried by AsyncLocalStorage through every await.
// Globals consult it: inside a query or mutation `Date.now()` and `new Date()` are frozen at the
// call's start, `Math.random()` is seeded per call, `fetch` and timers are refused; in every
// kind of function `console.*` becomes log lines. Outside any call the real globals answer, so
// the server's own code is unaffected.

import { currentCallContext, runWithCallContext } from "../call-context.js";
import type { FunctionKind } from "../../functions/reference.js";
import { installScopedConsole, type ConsoleScope } from "./console.js";
import { newSeed, seededRandom } from "./random.js";

/** One function call in progress. */
export interface ExecutionScope extends ConsoleScope {
  readonly kind: FunctionKind;
  readonly name: string;
  /** Frozen `Date.now()` for queries and mutations. */
  readonly now: number;
  readonly random: () => number;
  /** The call asked who is calling (its result may depend on the identity's claims). */
  usedIdentity: boolean;
}

const INSTALLED = Symbol.for("syncline.scopeGlobalsInstalled");

const realNow = Date.now;
const realRandom = Math.random;

/** The scope of the call running now, if any. */
export function currentScope(): ExecutionScope | undefined {
  // Only this module stores scopes in the call context.
  return currentCallContext()?.scope as ExecutionScope | undefined;
}

/**
 * Makes a scope for a call that starts now. `now` is the time a query or mutation sees (the
 * server's clock: real time, or a test's clock it moves by hand).
 */
export function newScope(kind: FunctionKind, name: string, now: number = realNow()): ExecutionScope {
  if (kind === "action") return { kind, name, now: realNow(), random: realRandom, logLines: [], usedIdentity: false };
  // The seeded generator is made on the first Math.random() call: most functions never call it.
  let seeded: (() => number) | undefined;
  return { kind, name, now, random: () => (seeded ??= seededRandom(newSeed()))(), logLines: [], usedIdentity: false };
}

/** Runs `fn` inside `scope` (the globals answer for that call until its last await). */
export function runInScope<T>(scope: ExecutionScope, fn: () => T): T {
  installScopedGlobals();
  // A write transaction's function stays one inside the call it runs.
  return runWithCallContext({ scope, insideWrite: currentCallContext()?.insideWrite === true }, fn);
}

/** Runs `fn` outside any call's scope (for server code reached from inside a handler). */
export function runOutsideScope<T>(fn: () => T): T {
  const context = currentCallContext();
  if (context?.scope === undefined) return fn();
  // Outside the call, still inside its write transaction (if any): a db.write() from here would wait for it.
  return runWithCallContext({ scope: undefined, insideWrite: context.insideWrite }, fn);
}

function deterministicScope(): ExecutionScope | undefined {
  const scope = currentScope();
  return scope !== undefined && scope.kind !== "action" ? scope : undefined;
}

function refuse(what: string): Error {
  const scope = currentScope()!;
  return new Error(
    `${what} is not allowed in ${scope.kind === "query" ? "queries" : "mutations"} (${scope.name}): they must be deterministic. ` +
      `Call it from an action instead (actions may use fetch and timers, and reach data through ctx.runQuery / ctx.runMutation).`,
  );
}

/** Patches the globals once per process. Idempotent. */
function installScopedGlobals(): void {
  const globals = globalThis as typeof globalThis & { [INSTALLED]?: boolean };
  if (globals[INSTALLED]) return;
  globals[INSTALLED] = true;

  Date.now = () => deterministicScope()?.now ?? realNow();
  const RealDate = Date;
  globals.Date = new Proxy(RealDate, {
    construct(target, args, newTarget) {
      const scope = args.length === 0 ? deterministicScope() : undefined;
      return Reflect.construct(target, scope ? [scope.now] : args, newTarget === globals.Date ? target : newTarget);
    },
    apply(target, thisArg, args) {
      const scope = deterministicScope();
      return scope ? new RealDate(scope.now).toString() : Reflect.apply(target, thisArg, args);
    },
  });
  Math.random = () => currentScope()?.random() ?? realRandom();

  const realFetch = globalThis.fetch;
  if (realFetch) {
    globals.fetch = (...args: Parameters<typeof fetch>) =>
      deterministicScope() ? Promise.reject(refuse("fetch")) : realFetch(...args);
  }
  for (const timer of ["setTimeout", "setInterval", "setImmediate"] as const) {
    const real = globals[timer] as (...args: unknown[]) => unknown;
    (globals as Record<string, unknown>)[timer] = Object.assign(
      function scopedTimer(this: unknown, ...args: unknown[]) {
        if (deterministicScope()) throw refuse(timer);
        return real.apply(this, args);
      },
      real,
    );
  }

  installScopedConsole(() => currentScope());
}

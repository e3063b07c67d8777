// Name resolution (protocol.md §12): which function a caller means, and whether it may call it.

import { closestNames, oneOf } from "../../functions/closest-names.js";
import { canonicalizeName } from "../../functions/names.js";
import type { FunctionKind } from "../../functions/reference.js";
import type { LoadedFunction, LoadedModules } from "./load.js";

/** Who is calling: a client (public functions only) or trusted server code (everything). */
export type CallOrigin = "client" | "server";

/** A call the runtime refuses before running anything. */
export class FunctionNotCallableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "FunctionNotCallableError";
  }
}

const KIND_NAMES: Record<FunctionKind, string> = { query: "Query", mutation: "Mutation", action: "Action" };

/**
 * Finds the function `name` (any written form) for a call as `kind`. A client asking for an
 * internal function gets exactly the message of a missing one, so it cannot learn it exists.
 * With `suggest` (never in production) the message of a missing one names the closest functions
 * `origin` may call: for a client public ones only, so a suggestion reveals no internal name.
 *
 * @example
 * resolveFunction(modules, "messages:lst", "query", "client", true)
 * // throws "Could not find public function for 'messages:lst'. Did you mean messages:list?"
 */
export function resolveFunction(modules: LoadedModules, name: string, kind: FunctionKind, origin: CallOrigin, suggest = false): LoadedFunction {
  const canonical = canonicalizeName(name);
  const found = modules.functions.get(canonical);
  if (found === undefined || (origin === "client" && found.definition.visibility !== "public")) {
    const missing = origin === "client" ? `Could not find public function for '${canonical}'.` : `Could not find function for '${canonical}'.`;
    const suggestions = suggest ? closestCallable(modules, name, origin) : [];
    throw new FunctionNotCallableError(suggestions.length > 0 ? `${missing} Did you mean ${oneOf(suggestions)}?` : missing);
  }
  if (found.definition.kind !== kind) {
    throw new FunctionNotCallableError(
      `Trying to execute ${canonical} as ${KIND_NAMES[kind]}, but it is defined as ${KIND_NAMES[found.definition.kind]}.`,
    );
  }
  return found;
}

/**
 * The functions `origin` may call whose names are closest to `written`. A name written the way
 * the api object spells it (`messages.send`, `api.foo.bar.baz`) is read as `messages:send`,
 * `foo/bar:baz` first: that is a slip of notation, not a typo.
 */
function closestCallable(modules: LoadedModules, written: string, origin: CallOrigin): string[] {
  const callable: string[] = [];
  for (const fn of modules.functions.values()) if (origin === "server" || fn.definition.visibility === "public") callable.push(fn.name);
  const dotted = written.includes(":") || !written.includes(".") ? undefined : written.replace(/^(api|internal)\./, "").split(".");
  const meant = dotted !== undefined && dotted.length > 1 ? `${dotted.slice(0, -1).join("/")}:${dotted[dotted.length - 1]}` : canonicalizeName(written);
  return callable.includes(meant) ? [meant] : closestNames(meant, callable);
}

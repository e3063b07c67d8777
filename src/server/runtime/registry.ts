// Name resolution (protocol.md §12): which function a caller means, and whether it may call it.

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
 */
export function resolveFunction(modules: LoadedModules, name: string, kind: FunctionKind, origin: CallOrigin): LoadedFunction {
  const canonical = canonicalizeName(name);
  const found = modules.functions.get(canonical);
  if (found === undefined || (origin === "client" && found.definition.visibility !== "public")) {
    throw new FunctionNotCallableError(
      origin === "client" ? `Could not find public function for '${canonical}'.` : `Could not find function for '${canonical}'.`,
    );
  }
  if (found.definition.kind !== kind) {
    throw new FunctionNotCallableError(
      `Trying to execute ${canonical} as ${KIND_NAMES[kind]}, but it is defined as ${KIND_NAMES[found.definition.kind]}.`,
    );
  }
  return found;
}

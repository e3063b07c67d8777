// An untyped api object in which every path is a reference: `anyApi.plans.markPro` names
// `plans:markPro`. The server bundles user code against it instead of the generated `api.ts`,
// so loading never depends on codegen having run; server-side calls resolve by name and the
// runtime checks kind there. Client code uses the generated, typed `api` instead.

import { canonicalizeName } from "./names.js";
import { FUNCTION_NAME, REFERENCE } from "./reference.js";

function node(path: string[]): object {
  return new Proxy(
    {},
    {
      get(_target, property) {
        if (property === REFERENCE) return path.length >= 2 ? true : undefined;
        if (property === FUNCTION_NAME) {
          if (path.length < 2) throw new Error(`anyApi.${path.join(".")} is a module path, not a function.`);
          return canonicalizeName(`${path.slice(0, -1).join("/")}:${path[path.length - 1]}`);
        }
        if (typeof property === "symbol" || property === "then") return undefined;
        return node([...path, property]);
      },
    },
  );
}

/** Untyped references by path, for server-side code. */
export const anyApi: Record<string, unknown> = node([]) as Record<string, unknown>;

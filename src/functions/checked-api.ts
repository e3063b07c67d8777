// The generated `api` and `internal` objects, checked at run time: a name the tree does not have
// (`api.messages.sned`, from plain JavaScript, a cast, or a stale generated file) gives a marker
// that remembers the path instead of `undefined`, so the client can say which path was wrong and
// which one is closest ("api.messages.sned does not exist; did you mean api.messages.send?").
// The types are those of the tree itself: unknown names stay compile errors.

import { closestNames, oneOf } from "./closest-names.js";
import { isFunctionReference, MISSING_PATH } from "./reference.js";

// Names other code probes objects for (promises, JSON, test matchers, the DOM): they must stay
// undefined, or an api namespace would look like a thenable or a DOM node to them.
const PROBES = new Set(["then", "toJSON", "asymmetricMatch", "nodeType"]);

const isPathName = (property: string | symbol): property is string =>
  typeof property === "string" && /^[A-Za-z]\w*$/.test(property) && !PROBES.has(property);

/**
 * Used by generated `api.ts`: returns `tree` (same type, same contents) whose namespaces answer an
 * unknown name with a marker the client turns into a "did you mean" error.
 *
 * @example
 * export const api = checkedApi("api", { messages: { send: referenceFor<typeof m.send>("mutation", "public", "messages:send") } });
 * client.mutation((api.messages as any).sned, {}); // TypeError: api.messages.sned does not exist; did you mean api.messages.send?
 */
export function checkedApi<T extends object>(root: string, tree: T): T {
  const paths: string[] = [];
  const wrap = (node: object, path: string): object => {
    for (const [key, child] of Object.entries(node)) {
      if (isFunctionReference(child)) paths.push(`${path}.${key}`);
      else if (typeof child === "object" && child !== null) (node as Record<string, unknown>)[key] = wrap(child, `${path}.${key}`);
    }
    return new Proxy(node, {
      get: (target, property, receiver) =>
        property in target || !isPathName(property) ? Reflect.get(target, property, receiver) : missing(`${path}.${property}`),
    });
  };
  const missing = (path: string): object =>
    new Proxy(
      {},
      {
        get(_target, property) {
          if (property !== MISSING_PATH) return isPathName(property) ? missing(`${path}.${property}`) : undefined;
          const close = closestNames(path, paths);
          return close.length > 0
            ? `${path} does not exist; did you mean ${oneOf(close)}?`
            : `${path} does not exist in the generated ${root} (syncline dev and syncline codegen add new functions to it).`;
        },
      },
    );
  return wrap(tree, root) as T;
}

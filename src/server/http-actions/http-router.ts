// `httpRouter`: the routes of the site port, the default export of `http.ts`. Exact paths win
// over prefixes, longer prefixes over shorter ones; a path that exists with other methods is a
// 405 with `Allow`, anything else a 404. Routes are checked as they are added, so a bad route is
// a load error of `http.ts` naming it.

import { isHttpAction, type PublicHttpAction } from "./http-action.js";

const HTTP_ROUTER = Symbol.for("syncline.HttpRouter");

/** The methods a route may answer. HEAD is answered by the GET route. */
export const ROUTABLE_METHODS = ["GET", "POST", "PUT", "DELETE", "OPTIONS", "PATCH"] as const;
export type RoutableMethod = (typeof ROUTABLE_METHODS)[number];

/** One route: an exact `path` or a `pathPrefix` (ending in "/"), a method and its handler. */
export type RouteSpec =
  | { path: string; pathPrefix?: undefined; method: RoutableMethod; handler: PublicHttpAction }
  | { pathPrefix: string; path?: undefined; method: RoutableMethod; handler: PublicHttpAction };

/** What a request's path and method lead to. */
export type RouteMatch =
  | { found: true; handler: PublicHttpAction; /** `POST /postMessage` or `GET /files/*`, for logs. */ route: string }
  | { found: false; status: 404 }
  | { found: false; status: 405; allow: string[] };

interface PrefixRoute {
  prefix: string;
  method: RoutableMethod;
  handler: PublicHttpAction;
}

/** The routes of `http.ts`. Make one with `httpRouter()`. */
export class HttpRouter {
  readonly [HTTP_ROUTER] = true as const;
  readonly #exact = new Map<string, Map<RoutableMethod, PublicHttpAction>>();
  /** Longest prefix first. */
  readonly #prefixes: PrefixRoute[] = [];

  /**
   * Adds a route. Throws (a load error of `http.ts`) for a path outside the site (`/api/...`),
   * an unknown method, a handler that is not an `httpAction`, or a route defined twice.
   *
   * @example
   * http.route({ path: "/postMessage", method: "POST", handler: postMessage });
   * http.route({ pathPrefix: "/getAuthorMessages/", method: "GET", handler: getByAuthorPathSuffix });
   */
  route(spec: RouteSpec): void {
    const where = spec.path !== undefined ? spec.path : `${spec.pathPrefix}*`;
    const label = `${String(spec.method)} ${where}`;
    if (!ROUTABLE_METHODS.includes(spec.method)) {
      throw new Error(`http.route(${label}): method must be one of ${ROUTABLE_METHODS.join(", ")}.`);
    }
    if (!isHttpAction(spec.handler)) throw new Error(`http.route(${label}): handler must be httpAction(async (ctx, request) => ...).`);
    if ((spec.path === undefined) === (spec.pathPrefix === undefined)) {
      throw new Error(`http.route(${label}): give exactly one of path or pathPrefix.`);
    }
    if (spec.path !== undefined) {
      checkSitePath(spec.path, label);
      const methods = this.#exact.get(spec.path) ?? new Map<RoutableMethod, PublicHttpAction>();
      if (methods.has(spec.method)) throw new Error(`http.route(${label}): this path and method are already routed.`);
      methods.set(spec.method, spec.handler);
      this.#exact.set(spec.path, methods);
      return;
    }
    const prefix = spec.pathPrefix;
    checkSitePath(prefix, label);
    if (!prefix.endsWith("/")) throw new Error(`http.route(${label}): pathPrefix must end with "/".`);
    if (this.#prefixes.some((route) => route.prefix === prefix && route.method === spec.method)) {
      throw new Error(`http.route(${label}): this prefix and method are already routed.`);
    }
    this.#prefixes.push({ prefix, method: spec.method, handler: spec.handler });
    this.#prefixes.sort((a, b) => b.prefix.length - a.prefix.length);
  }

  /**
   * Every route as `[path or prefix*, method]`, exact paths first.
   *
   * @example
   * http.getRoutes() // [["/postMessage", "POST"], ["/getAuthorMessages/*", "GET"]]
   */
  getRoutes(): [string, RoutableMethod][] {
    const exact = [...this.#exact].flatMap(([path, methods]) => [...methods.keys()].map((method): [string, RoutableMethod] => [path, method]));
    return [...exact, ...this.#prefixes.map((route): [string, RoutableMethod] => [`${route.prefix}*`, route.method])];
  }

  /**
   * The handler for a request, or why there is none.
   *
   * @example
   * http.lookup("/postMessage", "POST") // { found: true, handler, route: "POST /postMessage" }
   * http.lookup("/postMessage", "GET")  // { found: false, status: 405, allow: ["POST"] }
   */
  lookup(path: string, method: string): RouteMatch {
    const wanted = method === "HEAD" ? "GET" : method;
    const exact = this.#exact.get(path);
    const exactHandler = exact?.get(wanted as RoutableMethod);
    if (exactHandler) return { found: true, handler: exactHandler, route: `${method} ${path}` };
    const prefixes = this.#prefixes.filter((route) => path.startsWith(route.prefix));
    const prefixRoute = prefixes.find((route) => route.method === wanted);
    if (prefixRoute) return { found: true, handler: prefixRoute.handler, route: `${method} ${prefixRoute.prefix}*` };
    const allowed = new Set<string>([...(exact?.keys() ?? []), ...prefixes.map((route) => route.method)]);
    if (allowed.size === 0) return { found: false, status: 404 };
    if (allowed.has("GET")) allowed.add("HEAD");
    return { found: false, status: 405, allow: [...allowed].sort() };
  }
}

/** The site serves everything except `/api/`, which belongs to the API port. */
function checkSitePath(path: unknown, label: string): asserts path is string {
  if (typeof path !== "string" || !path.startsWith("/")) throw new Error(`http.route(${label}): paths start with "/".`);
  if (path === "/api" || path.startsWith("/api/")) {
    throw new Error(`http.route(${label}): paths under /api/ are reserved for the function API; choose another path.`);
  }
}

/**
 * Makes the router `http.ts` default-exports.
 *
 * @example
 * const http = httpRouter();
 * http.route({ path: "/", method: "GET", handler: httpAction(async (ctx, request) => new Response(`Hello from ${request.url}`)) });
 * export default http;
 */
export function httpRouter(): HttpRouter {
  return new HttpRouter();
}

/** True for a router made by `httpRouter()` (from any copy of Syncline). */
export function isHttpRouter(value: unknown): value is HttpRouter {
  return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[HTTP_ROUTER] === true;
}

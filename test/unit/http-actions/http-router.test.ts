import { describe, expect, it } from "vitest";
import { httpAction } from "../../../src/server/http-actions/http-action.js";
import { httpRouter, isHttpRouter } from "../../../src/server/http-actions/http-router.js";

const handler = () => httpAction(async () => new Response("ok"));

describe("httpRouter", () => {
  it("prefers exact paths, then the longest prefix, per method", () => {
    const http = httpRouter();
    const [exact, short, long, post] = [handler(), handler(), handler(), handler()];
    http.route({ path: "/files/readme", method: "GET", handler: exact });
    http.route({ pathPrefix: "/files/", method: "GET", handler: short });
    http.route({ pathPrefix: "/files/images/", method: "GET", handler: long });
    http.route({ pathPrefix: "/files/", method: "POST", handler: post });
    expect(http.lookup("/files/readme", "GET")).toEqual({ found: true, handler: exact, route: "GET /files/readme" });
    expect(http.lookup("/files/images/a.png", "GET")).toEqual({ found: true, handler: long, route: "GET /files/images/*" });
    expect(http.lookup("/files/other", "GET")).toEqual({ found: true, handler: short, route: "GET /files/*" });
    expect(http.lookup("/files/readme", "POST")).toEqual({ found: true, handler: post, route: "POST /files/*" });
    expect(http.lookup("/files/readme", "HEAD")).toMatchObject({ found: true, handler: exact });
    expect(http.lookup("/filesystem", "GET")).toEqual({ found: false, status: 404 });
    expect(http.lookup("/files/x", "DELETE")).toEqual({ found: false, status: 405, allow: ["GET", "HEAD", "POST"] });
    expect(http.getRoutes()).toEqual([
      ["/files/readme", "GET"],
      ["/files/images/*", "GET"],
      ["/files/*", "GET"],
      ["/files/*", "POST"],
    ]);
    expect(isHttpRouter(http)).toBe(true);
  });

  it("refuses routes under /api/, duplicates, bad paths, methods and handlers", () => {
    const http = httpRouter();
    http.route({ path: "/hook", method: "POST", handler: handler() });
    expect(() => http.route({ path: "/hook", method: "POST", handler: handler() })).toThrow("http.route(POST /hook): this path and method are already routed.");
    expect(() => http.route({ path: "/api/hook", method: "POST", handler: handler() })).toThrow(/paths under \/api\/ are reserved/);
    expect(() => http.route({ path: "/api", method: "GET", handler: handler() })).toThrow(/paths under \/api\/ are reserved/);
    expect(() => http.route({ pathPrefix: "/api/", method: "GET", handler: handler() })).toThrow(/paths under \/api\/ are reserved/);
    expect(() => http.route({ pathPrefix: "/p", method: "GET", handler: handler() })).toThrow(/pathPrefix must end with "\/"/);
    expect(() => http.route({ path: "relative", method: "GET", handler: handler() })).toThrow(/paths start with "\/"/);
    expect(() => http.route({ path: "/x", method: "TRACE" as never, handler: handler() })).toThrow(/method must be one of GET, POST, PUT, DELETE, OPTIONS, PATCH/);
    expect(() => http.route({ path: "/x", method: "GET", handler: (async () => new Response()) as never })).toThrow(/handler must be httpAction/);
    expect(() => http.route({ path: "/x", pathPrefix: "/y/", method: "GET", handler: handler() } as never)).toThrow(/exactly one of path or pathPrefix/);
    // "/apiary" is not under /api/.
    http.route({ path: "/apiary", method: "GET", handler: handler() });
  });

  it("httpAction wants a function", () => {
    expect(() => httpAction(undefined as never)).toThrow(/httpAction\(handler\) needs a handler function/);
  });
});

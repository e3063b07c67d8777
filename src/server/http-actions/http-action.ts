// `httpAction`: a handler from a Web-standard Request to a Response, routed by `http.ts`. It is
// not a function of the api (clients reach it by URL on the site port, not by reference), so it
// carries its own marker rather than the registered-function one.

import type { AnyDataModel, GenericDataModel } from "../define/data-model.js";
import type { GenericHttpActionCtx } from "../define/context.js";

const HTTP_ACTION = Symbol.for("syncline.HttpAction");

/** What an HTTP action does with a request. */
export type HttpActionHandler<DM extends GenericDataModel = AnyDataModel> = (ctx: GenericHttpActionCtx<DM>, request: Request) => Promise<Response>;

/** An HTTP action, ready to be routed with `http.route({ ..., handler })`. */
export interface PublicHttpAction {
  readonly [HTTP_ACTION]: true;
  /** The handler; the server calls it with the action context and the request. */
  readonly handler: (ctx: never, request: Request) => Promise<Response>;
}

/** `httpAction` typed for a data model (generated `_generated/server.ts` re-exports it). */
export type HttpActionBuilder<DM extends GenericDataModel> = (handler: HttpActionHandler<DM>) => PublicHttpAction;

/**
 * Defines an HTTP action. It runs like an action (real time, `fetch` allowed, no `ctx.db`) and
 * reaches data through `ctx.runQuery` / `ctx.runMutation` / `ctx.runAction`, internal
 * functions included.
 *
 * @example
 * export const postMessage = httpAction(async (ctx, request) => {
 *   const { author, body } = await request.json();
 *   await ctx.runMutation(internal.messages.sendOne, { author, body });
 *   return new Response(null, { status: 200 });
 * });
 */
export const httpAction: HttpActionBuilder<AnyDataModel> = (handler) => {
  if (typeof handler !== "function") throw new TypeError("httpAction(handler) needs a handler function: async (ctx, request) => new Response(...).");
  return Object.freeze({ [HTTP_ACTION]: true as const, handler: handler as PublicHttpAction["handler"] });
};

/** True for an HTTP action (from any copy of Syncline). */
export function isHttpAction(value: unknown): value is PublicHttpAction {
  return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[HTTP_ACTION] === true;
}

import type { GenericDataModel } from "./data-model.js";
import { httpAction, type HttpActionBuilder } from "../http-actions/http-action.js";
import {
  action,
  internalAction,
  internalMutation,
  internalQuery,
  mutation,
  query,
  type ActionBuilder,
  type MutationBuilder,
  type QueryBuilder,
} from "./registration.js";

/**
 * The builders typed for a data model; generated `_generated/server.ts` calls it with the
 * project's `DataModel` so handlers see typed `ctx.db`. Same functions, narrower types.
 */
export function buildersFor<DM extends GenericDataModel>(): {
  query: QueryBuilder<DM, "public">;
  internalQuery: QueryBuilder<DM, "internal">;
  mutation: MutationBuilder<DM, "public">;
  internalMutation: MutationBuilder<DM, "internal">;
  action: ActionBuilder<DM, "public">;
  internalAction: ActionBuilder<DM, "internal">;
  httpAction: HttpActionBuilder<DM>;
} {
  const same = <B>(builder: unknown) => builder as B;
  return {
    query: same(query),
    internalQuery: same(internalQuery),
    mutation: same(mutation),
    internalMutation: same(internalMutation),
    action: same(action),
    internalAction: same(internalAction),
    httpAction: same(httpAction),
  };
}

import type { AnyDataModel, GenericDataModel } from "./data-model.js";
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
 * project's `DataModel` so handlers see typed `ctx.db`. Same functions, narrower types. Without
 * a type argument the data model is that of a project without a schema (any table, any fields).
 */
export function buildersFor<DM extends GenericDataModel = AnyDataModel>(): {
  query: QueryBuilder<DM, "public">;
  internalQuery: QueryBuilder<DM, "internal">;
  mutation: MutationBuilder<DM, "public">;
  internalMutation: MutationBuilder<DM, "internal">;
  action: ActionBuilder<DM, "public">;
  internalAction: ActionBuilder<DM, "internal">;
  httpAction: HttpActionBuilder<DM>;
} {
  // The type arguments are spelled out: inferred from the return type instead, TypeScript
  // instantiates the builders' generic signatures with their constraints, and the result no
  // longer matches the generic builder types.
  const same = <B>(builder: unknown) => builder as B;
  return {
    query: same<QueryBuilder<DM, "public">>(query),
    internalQuery: same<QueryBuilder<DM, "internal">>(internalQuery),
    mutation: same<MutationBuilder<DM, "public">>(mutation),
    internalMutation: same<MutationBuilder<DM, "internal">>(internalMutation),
    action: same<ActionBuilder<DM, "public">>(action),
    internalAction: same<ActionBuilder<DM, "internal">>(internalAction),
    httpAction: same<HttpActionBuilder<DM>>(httpAction),
  };
}

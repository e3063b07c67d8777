// Names Convex code imports from "convex/server" for types Syncline has under its own names, so
// an app whose imports were rewritten to "syncline/server" compiles unchanged.

import type { Crons } from "../crons/cron-jobs.js";
import { httpAction } from "../http-actions/http-action.js";
import { ROUTABLE_METHODS } from "../http-actions/http-router.js";
import { action, internalAction, internalMutation, internalQuery, mutation, query } from "./registration.js";
import type { DocumentOf, FieldTypeFromPath, GenericDataModel, GenericTableInfo } from "./data-model.js";
import type { DatabaseReader, DatabaseWriter } from "./database.js";

export type { FunctionReference, FunctionReturnType } from "../../functions/reference.js";

/** Convex's name for `DatabaseReader`. */
export type GenericDatabaseReader<DM extends GenericDataModel> = DatabaseReader<DM>;
/** Convex's name for `DatabaseWriter`. */
export type GenericDatabaseWriter<DM extends GenericDataModel> = DatabaseWriter<DM>;
/** Convex's name for `DocumentOf`: the document type of a table. */
export type DocumentByInfo<TI extends GenericTableInfo> = DocumentOf<TI>;
/** Convex's name for `FieldTypeFromPath`. */
export type FieldTypeFromFieldPath<Doc, Path extends string> = FieldTypeFromPath<Doc, Path>;
/** Convex's name for the type of `cronJobs()`. */
export type CronJobs = Crons;
/** Flattens an intersection into one object type (for readable hover types). */
export type Expand<T> = T extends object ? { [K in keyof T]: T[K] } : T;

// The builders under the names Convex's own generated code imports them by.
/** Convex's name for `query`. */
export const queryGeneric = query;
/** Convex's name for `mutation`. */
export const mutationGeneric = mutation;
/** Convex's name for `action`. */
export const actionGeneric = action;
/** Convex's name for `internalQuery`. */
export const internalQueryGeneric = internalQuery;
/** Convex's name for `internalMutation`. */
export const internalMutationGeneric = internalMutation;
/** Convex's name for `internalAction`. */
export const internalActionGeneric = internalAction;
/** Convex's name for `httpAction`. */
export const httpActionGeneric = httpAction;
/** Convex's name for `ROUTABLE_METHODS`. */
export const ROUTABLE_HTTP_METHODS = ROUTABLE_METHODS;

// The `ctx` objects handlers receive.

import type {
  AnyFunctionReference,
  FunctionReference,
  FunctionReturnType,
  FunctionVisibility,
  OptionalRestArgs,
} from "../../functions/reference.js";
import type { GenericDataModel } from "./data-model.js";
import type { DatabaseReader, DatabaseWriter } from "./database.js";

/** Who is calling, from a verified token (see the authentication docs). */
export interface UserIdentity {
  /** Unique across providers: `<issuer>|<subject>`. */
  readonly tokenIdentifier: string;
  readonly subject: string;
  readonly issuer: string;
  readonly name?: string;
  readonly givenName?: string;
  readonly familyName?: string;
  readonly nickname?: string;
  readonly preferredUsername?: string;
  readonly pictureUrl?: string;
  readonly email?: string;
  readonly emailVerified?: boolean;
  readonly phoneNumber?: string;
  readonly phoneNumberVerified?: boolean;
  readonly updatedAt?: string;
  readonly [claim: string]: unknown;
}

/** `ctx.auth`. */
export interface Auth {
  /** The caller's identity, or null for anonymous calls. */
  getUserIdentity(): Promise<UserIdentity | null>;
}

/** `ctx` of a query. */
export interface GenericQueryCtx<DM extends GenericDataModel> {
  db: DatabaseReader<DM>;
  auth: Auth;
}

/** `ctx` of a mutation. */
export interface GenericMutationCtx<DM extends GenericDataModel> {
  db: DatabaseWriter<DM>;
  auth: Auth;
}

type Callable<Kind extends "query" | "mutation" | "action"> = FunctionReference<Kind, FunctionVisibility>;

/** `ctx` of an action: no database, but it may call other functions (each its own transaction). */
export interface GenericActionCtx<DM extends GenericDataModel> {
  runQuery<Q extends Callable<"query">>(query: Q, ...args: OptionalRestArgs<Q>): Promise<FunctionReturnType<Q>>;
  runMutation<M extends Callable<"mutation">>(mutation: M, ...args: OptionalRestArgs<M>): Promise<FunctionReturnType<M>>;
  runAction<A extends Callable<"action">>(action: A, ...args: OptionalRestArgs<A>): Promise<FunctionReturnType<A>>;
  auth: Auth;
  /** Phantom: ties the context to its data model (actions reach data through runQuery). */
  readonly _dataModel?: DM;
}

export type { AnyFunctionReference };

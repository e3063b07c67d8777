// The builders (`query`, `mutation`, `action` and their internal twins). Each returns a
// registered function: plain data recording kind, visibility, validators and handler, which the
// runtime executes and the code generator turns into references.

import type { DefaultArgs, FunctionKind, FunctionVisibility } from "../../functions/reference.js";
import {
  asObjectValidator,
  type GenericValidator,
  type Infer,
  type ObjectType,
  type PropertyValidators,
} from "../../values/validators.js";
import type { AnyDataModel, GenericDataModel } from "./data-model.js";
import type { GenericActionCtx, GenericMutationCtx, GenericQueryCtx } from "./context.js";

const REGISTERED = Symbol.for("syncline.RegisteredFunction");

/** A function as the builders record it. */
export interface RegisteredFunction<
  Kind extends FunctionKind,
  Visibility extends FunctionVisibility,
  Args extends DefaultArgs,
  Returns,
> {
  readonly [REGISTERED]: true;
  readonly kind: Kind;
  readonly visibility: Visibility;
  /** The object validator for the arguments; undefined when the function takes any arguments. */
  readonly args: GenericValidator | undefined;
  readonly returns: GenericValidator | undefined;
  /** The handler; the runtime calls it with the right context. */
  readonly handler: (ctx: never, args: never) => unknown;
  /** Phantom: argument type. */
  readonly _args?: Args;
  /** Phantom: result type. */
  readonly _returns?: Returns;
}

export type RegisteredQuery<V extends FunctionVisibility, Args extends DefaultArgs, Returns> = RegisteredFunction<"query", V, Args, Returns>;
export type RegisteredMutation<V extends FunctionVisibility, Args extends DefaultArgs, Returns> = RegisteredFunction<"mutation", V, Args, Returns>;
export type RegisteredAction<V extends FunctionVisibility, Args extends DefaultArgs, Returns> = RegisteredFunction<"action", V, Args, Returns>;
export type AnyRegisteredFunction = RegisteredFunction<FunctionKind, FunctionVisibility, DefaultArgs, unknown>;

/** True for a registered function (from any copy of Syncline). */
export function isRegisteredFunction(value: unknown): value is AnyRegisteredFunction {
  return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[REGISTERED] === true;
}

/** What `args` may be: field validators or one object validator. */
export type ArgsValidator = PropertyValidators | GenericValidator;

/** The handler's argument type for an `args` validator. */
export type ArgsFor<A extends ArgsValidator> = A extends GenericValidator
  ? Infer<A> extends DefaultArgs
    ? NoFieldsMeansEmpty<Infer<A>>
    : never
  : A extends PropertyValidators
    ? NoFieldsMeansEmpty<ObjectType<A>>
    : never;

/**
 * `args: {}` declares that a function takes no arguments. As a type, `{}` would accept any object
 * (TypeScript checks no extra fields against it), so callers passing arguments would only hear of
 * it at run time; `Record<string, never>` refuses them. Union members are checked one by one.
 */
type NoFieldsMeansEmpty<T> = T extends unknown ? ([keyof T] extends [never] ? Record<string, never> : T) : never;

/**
 * What a handler may return under a `returns` validator. A handler that returns nothing (`void`,
 * `Promise<void>`) is fine whenever `null` is: the runtime sends `undefined` as `null` and checks
 * that against the validator.
 */
type ReturnFor<R extends GenericValidator | undefined> = R extends GenericValidator ? OrVoid<Infer<R>> | Promise<OrVoid<Infer<R>>> : unknown;
type OrVoid<T> = null extends T ? T | void : T;
type ResultFor<R extends GenericValidator | undefined, Out> = R extends GenericValidator ? Infer<R> : Awaited<Out>;

/** The handler's argument type: from `args` when there is one, else the handler's annotation. */
type HandlerArgs<A extends ArgsValidator | undefined, Args extends DefaultArgs> = A extends ArgsValidator ? ArgsFor<A> : Args;

/**
 * A function definition. With `args`, the handler's args are typed from the validators; without,
 * any arguments are accepted, typed by the handler's annotation. With `returns`, the handler's
 * result must match it.
 */
export interface FunctionDefinition<
  Ctx,
  A extends ArgsValidator | undefined,
  R extends GenericValidator | undefined,
  Args extends DefaultArgs,
  Out,
> {
  args?: A;
  returns?: R;
  handler: (ctx: Ctx, args: HandlerArgs<A, Args>) => Out;
}

/**
 * A builder: takes a definition (or a bare handler) and returns a registered function.
 *
 * One signature, not one per form: when a call matches no overload, TypeScript reports the last
 * overload's complaint ("'args' does not exist in type '(ctx...) => unknown'") at the call instead
 * of the real problem (say, a handler returning the wrong type) at the handler.
 *
 * @example
 * const send: FunctionBuilder<"mutation", "public", MutationCtx> = mutation;
 * send({ args: { body: v.string() }, returns: v.null(), handler: async (ctx, { body }) => {} });
 */
export interface FunctionBuilder<Kind extends FunctionKind, Visibility extends FunctionVisibility, Ctx> {
  <
    A extends ArgsValidator | undefined = undefined,
    R extends GenericValidator | undefined = undefined,
    Args extends DefaultArgs = DefaultArgs,
    Out extends ReturnFor<R> = ReturnFor<R>,
  >(
    definition: FunctionDefinition<Ctx, A, R, Args, Out> | ((ctx: Ctx, args: Args) => Out),
  ): RegisteredFunction<Kind, Visibility, HandlerArgs<A, Args>, ResultFor<R, Out>>;
}

export type QueryBuilder<DM extends GenericDataModel, V extends FunctionVisibility> = FunctionBuilder<"query", V, GenericQueryCtx<DM>>;
export type MutationBuilder<DM extends GenericDataModel, V extends FunctionVisibility> = FunctionBuilder<"mutation", V, GenericMutationCtx<DM>>;
export type ActionBuilder<DM extends GenericDataModel, V extends FunctionVisibility> = FunctionBuilder<"action", V, GenericActionCtx<DM>>;

function builder<Kind extends FunctionKind, Visibility extends FunctionVisibility>(kind: Kind, visibility: Visibility) {
  type AnyDefinition = { args?: ArgsValidator; returns?: GenericValidator; handler: unknown };
  return (definition: AnyDefinition | ((ctx: never, args: never) => unknown)) => {
    const { args, returns, handler } = typeof definition === "function" ? { args: undefined, returns: undefined, handler: definition } : definition;
    if (typeof handler !== "function") throw new TypeError(`${kind} definition needs a handler function.`);
    const registered: AnyRegisteredFunction = {
      [REGISTERED]: true,
      kind,
      visibility,
      args: args === undefined ? undefined : asObjectValidator(args),
      returns,
      handler: handler as (ctx: never, args: never) => unknown,
    };
    return Object.freeze(registered);
  };
}

/**
 * Builders typed for a data model. Generated `_generated/server.ts` re-exports them with the
 * project's `DataModel`; these plain exports are typed for any data model.
 *
 * @example
 * export const list = query({ args: { room: v.string() }, handler: (ctx, { room }) => ... });
 */
export const query = builder("query", "public") as QueryBuilder<AnyDataModel, "public">;
export const internalQuery = builder("query", "internal") as QueryBuilder<AnyDataModel, "internal">;
export const mutation = builder("mutation", "public") as MutationBuilder<AnyDataModel, "public">;
export const internalMutation = builder("mutation", "internal") as MutationBuilder<AnyDataModel, "internal">;
export const action = builder("action", "public") as ActionBuilder<AnyDataModel, "public">;
export const internalAction = builder("action", "internal") as ActionBuilder<AnyDataModel, "internal">;

// Function references: what the generated `api` and `internal` objects hold and what every
// client API takes. They are real objects at run time (name, kind, visibility), so a client can
// refuse an internal or wrong-kind reference before anything is sent - not only phantom types.

import { canonicalizeName } from "./names.js";

export type FunctionKind = "query" | "mutation" | "action";
export type FunctionVisibility = "public" | "internal";

/** The arguments object every function takes. */
export type DefaultArgs = Record<string, unknown>;

// The official client reads a function's name from this registered symbol; carrying it makes
// Syncline references usable with it too.
export const FUNCTION_NAME = Symbol.for("functionName");
export const REFERENCE = Symbol.for("syncline.FunctionReference");
/** What a marker of a misspelled api path (see `checkedApi`) answers: the message saying so. */
export const MISSING_PATH = Symbol.for("syncline.missingApiPath");

/**
 * A reference to a function: its canonical name, its kind and its visibility, plus the types of
 * its arguments and result (phantom fields, for TypeScript only).
 */
export interface FunctionReference<
  Kind extends FunctionKind = FunctionKind,
  Visibility extends FunctionVisibility = FunctionVisibility,
  Args extends DefaultArgs = DefaultArgs,
  Returns = unknown,
> {
  readonly [REFERENCE]: true;
  readonly [FUNCTION_NAME]: string;
  /** The canonical name, `module/path:export`. */
  readonly name: string;
  readonly kind: Kind;
  readonly visibility: Visibility;
  /** Phantom: the argument type. */
  readonly _args?: Args;
  /** Phantom: the result type. */
  readonly _returns?: Returns;
}

/** Any reference. */
export type AnyFunctionReference = FunctionReference<FunctionKind, FunctionVisibility, DefaultArgs, unknown>;

/** The argument object type of a reference. */
export type FunctionArgs<R extends AnyFunctionReference> = NonNullable<R["_args"]>;

/** The result type of a reference (`undefined`/`void` become `null`, as on the wire). */
export type FunctionReturnType<R extends AnyFunctionReference> = R extends { readonly _returns?: infer Returns }
  ? NullForVoid<Returns>
  : never;

/** `undefined` and `void` travel as `null` (protocol.md §11.1). */
export type NullForVoid<T> = [T] extends [void] ? null : [undefined] extends [T] ? Exclude<T, undefined> | null : T;

type HasRequiredKeys<T> = {} extends T ? false : true;

/**
 * The rest parameters for calling a reference: the args object, optional when every field is.
 *
 * @example
 * function call<R extends AnyFunctionReference>(ref: R, ...args: OptionalRestArgs<R>) {}
 */
export type OptionalRestArgs<R extends AnyFunctionReference> =
  HasRequiredKeys<FunctionArgs<R>> extends true ? [args: FunctionArgs<R>] : [args?: FunctionArgs<R>];

/** Builds a reference. Generated `api.ts` uses it; application code should use `makeFunctionReference`. */
export function createFunctionReference<
  Kind extends FunctionKind,
  Visibility extends FunctionVisibility,
  Args extends DefaultArgs = DefaultArgs,
  Returns = unknown,
>(kind: Kind, visibility: Visibility, name: string): FunctionReference<Kind, Visibility, Args, Returns> {
  const canonical = canonicalizeName(name);
  return Object.freeze({
    [REFERENCE]: true as const,
    [FUNCTION_NAME]: canonical,
    name: canonical,
    kind,
    visibility,
  });
}

/**
 * The explicit escape hatch: a public reference to a function the generator did not see
 * (another deployment, a test). The server still decides what may be called.
 *
 * @example
 * const list = makeFunctionReference<"query", { room: string }, Message[]>("query", "messages:list");
 */
export function makeFunctionReference<Kind extends FunctionKind, Args extends DefaultArgs = DefaultArgs, Returns = unknown>(
  kind: Kind,
  name: string,
): FunctionReference<Kind, "public", Args, Returns> {
  return createFunctionReference<Kind, "public", Args, Returns>(kind, "public", name);
}

/** True for a Syncline function reference (from any copy of Syncline). */
export function isFunctionReference(value: unknown): value is AnyFunctionReference {
  return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[REFERENCE] === true;
}

/**
 * The canonical name of a reference.
 *
 * @example
 * getFunctionName(api.messages.list) // "messages:list"
 */
export function getFunctionName(reference: AnyFunctionReference): string {
  // Read through the symbol: `anyApi` references answer it, and so do the official client's.
  return reference[FUNCTION_NAME];
}

/**
 * Checks, at run time, that `reference` may be called from a client as `kind`; throws an error
 * that says why not. Types already refuse these cases; this catches casts and plain JS.
 */
export function assertClientReference(reference: unknown, kind: FunctionKind): asserts reference is AnyFunctionReference {
  if (typeof reference === "string") {
    throw new TypeError(
      `Expected a function reference such as api.module.fn, got the string ${JSON.stringify(reference)}. ` +
        `Use the generated api object (or makeFunctionReference for functions it does not know).`,
    );
  }
  const missing = typeof reference === "object" && reference !== null ? (reference as Record<symbol, unknown>)[MISSING_PATH] : undefined;
  if (typeof missing === "string") throw new TypeError(missing);
  if (!isFunctionReference(reference)) {
    throw new TypeError(`Expected a function reference such as api.module.fn, got ${typeof reference}.`);
  }
  if (reference.visibility !== "public") {
    throw new TypeError(
      `${reference.name} is an internal function: it can only be called from other functions, the scheduler or the CLI, never from a client.`,
    );
  }
  if (reference.kind !== kind) {
    const article = (word: string) => (word === "action" ? "an" : "a");
    throw new TypeError(`${reference.name} is ${article(reference.kind)} ${reference.kind}, but it was called as ${article(kind)} ${kind}.`);
  }
}


/** The reference type for a registered function (what generated `api.ts` declares). */
export type ReferenceTo<F> = F extends {
  readonly kind: infer Kind extends FunctionKind;
  readonly visibility: infer Visibility extends FunctionVisibility;
}
  ? FunctionReference<
      Kind,
      Visibility,
      F extends { readonly _args?: infer Args extends DefaultArgs } ? Args : DefaultArgs,
      F extends { readonly _returns?: infer Returns } ? Returns : unknown
    >
  : never;

/**
 * Used by generated `api.ts`: a reference typed from the registered function `F`. The kind and
 * visibility are checked against `F` by the compiler.
 */
export function referenceFor<F extends { readonly kind: FunctionKind; readonly visibility: FunctionVisibility }>(
  kind: F["kind"],
  visibility: F["visibility"],
  name: string,
): ReferenceTo<F> {
  return createFunctionReference(kind, visibility, name) as ReferenceTo<F>;
}

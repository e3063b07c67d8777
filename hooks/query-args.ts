// The argument shapes of the query hooks: `(ref)`, `(ref, args)`, `(ref, "skip")`, each with
// options last; args may be left out when every field is optional.

import type { FunctionArgs } from "../src/functions/reference.js";
import type { PublicQueryReference } from "../src/client/types.js";

/** Options of the query hooks. */
export interface QueryHookOptions {
  /** While new arguments load, keep showing the last result (marked as a placeholder). */
  keepPreviousData?: boolean;
  /** Keep the subscription and its result this long after the component unmounts. */
  staySubscribedMs?: number;
}

type HasRequiredKeys<T> = {} extends T ? false : true;

/** `args` (or "skip"), then options. */
export type QueryHookArgs<Q extends PublicQueryReference> =
  HasRequiredKeys<FunctionArgs<Q>> extends true
    ? [args: FunctionArgs<Q> | "skip", options?: QueryHookOptions]
    : [args?: FunctionArgs<Q> | "skip", options?: QueryHookOptions];

/** Splits hook arguments into args (undefined when skipped) and options. */
export function readHookArgs(rest: readonly unknown[]): { args: Record<string, unknown> | undefined; skip: boolean; options: QueryHookOptions } {
  const [args, options] = rest as [Record<string, unknown> | "skip" | undefined, QueryHookOptions | undefined];
  if (args === "skip") return { args: undefined, skip: true, options: options ?? {} };
  return { args: args ?? {}, skip: false, options: options ?? {} };
}

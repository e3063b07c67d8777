// Application errors: the one kind of error whose data reaches the caller (protocol.md §11.4).

import type { Value } from "./value.js";

// A registered symbol, not `instanceof`: the server and the user's bundled functions may each
// hold their own copy of this class, and an error must be recognised across both.
const APP_ERROR = Symbol.for("syncline.AppError");

/**
 * An error a function throws on purpose, with `data` that reaches the client intact.
 *
 * @example
 * throw new AppError({ code: "NOT_FOUND", id });
 * // client side:
 * catch (e) { if (isAppError(e)) console.log(e.data.code) }
 */
export class AppError<TData extends Value = Value> extends Error {
  readonly data: TData;
  readonly [APP_ERROR] = true;

  constructor(data: TData, message?: string) {
    super(message ?? messageFor(data));
    this.name = "AppError";
    this.data = data;
  }
}

/**
 * `AppError` under the name Convex code imports: `import { ConvexError } from "convex/values"`
 * becomes `"syncline/values"` and nothing else changes. One class with two names, so
 * `instanceof` works with either name, on the server and in the client.
 *
 * @example
 * throw new ConvexError({ code: "NOT_FOUND" });
 * catch (e) { if (e instanceof ConvexError) console.log(e.data) }
 */
export const ConvexError = AppError;
export type ConvexError<TData extends Value = Value> = AppError<TData>;

function messageFor(data: Value): string {
  if (typeof data === "string") return data;
  try {
    return JSON.stringify(data, (_key, value: unknown) => (typeof value === "bigint" ? `${value}n` : value)) ?? String(data);
  } catch {
    return "AppError";
  }
}

/** True for an `AppError` from any copy of Syncline. */
export function isAppError(error: unknown): error is AppError {
  return typeof error === "object" && error !== null && (error as Record<symbol, unknown>)[APP_ERROR] === true;
}

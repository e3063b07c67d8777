// Checking arguments and results against a function's validators, and making sure results are
// values at all (encodable within the limits) before they leave the function.

import { encodeValue } from "../../values/encoding.js";
import { validate } from "../../values/validate.js";
import type { GenericValidator } from "../../values/validators.js";
import type { JSONValue, Value } from "../../values/value.js";

/** Arguments that do not match the function's `args` validator. */
export class ArgumentValidationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ArgumentValidationError";
  }
}

/** A result that does not match `returns`, or is not a value. */
export class ReturnsValidationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ReturnsValidationError";
  }
}

/** Throws an `ArgumentValidationError` listing every problem with its path. */
export function checkArgs(name: string, validator: GenericValidator | undefined, args: Value): void {
  if (validator === undefined) return;
  const issues = validate(validator, args, "args");
  if (issues.length > 0) {
    throw new ArgumentValidationError(
      `ArgumentValidationError: invalid arguments for ${name}: ${issues.map((issue) => `${issue.path}: ${issue.message}`).join("; ")}`,
    );
  }
}

/**
 * Normalises a handler's result (`undefined` -> null) and checks it; throws `ReturnsValidationError`.
 * Returns the wire encoding too: checking that the result is a value encodes it anyway, and the
 * transports send exactly that.
 */
export function checkResult(name: string, validator: GenericValidator | undefined, result: unknown): { value: Value; encoded: JSONValue } {
  const value = result === undefined ? null : result;
  let encoded: JSONValue;
  try {
    encoded = encodeValue(value as Value, "result");
  } catch (error) {
    throw new ReturnsValidationError(`ReturnsValidationError: ${name} returned something that is not a value: ${(error as Error).message}`);
  }
  // Nothing returned under `returns: v.optional(...)` is what the validator allows; it still
  // travels as null.
  if (validator !== undefined && !(result === undefined && validator.isOptional === "optional")) {
    const issues = validate(validator, value, "result");
    if (issues.length > 0) {
      throw new ReturnsValidationError(
        `ReturnsValidationError: ${name} returned a value that does not match its returns validator: ` +
          issues.map((issue) => `${issue.path}: ${issue.message}`).join("; "),
      );
    }
  }
  return { value: value as Value, encoded };
}

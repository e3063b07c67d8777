// What a function call produced, in the form every transport sends: a value, or an error
// message with optional application data, and the call's log lines.

import { DatabaseUnavailableError } from "../db/connection-lost.js";
import { isAppError } from "../../values/app-error.js";
import { encodeValue } from "../../values/encoding.js";
import type { JSONValue, Value } from "../../values/value.js";
import { synclinePackage } from "./package-root.js";

export type Outcome =
  | {
      readonly ok: true;
      readonly value: Value;
      readonly logLines: string[];
      /** The value's wire encoding, when the runtime already made it (see `wireValue`). */
      readonly encoded?: JSONValue;
    }
  | {
      readonly ok: false;
      readonly message: string;
      readonly errorData?: Value;
      /** The database was out of reach past the engine's retries: the call may be sent again (HTTP answers 503). */
      readonly unavailable?: true;
      readonly logLines: string[];
      /** `errorData`'s wire encoding, when `failure` already made it (see `wireErrorData`). */
      readonly encodedErrorData?: JSONValue;
    };

/** A successful outcome's value in wire encoding, encoding it only if nobody did yet. */
export function wireValue(outcome: Outcome & { ok: true }): JSONValue {
  return outcome.encoded ?? encodeValue(outcome.value);
}

/** A failed outcome's application data in wire encoding (undefined without data). */
export function wireErrorData(outcome: Outcome & { ok: false }): JSONValue | undefined {
  if (outcome.errorData === undefined) return undefined;
  return outcome.encodedErrorData ?? encodeValue(outcome.errorData);
}

/** Turns a thrown value into a failed outcome (full detail; see `forClient` for redaction). */
export function failure(error: unknown, logLines: string[]): Outcome & { ok: false } {
  if (isAppError(error)) {
    // Encoded here, where the call fails: the transports send it later, outside any handler, and
    // data that is not a value would then leave the caller without an answer.
    let encodedErrorData: JSONValue;
    try {
      encodedErrorData = encodeValue(error.data, "data");
    } catch (encodingError) {
      return { ok: false, message: `Uncaught AppError whose data is not a value: ${(encodingError as Error).message}`, logLines };
    }
    return { ok: false, message: error.message, errorData: error.data, encodedErrorData, logLines };
  }
  if (error instanceof DatabaseUnavailableError) return { ok: false, message: error.message, unavailable: true, logLines };
  return { ok: false, message: describeError(error), logLines };
}

/**
 * What a client may see of an outcome. In production plain error messages become
 * `Server Error` and no log lines are sent; application error data is always delivered.
 */
export function forClient(outcome: Outcome, prod: boolean): Outcome {
  if (!prod) return outcome;
  if (outcome.ok) return { ...outcome, logLines: [] };
  if (outcome.errorData !== undefined) return { ...outcome, logLines: [] };
  return { ok: false, message: "Server Error", logLines: [] };
}

// Their message is the whole story (a full database's says the call may be retried): no frames.
const OWN_ERRORS = new Set(["ArgumentValidationError", "ReturnsValidationError", "FunctionNotCallableError", "StorageFullError"]);

/** `Uncaught TypeError: x is not a function` plus the user-code stack frames, as a console shows it. */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) {
    return `Uncaught ${typeof error === "string" ? error : (safeJson(error) ?? String(error))}`;
  }
  if (OWN_ERRORS.has(error.name)) return error.message;
  const ownCode = synclinePackage().root;
  const frames = (error.stack ?? "")
    .split("\n")
    .filter((line) => /^\s+at /.test(line) && !line.includes("node:") && !line.includes("node_modules") && !isOwnFrame(line, ownCode))
    .slice(0, 5);
  return [`Uncaught ${error.name}: ${error.message}`, ...frames].join("\n");
}

function isOwnFrame(line: string, root: string): boolean {
  return line.includes(`${root}/src/`) || line.includes(`${root}/dist/`);
}

function safeJson(value: unknown): string | undefined {
  try {
    return JSON.stringify(value);
  } catch {
    return undefined;
  }
}

import { expect } from "vitest";
import { ValueError } from "syncline/values";

/** Runs `fn`, expects a ValueError and returns it. */
export function valueError(fn: () => unknown): ValueError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ValueError);
    return error as ValueError;
  }
  throw new Error("expected a ValueError, nothing was thrown");
}

// `syncline/values`: the value model, its wire encoding, validators and application errors.

export type { Value, ValueObject, JSONValue } from "./value.js";
export { isPlainObject } from "./value.js";
export { encodeValue, decodeValue } from "./encoding.js";
// Convex's names for the same two functions (the wire encoding is the same).
export { encodeValue as convexToJson, decodeValue as jsonToConvex } from "./encoding.js";
export { compareValues } from "./compare.js";
export { AppError, ConvexError, isAppError } from "./app-error.js";
export { ValueError } from "./path.js";
export { LIMITS } from "./limits.js";
export { type Id, type GenericId, isIdOf, tableOfId } from "./id.js";
export {
  v,
  Validator,
  isValidator,
  asObjectValidator,
  type GenericValidator,
  type PropertyValidators,
  type ObjectType,
  type Infer,
  type Optionality,
  type ValidatorJSON,
  type ValidatorShape,
} from "./validators.js";
export { validate, matches, type ValidationIssue } from "./validate.js";

export {
  createFunctionReference,
  referenceFor,
  type ReferenceTo,
  makeFunctionReference,
  isFunctionReference,
  getFunctionName,
  assertClientReference,
  type FunctionReference,
  type AnyFunctionReference,
  type FunctionKind,
  type FunctionVisibility,
  type FunctionArgs,
  type FunctionReturnType,
  type OptionalRestArgs,
  type NullForVoid,
  type DefaultArgs,
} from "./reference.js";
export { canonicalizeName, splitName } from "./names.js";
export { checkedApi } from "./checked-api.js";
export type { PaginationOptions, PaginationResult } from "./pagination.js";

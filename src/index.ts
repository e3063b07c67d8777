// `syncline`: what client code imports. Function references now; the client and HTTP client
// join as they land.

export {
  makeFunctionReference,
  createFunctionReference,
  referenceFor,
  getFunctionName,
  isFunctionReference,
  type FunctionReference,
  type AnyFunctionReference,
  type FunctionKind,
  type FunctionVisibility,
  type FunctionArgs,
  type FunctionReturnType,
  type OptionalRestArgs,
  type ReferenceTo,
} from "./functions/index.js";
export { AppError, isAppError } from "./values/index.js";

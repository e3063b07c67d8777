// `syncline/server`: what functions code and server embedders import.

export * from "./define/index.js";
export { anyApi } from "../functions/any-api.js";

export * from "./messages.js";
export { encodeTimestamp, decodeTimestamp } from "./timestamp.js";

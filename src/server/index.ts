// `syncline/server`: what functions code and server embedders import.

export * from "./define/index.js";
export { anyApi } from "../functions/any-api.js";
export { startServer, type ServerOptions, type RunningServer } from "./start-server.js";
export { consoleLogger, silentLogger, type ServerLogger } from "./logger.js";

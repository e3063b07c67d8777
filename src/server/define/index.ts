export * from "./data-model.js";
export * from "./database.js";
export * from "./context.js";
export * from "./registration.js";
export * from "./schema.js";
export * from "./builders-for.js";
export * from "./system-tables.js";
export * from "./pagination.js";

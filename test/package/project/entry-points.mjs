// Loads every entry point, as ES modules and through require(), and reports how many exports
// each has and which globals loading them changed (package.json says "sideEffects": false).

import { createRequire } from "node:module";

const ENTRY_POINTS = ["syncline", "syncline/values", "syncline/server", "syncline/react", "syncline/tanstack", "syncline/devtools", "syncline/devtools/dom"];
const globals = () => ({
  names: Object.getOwnPropertyNames(globalThis).sort().join(),
  Date,
  "Date.now": Date.now,
  "Math.random": Math.random,
  fetch: globalThis.fetch,
  setTimeout,
  "console.log": console.log,
});

const before = globals();
const exports = {};
for (const name of ENTRY_POINTS) exports[name] = { esm: Object.keys(await import(name)).length };
const require = createRequire(import.meta.url);
for (const name of ENTRY_POINTS) exports[name].cjs = Object.keys(require(name)).length;
const after = globals();
const changedGlobals = Object.keys(before).filter((key) => before[key] !== after[key]);
console.log(JSON.stringify({ exports, changedGlobals }));

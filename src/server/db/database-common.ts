// Small pieces both engines' `Database` classes share: listener calls and schema requests.

import type { GenericSchema, SchemaDefinition } from "../define/schema.js";
import { tableNameProblem } from "../../values/limits.js";
import type { Commit } from "./types.js";
import type { SchemaState, TableShape } from "./validation.js";

/** Calls one commit listener, reporting (not throwing) its error so the others still run. */
export function notify(listener: (commit: Commit) => void, commit: Commit): void {
  try {
    listener(commit);
  } catch (error) {
    console.error("syncline: an onCommit listener threw", error);
  }
}

/** What `setSchema(schema)` installs, checked: the user tables, whether to validate, the new state. */
export interface SchemaRequest {
  tables: Map<string, TableShape>;
  validate: boolean;
  state: SchemaState;
}

/**
 * Checks a schema's table names and builds the state a `setSchema` installs; throws on a bad name.
 *
 * @example
 * const { tables, validate, state } = schemaStateFor(schema, current);
 */
export function schemaStateFor(schema: SchemaDefinition<GenericSchema> | undefined, current: SchemaState): SchemaRequest {
  const tables = new Map(Object.entries(schema?.tables ?? {}) as [string, TableShape][]);
  for (const name of tables.keys()) {
    const problem = tableNameProblem(name);
    if (problem !== undefined) throw new Error(`Invalid schema: ${problem}.`);
  }
  const validate = schema === undefined ? false : schema.schemaValidation !== false;
  const state: SchemaState = { user: schema === undefined ? undefined : { tables, validate }, system: current.system };
  return { tables, validate, state };
}

// Installing table definitions (the user's schema, or the built-in system tables): check the
// existing documents against new validators, drop indexes that went away or changed, create and
// backfill new ones - all inside the caller's transaction. Catalog changes are returned as a
// function to apply after COMMIT, so a failed install leaves memory untouched too.

import { BY_CREATION_TIME, BY_ID, type Catalog, type IndexInfo, type TableInfo } from "./catalog.js";
import { checkSpecialIndexes, indexDefinitionsOf } from "./special-index-install.js";
import { entryKeys } from "./special-indexes.js";
import { decodeDocument } from "./document-decode.js";
import { documentPages } from "./document-pages.js";
import type { MaybePromise, Store } from "./engine.js";
import type { InstalledSchema } from "./types.js";
import { formatIssues, schemaIssues, type Document, type SchemaState, type TableShape } from "./validation.js";

/** Which tables an install owns: user tables (no `_` prefix) or system tables. */
export type Scope = "user" | "system";

/** What was installed before (kept by the engine), to skip re-validating unchanged tables. */
export type InstalledShapes = InstalledSchema;

export interface InstallRequest {
  scope: Scope;
  tables: ReadonlyMap<string, TableShape>;
  /** Check documents against the validators (schemaValidation). */
  validate: boolean;
  /** The schema state the validation should use (the new one). */
  state: SchemaState;
  previous: InstalledShapes | undefined;
  /** The commit timestamp new indexes become readable at. */
  readyTs: bigint;
}

export interface InstallOutcome {
  /** True when an index was created (the install needs its own commit timestamp). */
  createdIndexes: boolean;
  /** What to store in `meta` for the next install. */
  shapes: InstalledShapes;
  /** Applies the catalog changes; call after COMMIT. */
  apply(): void;
}

const PAGE = 1000;
const MAX_LISTED = 5;

/**
 * Calls `visit` for every document of `table`, in creation order, a page at a time; only one
 * page is in memory, and the writes `visit` starts for a page finish before the next is read.
 *
 * @example
 * await forEachDocument(store, table, (document) => [store.insertEntries(index.id, entryKeys(index, document), String(document._id))]);
 */
export async function forEachDocument(store: Store, table: TableInfo, visit: (document: Document) => MaybePromise<void>[] | void): Promise<void> {
  for await (const page of documentPages(store, table.byCreationTime.id, PAGE)) {
    const writes: MaybePromise<void>[] = [];
    for (const json of page) writes.push(...(visit(decodeDocument(json)) ?? []));
    await Promise.all(writes);
  }
}

function inScope(name: string, scope: Scope): boolean {
  return name.startsWith("_") === (scope === "system");
}

function sameFields(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((field, i) => field === b[i]);
}

function validatorText(shape: TableShape): string {
  return JSON.stringify(shape.validator.json);
}

/**
 * Throws, changing nothing, when existing documents do not match their new validators. The
 * message lists each offending document once (the first few), how many there are, and what to do
 * about each kind of mismatch found.
 */
async function checkDocuments(store: Store, catalog: Catalog, request: InstallRequest): Promise<void> {
  if (!request.validate) return;
  const offenders: string[] = [];
  const kinds = new Set<MismatchKind>();
  let count = 0;
  for (const [name, shape] of request.tables) {
    const table = catalog.peek(name);
    if (table === undefined || !table.persisted) continue;
    if (request.previous?.validate && request.previous.validators[name] === validatorText(shape)) continue;
    await forEachDocument(store, table, (document) => {
      const issues = schemaIssues(request.state, name, document);
      if (issues.length === 0) return;
      count++;
      for (const issue of issues) kinds.add(mismatchKind(issue.message));
      if (offenders.length < MAX_LISTED) offenders.push(`- document ${String(document._id)} in table "${name}": ${formatIssues(issues)}`);
    });
  }
  if (count > 0) {
    const more = count > offenders.length ? [`- and ${count - offenders.length} more`] : [];
    const hints = MISMATCH_KINDS.filter((kind) => kinds.has(kind)).map((kind) => FIXES[kind]);
    const documents = count === 1 ? "1 existing document does not" : `${count} existing documents do not`;
    throw new Error([`Schema validation failed: ${documents} match the new schema:`, ...offenders, ...more, ...hints].join("\n"));
  }
}

const MISMATCH_KINDS = ["missing", "unexpected", "other"] as const;
type MismatchKind = (typeof MISMATCH_KINDS)[number];

function mismatchKind(message: string): MismatchKind {
  if (message === "missing required field") return "missing";
  return message.startsWith("unexpected field") ? "unexpected" : "other";
}

// What a user can do, per kind of mismatch: loosen the schema, or fix the documents first.
const FIXES: Record<MismatchKind, string> = {
  missing:
    "A new required field: make it optional in schema.ts (v.optional(...)), or fill it in on these documents with a " +
    "mutation (ctx.db.patch) while it is still optional, then make it required.",
  unexpected:
    "A field the schema no longer has: keep it in schema.ts as v.optional(...), or remove it from these documents with a " +
    "mutation (ctx.db.patch(id, { field: undefined })) before removing it from the schema.",
  other:
    "A changed validator: accept the old values too (v.union(old, new) or v.optional(...)), or convert these documents " +
    "with a mutation before changing it.",
};

function checkIndexes(name: string, shape: TableShape): void {
  checkSpecialIndexes(name, shape);
  for (const index of shape.indexes) {
    if (index.name === BY_ID || index.name === BY_CREATION_TIME) throw new Error(`Table "${name}": index name "${index.name}" is reserved.`);
    if (index.fields.length === 0 || index.fields.some((field) => typeof field !== "string" || field === "")) {
      throw new Error(`Table "${name}": index "${index.name}" needs one or more field paths.`);
    }
  }
}

/**
 * Installs `request.tables` as the tables of `request.scope`, inside the caller's transaction
 * (`store` writes into it).
 *
 * @example
 * conn.run("BEGIN IMMEDIATE");
 * const outcome = await installTables(new SqliteStore(conn), catalog, request);
 * conn.run("COMMIT");
 * outcome.apply();
 */
export async function installTables(store: Store, catalog: Catalog, request: InstallRequest): Promise<InstallOutcome> {
  for (const [name, shape] of request.tables) {
    if (!inScope(name, request.scope)) throw new Error(`Table "${name}" cannot be a ${request.scope} table.`);
    checkIndexes(name, shape);
  }
  await checkDocuments(store, catalog, request);

  const changes: (() => void)[] = [];
  // Drop indexes that are gone or whose fields changed.
  for (const table of [...catalog.all()]) {
    if (!inScope(table.name, request.scope)) continue;
    const shape = request.tables.get(table.name);
    const wanted = shape === undefined ? [] : indexDefinitionsOf(shape);
    for (const index of table.indexes.values()) {
      if (index.name === BY_ID || index.name === BY_CREATION_TIME) continue;
      const keep = wanted.find((candidate) => candidate.name === index.name);
      if (keep !== undefined && sameFields(keep.fields, index.fields)) continue;
      await store.dropIndex(index.id);
      changes.push(() => table.indexes.delete(index.name));
    }
  }
  // Create and backfill new ones.
  let createdIndexes = false;
  for (const [name, shape] of request.tables) {
    const table = catalog.table(name);
    if (!table.persisted) await store.persistTable(table);
    changes.push(() => (table.persisted = true));
    const created: IndexInfo[] = [];
    for (const definition of indexDefinitionsOf(shape)) {
      const existing = table.indexes.get(definition.name);
      if (existing !== undefined && sameFields(existing.fields, definition.fields)) continue;
      const index = catalog.newIndex(name, definition.name, definition.fields, request.readyTs);
      await store.insertIndex(table.id, index.id, index.name, index.fields);
      created.push(index);
    }
    if (created.length === 0) continue;
    createdIndexes = true;
    await forEachDocument(store, table, (document) =>
      created.map((index) => store.insertEntries(index.id, entryKeys(index, document), String(document._id))),
    );
    changes.push(() => {
      for (const index of created) table.indexes.set(index.name, index);
    });
  }

  const validators: Record<string, string> = {};
  for (const [name, shape] of request.tables) validators[name] = validatorText(shape);
  return {
    createdIndexes,
    shapes: { validate: request.validate, validators },
    apply: () => changes.forEach((change) => change()),
  };
}

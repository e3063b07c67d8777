// `ctx.db` in mutations: insert, patch, replace and delete on top of the reader. Every write is
// checked (table, field names, schema, limits) before anything is stored.

import { newId } from "../../values/id.js";
import { removeDocument, storeChangedDocument, storeNewDocument } from "./documents.js";
import { isPromise, type MaybePromise } from "./engine.js";
import { Reader, readDocument } from "./reader.js";
import { checkFieldNames, checkWritableTable, prepareDocument, type Document } from "./validation.js";

const SYSTEM_FIELDS = ["_id", "_creationTime"] as const;

/** The full `ctx.db` of a mutation. */
export class Writer extends Reader {
  private existing(table: string, id: string, operation: string): MaybePromise<Document> {
    const before = readDocument(this.tx, table, id);
    return isPromise(before) ? before.then((found) => mustExist(found, table, id, operation)) : mustExist(before, table, id, operation);
  }

  private checkWrite(table: string): void {
    this.tx.assertOpen();
    checkWritableTable(this.tx.schema, table, this.access.system);
  }

  /**
   * Inserts a document and returns its new id. `_id` and `_creationTime` are added here.
   *
   * @example
   * const id = await db.insert("messages", { room: "lobby", body: "hi" });
   */
  async insert(table: string, value: Document): Promise<string> {
    this.checkWrite(table);
    checkFieldNames(table, value, "A new document");
    for (const field of SYSTEM_FIELDS) {
      if (value[field] !== undefined) throw new Error(`Cannot insert into table "${table}": ${field} is set by the database.`);
    }
    const id = newId(table);
    this.tx.countWrite(id);
    const creationTime = this.tx.creationClock?.next() ?? Date.now();
    const document: Document = { ...value, _id: id, _creationTime: creationTime };
    const json = prepareDocument(this.tx.schema, table, document);
    storeNewDocument(this.tx, this.tx.catalog.table(table), document, json);
    return id;
  }

  /**
   * Shallow-merges `fields` into a document; a field set to undefined is removed.
   *
   * @example
   * await db.patch(id, { body: "edited", draft: undefined });
   * await db.patch("messages", id, { body: "edited" });
   */
  async patch(...args: unknown[]): Promise<void> {
    const [table, id] = this.target(args[0], args[1], args.length >= 3);
    const fields = args.length >= 3 ? args[2] : args[1];
    this.checkWrite(table);
    checkFieldNames(table, fields, `The patch of ${id}`);
    let before = this.existing(table, id, "patch");
    if (isPromise(before)) before = await before;
    checkSystemFields(table, before, fields, "patch");
    const after: Document = { ...before };
    for (const [name, value] of Object.entries(fields)) {
      if (name === "_id" || name === "_creationTime") continue;
      if (value === undefined) delete after[name];
      else after[name] = value;
    }
    this.tx.countWrite(id);
    storeChangedDocument(this.tx, this.tx.catalog.table(table), before, after, prepareDocument(this.tx.schema, table, after));
  }

  /**
   * Replaces a document's fields (system fields stay).
   *
   * @example
   * await db.replace(id, { room: "lobby", body: "new" });
   */
  async replace(...args: unknown[]): Promise<void> {
    const [table, id] = this.target(args[0], args[1], args.length >= 3);
    const value = args.length >= 3 ? args[2] : args[1];
    this.checkWrite(table);
    checkFieldNames(table, value, `The replacement of ${id}`);
    let before = this.existing(table, id, "replace");
    if (isPromise(before)) before = await before;
    checkSystemFields(table, before, value, "replace");
    const after: Document = { ...value, _id: before._id, _creationTime: before._creationTime };
    this.tx.countWrite(id);
    storeChangedDocument(this.tx, this.tx.catalog.table(table), before, after, prepareDocument(this.tx.schema, table, after));
  }

  /**
   * Deletes a document.
   *
   * @example
   * await db.delete(id); await db.delete("messages", id);
   */
  async delete(...args: unknown[]): Promise<void> {
    const [table, id] = this.target(args[0], args[1], args.length >= 2);
    this.checkWrite(table);
    let before = this.existing(table, id, "delete");
    if (isPromise(before)) before = await before;
    this.tx.countWrite(id);
    removeDocument(this.tx, this.tx.catalog.table(table), before);
  }
}

function mustExist(before: Document | null, table: string, id: string, operation: string): Document {
  if (before === null) throw new Error(`Cannot ${operation} document ${id}: it does not exist in table "${table}".`);
  return before;
}

/** `_id` and `_creationTime` may appear in a patch or replacement only with their current values. */
function checkSystemFields(table: string, before: Document, fields: Document, operation: string): void {
  for (const field of SYSTEM_FIELDS) {
    if (Object.hasOwn(fields, field) && fields[field] !== before[field]) {
      throw new Error(`Cannot ${operation} document ${String(before._id)} in table "${table}": ${field} cannot be changed.`);
    }
  }
}

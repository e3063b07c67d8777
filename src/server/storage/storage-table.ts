// `_storage`: one row per stored file. The row is the file's existence - the blob it names is
// kept exactly as long as some row names it - and user queries read it (`ctx.db.system`,
// `ctx.storage.getUrl`) to show files live.

import { defineTable } from "../define/schema.js";
import type { FileMetadata, SystemDataModel } from "../define/system-tables.js";
import type { QueryInitializer } from "../define/database.js";
import { v } from "../../values/validators.js";

export const STORAGE_TABLE = "_storage";

/** Rows by digest: is a blob still in use? */
export const BY_SHA256 = "by_sha256";

export const storageTable = defineTable({
  sha256: v.string(),
  size: v.float64(),
  contentType: v.optional(v.string()),
}).index(BY_SHA256, ["sha256"]);

/** The table with its private index, which `SystemDataModel` leaves out of user types. */
type StorageTableInfo = {
  document: FileMetadata;
  fieldPaths: SystemDataModel["_storage"]["fieldPaths"];
  indexes: SystemDataModel["_storage"]["indexes"] & { [BY_SHA256]: ["sha256", "_creationTime"] };
};

/**
 * A typed query on `_storage` through a system reader, private index included.
 *
 * @example
 * const user = await files(tx.db.system).withIndex(BY_SHA256, (q) => q.eq("sha256", digest)).first();
 */
export function files(reader: { query(table: string): unknown }): QueryInitializer<StorageTableInfo> {
  return reader.query(STORAGE_TABLE) as QueryInitializer<StorageTableInfo>;
}

/** The blob name (hex) of a row's base64 digest, and back. */
export const blobKeyOf = (sha256: string): string => Buffer.from(sha256, "base64").toString("hex");
export const sha256Of = (blobKey: string): string => Buffer.from(blobKey, "hex").toString("base64");

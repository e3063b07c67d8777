// `ctx.storage` for each kind of function. Queries and mutations read and delete `_storage` rows
// through their own transaction (so a live query follows a deletion, and a mutation that throws
// deletes nothing); actions do each call as its own small transaction, like `ctx.scheduler`.

import type { StorageActionWriter, StorageReader, StorageWriter } from "../define/context.js";
import type { FileMetadata } from "../define/system-tables.js";
import type { ReadTransaction, WriteTransaction } from "../db/types.js";
import type { SystemWriter } from "../runtime/system-writes.js";
import { isIdOf } from "../../values/id.js";
import { describeType } from "../../values/value.js";
import { runOutsideScope } from "../runtime/scope.js";
import type { FileStorage } from "./file-storage.js";
import { STORAGE_TABLE } from "./storage-table.js";

type StorageId = FileMetadata["_id"];

/**
 * `ctx.storage` of a query.
 *
 * @example
 * const ctx = { db, auth, storage: queryStorage(tx, storage) };
 */
export function queryStorage(tx: ReadTransaction, storage: FileStorage): StorageReader {
  return {
    getUrl: async (id: unknown) => {
      const file = storageId(id, "getUrl");
      return (await tx.db.system.get(file)) === null ? null : storage.fileUrl(file);
    },
  };
}

/** `ctx.storage` of a mutation, plus the digests its deletions may have freed (release them after the commit). */
export interface TransactionStorage {
  storage: StorageWriter;
  deletedDigests(): string[];
}

/**
 * `ctx.storage` of a mutation: deletions are writes of its transaction.
 *
 * @example
 * const { storage, deletedDigests } = transactionStorage(tx, fileStorage);
 */
export function transactionStorage(tx: WriteTransaction, storage: FileStorage): TransactionStorage {
  const deleted: string[] = [];
  return {
    storage: {
      ...queryStorage(tx, storage),
      generateUploadUrl: async () => storage.uploadUrl(),
      delete: async (id) => void deleted.push(await deleteRow(tx, id)),
      // Whether the file exists is this transaction's answer; its bytes never change once stored.
      get: async (id) => ((await tx.db.system.get(storageId(id, "get"))) === null ? null : readBlob(storage, id)),
    },
    deletedDigests: () => deleted,
  };
}

/**
 * `ctx.storage` of an action or HTTP action. A deletion is a system write (`write`: on a
 * cluster's follower it runs on the leader, which also frees the blob).
 *
 * @example
 * const ctx = { runQuery, runMutation, runAction, auth, scheduler, storage: actionStorage(storage, runtime.systemWriter()) };
 */
export function actionStorage(storage: FileStorage, write: SystemWriter): StorageActionWriter {
  // Each call runs outside the action's scope: the database's own work must not log into the action.
  return {
    getUrl: (id: unknown) =>
      runOutsideScope(async () => {
        const file = storageId(id, "getUrl");
        return (await storage.metadata(file)) === null ? null : storage.fileUrl(file);
      }),
    generateUploadUrl: async () => storage.uploadUrl(),
    delete: async (id) => void (await write("storage.deleteFile", { id: storageId(id, "delete") })),
    get: (id) => readBlob(storage, id),
    store: async (blob, options) => {
      if (!(blob instanceof Blob)) throw new TypeError(`ctx.storage.store expects a Blob (e.g. await request.blob()), got ${describeType(blob)}.`);
      // The blob is in memory already; its bytes are stored in one piece.
      const bytes = new Uint8Array(await blob.arrayBuffer());
      return runOutsideScope(() => storage.store([bytes], { contentType: blob.type || undefined, sha256: options?.sha256 }));
    },
  };
}

/** A file's contents as a Blob with its content type, or null. */
function readBlob(storage: FileStorage, id: unknown): Promise<Blob | null> {
  return runOutsideScope(async () => {
    const found = await storage.read(storageId(id, "get"));
    return found === undefined ? null : new Blob([found.bytes as Uint8Array<ArrayBuffer>], found.file.contentType === undefined ? {} : { type: found.file.contentType });
  });
}

/**
 * Deletes a file's row in `tx`; returns its digest, whose blob may be released after the commit.
 *
 * @example
 * const digest = await deleteRow(tx, storageId);
 */
export async function deleteRow(tx: WriteTransaction, id: unknown): Promise<string> {
  if (tx.systemWriter === undefined) throw new Error("ctx.storage.delete needs a transaction opened with { system: true }.");
  const file = (await tx.db.system.get(storageId(id, "delete"))) as FileMetadata | null;
  if (file === null) throw new Error(`ctx.storage.delete: there is no file ${String(id)} (deleted already?).`);
  await tx.systemWriter.delete(STORAGE_TABLE, file._id);
  return file.sha256;
}

/** Checks that `id` is a storage id; a wrong one is a programming error worth a clear message. */
function storageId(id: unknown, method: string): StorageId {
  if (!isIdOf(id, STORAGE_TABLE)) {
    throw new TypeError(`ctx.storage.${method} expects an Id<"_storage"> (from ctx.storage.store or an upload), got ${typeof id === "string" ? JSON.stringify(id) : describeType(id)}.`);
  }
  return id as StorageId;
}

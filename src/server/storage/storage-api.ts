// `ctx.storage` for each kind of function. Queries and mutations read, write and delete `_storage`
// rows through their own transaction (so a live query follows a deletion, and a mutation that
// throws stores and deletes nothing); actions do each call as its own small transaction, like
// `ctx.scheduler`.

import type { StorageActionWriter, StorageReader, StorageWriter } from "../define/context.js";
import type { FileMetadata } from "../define/system-tables.js";
import type { ReadTransaction, WriteTransaction } from "../db/types.js";
import { TX_LIMITS } from "../db/transaction.js";
import type { SystemWriter } from "../runtime/system-writer.js";
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
 * `ctx.storage` of a mutation: deletions and new files' rows are writes of its transaction, and
 * the file contents it stores and reads count against `TX_LIMITS`' byte limits. Each stored
 * file's contents are committed and held before its row is written; the digest is pushed onto
 * `held`, which the caller hands to `FileStorage.letGo` once the transaction ended, committed or
 * not (a rolled-back file's contents are then removed). `held` outlives the transaction on
 * purpose: should the engine run the transaction again, the holds of every attempt end.
 *
 * @example
 * const held: string[] = [];
 * try { await db.write((tx) => handler({ storage: transactionStorage(tx, fileStorage, held).storage }), { system: true }); }
 * finally { void fileStorage.letGo(held); }
 */
export function transactionStorage(tx: WriteTransaction, storage: FileStorage, held: string[]): TransactionStorage {
  const deleted: string[] = [];
  let bytesStored = 0;
  let bytesRead = 0;
  return {
    storage: {
      ...queryStorage(tx, storage),
      generateUploadUrl: async () => storage.uploadUrl(),
      delete: async (id) => void deleted.push(await deleteRow(tx, id)),
      get: async (id) => {
        // The row is this transaction's answer (a file it stored is there, one it deleted is
        // not); the contents it names never change once stored.
        const file = (await tx.db.system.get(storageId(id, "get"))) as FileMetadata | null;
        if (file === null) return null;
        bytesRead = withinLimit(bytesRead, file.size, TX_LIMITS.maxFileBytesRead, "read", "ctx.storage.get");
        const bytes = await runOutsideScope(() => storage.contents(file));
        return bytes === undefined ? null : blobOf(bytes, file.contentType);
      },
      store: async (blob, options) => {
        checkBlob(blob);
        if (tx.systemWriter === undefined) throw new Error("ctx.storage.store needs a transaction opened with { system: true }.");
        // Checked before anything is written: a refused file leaves no trace.
        bytesStored = withinLimit(bytesStored, blob.size, TX_LIMITS.maxFileBytesStored, "stored", "ctx.storage.store");
        const bytes = new Uint8Array(await blob.arrayBuffer());
        const row = await runOutsideScope(() => storage.hold([bytes], { contentType: blob.type || undefined, sha256: options?.sha256 }));
        held.push(row.sha256);
        return (await tx.systemWriter.insert(STORAGE_TABLE, row)) as StorageId;
      },
    },
    deletedDigests: () => deleted,
  };
}

/** Adds `size` bytes to a mutation's running total, refusing (and counting nothing) past the limit. */
function withinLimit(total: number, size: number, limit: number, verb: "stored" | "read", method: string): number {
  if (total + size > limit) {
    throw new Error(
      `${method}: a mutation may have ${verb} at most ${limit} bytes (${limit / 1024 / 1024} MiB) of file contents, and this file of ${size} bytes would make ${total + size}. ` +
        `Handle large files in an action (ctx.storage.store / get there have no such limit) or through an upload URL.`,
    );
  }
  return total + size;
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
      checkBlob(blob);
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
    return found === undefined ? null : blobOf(found.bytes, found.file.contentType);
  });
}

/** A file's contents as a Blob carrying its content type. */
function blobOf(bytes: Uint8Array, contentType: string | undefined): Blob {
  return new Blob([bytes as Uint8Array<ArrayBuffer>], contentType === undefined ? {} : { type: contentType });
}

/** `store` takes a Blob; plain JavaScript may pass a string or a buffer by mistake. */
function checkBlob(blob: unknown): asserts blob is Blob {
  if (!(blob instanceof Blob)) throw new TypeError(`ctx.storage.store expects a Blob (e.g. await request.blob()), got ${describeType(blob)}.`);
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

// `syncline import`: a snapshot file into an empty database, all or nothing. The reader checks
// the file line by line while the database loads it inside one transaction; file contents are
// staged as they stream by and made visible just before the commit - in that same transaction
// when the engine keeps them itself (Postgres), else in the blob store beside the database.
// Anything wrong - in the file, in a document, in the contents of a file - rolls the load back
// and discards the staged contents, so the target is left as it was.

import { DatabaseNotEmptyError, DocumentRefusedError, type LoadedSnapshot, type SnapshotDocument } from "../db/types.js";
import type { ServerStorage } from "../server-storage.js";
import type { BlobStore, StagedBlob } from "../storage/blob-store.js";
import { FileStorage } from "../storage/file-storage.js";
import { blobKeyOf, sha256Of, STORAGE_TABLE } from "../storage/storage-table.js";
import type { ProgressListener, SnapshotProgress } from "./progress.js";
import { SnapshotError, SnapshotReader } from "./snapshot-reader.js";

export interface ImportOptions {
  /** Throw away what the target holds (otherwise a target holding documents is refused). */
  replace?: boolean;
  progress?: ProgressListener | undefined;
}

/** What an import loaded. */
export interface ImportSummary {
  /** The commit timestamp the snapshot was taken at, and the import's own (above it). */
  snapshotTs: bigint;
  /** When the snapshot was taken (ISO time). */
  createdAt: string;
  ts: bigint;
  tables: number;
  documents: number;
  files: number;
}

/**
 * Loads the snapshot `file` into `target`. Rejects with a SnapshotError naming the line when the
 * file is damaged, and with DatabaseNotEmptyError when the target holds documents and
 * `replace` is not set; either way the target is unchanged.
 *
 * @example
 * const storage = await openServerStorage("restored.sqlite");
 * try { await importSnapshot(storage, "backup.jsonl.gz"); } finally { await storage.close(); }
 */
export async function importSnapshot(target: Pick<ServerStorage, "db" | "blobs" | "name">, file: string, options: ImportOptions = {}): Promise<ImportSummary> {
  const replace = options.replace ?? false;
  // Checked again inside the load's transaction; this answers before the file is read at all.
  if (!replace && !(await target.db.isEmpty())) throw new DatabaseNotEmptyError(`The database ${target.name}`);
  const reader = await SnapshotReader.open(file);
  const progress: SnapshotProgress = { tables: 0, tableCount: reader.tables.length, documents: 0, files: 0, bytes: 0, totalBytes: reader.fileSize };
  const report = () => {
    progress.bytes = reader.bytesRead;
    options.progress?.(progress);
  };
  const staged: StagedBlob[] = [];
  /** Where contents go: the load's own transaction when the engine offers one, else the target's store. */
  let blobs: BlobStore = target.blobs;
  let blobsInTransaction = false;
  /** Declared size of each file the snapshot holds, by base64 digest. */
  const fileSizes = new Map<string, number>();
  /** Contents made visible by this import that were not in the store before. */
  const added: string[] = [];
  let currentTable: string | undefined;
  /** Set once every entry is read: a failure from here on is the store's, not the snapshot's. */
  let committing = false;

  async function* documents(files: BlobStore | undefined): AsyncGenerator<SnapshotDocument> {
    if (files !== undefined) {
      blobs = files;
      blobsInTransaction = true;
    }
    for await (const entry of reader.entries()) {
      if (entry.type === "file") {
        const blob = await blobs.stage(entry.chunks);
        staged.push(blob);
        if (blob.key !== blobKeyOf(entry.sha256)) throw new SnapshotError(file, entry.line, `the contents of file ${entry.sha256} do not match its SHA-256 (they hash to ${sha256Of(blob.key)}).`);
        fileSizes.set(entry.sha256, entry.size);
        progress.files++;
        report();
        continue;
      }
      if (entry.table === STORAGE_TABLE) checkStorageRow(entry.value, entry.line);
      if (entry.table !== currentTable) {
        if (currentTable !== undefined) progress.tables++;
        currentTable = entry.table;
      }
      yield { table: entry.table, value: entry.value, line: entry.line };
      if (++progress.documents % 1000 === 0) report();
    }
  }

  function checkStorageRow(value: { readonly [key: string]: unknown }, line: number): void {
    const { sha256, size } = value;
    if (typeof sha256 !== "string" || !fileSizes.has(sha256)) throw new SnapshotError(file, line, `stored file ${String(value._id)} names contents ${JSON.stringify(sha256)} that the snapshot does not hold.`);
    if (fileSizes.get(sha256) !== size) throw new SnapshotError(file, line, `stored file ${String(value._id)} says ${JSON.stringify(size)} bytes, but its contents are ${fileSizes.get(sha256)}.`);
  }

  let loaded: LoadedSnapshot;
  try {
    loaded = await target.db.loadSnapshot({
      ts: reader.ts,
      tables: reader.tables,
      userSchema: reader.userSchema,
      replace,
      documents,
      beforeCommit: async () => {
        committing = true;
        for (const blob of staged) {
          const existed = await blobs.open(blob.key);
          await existed?.close();
          await blob.commit();
          if (existed === undefined) added.push(blob.key);
        }
      },
    });
  } catch (error) {
    reader.close();
    // Contents written in the load's transaction went with its rollback; others are taken back.
    if (!blobsInTransaction) {
      for (const blob of staged) await blob.discard().catch(() => {});
      // The commit itself failed after the contents became visible: take back what was new.
      for (const key of added) await target.blobs.delete(key).catch(() => {});
    }
    if (committing || error instanceof SnapshotError || error instanceof DatabaseNotEmptyError) throw error;
    // The database refused a document (twice the same id, a system row not matching its
    // table): the reader is still at that document's line, unless the engine answered late and
    // named the line itself. Before the first document it refused the tables, which the message
    // names.
    const line = error instanceof DocumentRefusedError && error.line !== undefined ? error.line : currentTable === undefined ? undefined : reader.line;
    throw new SnapshotError(file, line, (error as Error).message);
  }
  if (replace) {
    // Contents of the replaced files that no row names any more.
    const storage = new FileStorage({ db: target.db, blobs: target.blobs, baseUrl: () => "", now: Date.now, warn: () => {} });
    await storage.sweep();
  }
  progress.tables = reader.tables.length;
  report();
  return { snapshotTs: reader.ts, createdAt: reader.createdAt, ts: loaded.ts, tables: reader.tables.length, documents: loaded.documents, files: fileSizes.size };
}

// `syncline export`: everything a database holds, at one snapshot, into a snapshot file - the
// header, the installed schema, every table with its indexes, the contents of every stored file
// (once per distinct file, as the blob store keeps them), every document of every table, and the
// end line with counts and checksum. Works through the engine-neutral `Database` and `BlobStore`.

import type { DatabaseSnapshot } from "../db/types.js";
import type { ServerStorage } from "../server-storage.js";
import { blobKeyOf, STORAGE_TABLE } from "../storage/storage-table.js";
import type { ProgressListener, SnapshotProgress } from "./progress.js";
import { SnapshotWriter } from "./snapshot-writer.js";

/** What an export wrote. */
export interface ExportSummary {
  /** The commit timestamp of the snapshot. */
  ts: bigint;
  tables: number;
  documents: number;
  files: number;
  /** Size of the snapshot file. */
  bytes: number;
}

export interface ExportOptions {
  progress?: ProgressListener | undefined;
}

/**
 * Writes a snapshot of `source` to `file` (replacing it only once the snapshot is complete).
 *
 * @example
 * const storage = await openServerStorage(".syncline/data.sqlite");
 * try { await exportSnapshot(storage, "backup.jsonl.gz"); } finally { await storage.close(); }
 */
export async function exportSnapshot(source: Pick<ServerStorage, "db" | "blobs" | "name">, file: string, options: ExportOptions = {}): Promise<ExportSummary> {
  const snapshot = await source.db.openSnapshot();
  let writer: SnapshotWriter | undefined;
  try {
    writer = await SnapshotWriter.create(file);
    const progress: SnapshotProgress = { tables: 0, tableCount: snapshot.tables.length, documents: 0, files: 0, bytes: 0 };
    const report = () => {
      progress.bytes = writer!.bytesWritten;
      options.progress?.(progress);
    };
    await writer.header(snapshot.ts);
    if (snapshot.userSchema !== undefined) await writer.schema(snapshot.userSchema);
    for (const table of snapshot.tables) await writer.table(table);
    for (const [sha256, size] of await storedFiles(snapshot)) {
      const blob = await (snapshot.files ?? source.blobs).open(blobKeyOf(sha256));
      if (blob === undefined) throw new Error(`The contents of stored file ${sha256} (named by a _storage row) are missing from ${source.name}'s file store.`);
      await writer.file(sha256, size, blob.stream());
      progress.files++;
      report();
    }
    for (const table of snapshot.tables) {
      for await (const page of snapshot.documents(table.name)) {
        await writer.documents(table.name, page);
        progress.documents += page.length;
        report();
      }
      progress.tables++;
      report();
    }
    await writer.finish();
    return { ts: snapshot.ts, tables: snapshot.tables.length, documents: progress.documents, files: progress.files, bytes: writer.bytesWritten };
  } catch (error) {
    await writer?.abort();
    throw error;
  } finally {
    await snapshot.close();
  }
}

/**
 * The distinct contents `_storage` names, with their sizes. Identical files share contents, so
 * each is written once; the map holds one entry per distinct file, never file bytes.
 */
async function storedFiles(snapshot: DatabaseSnapshot): Promise<Map<string, number>> {
  const files = new Map<string, number>();
  if (!snapshot.tables.some((table) => table.name === STORAGE_TABLE)) return files;
  for await (const page of snapshot.documents(STORAGE_TABLE)) {
    for (const json of page) {
      const row = JSON.parse(json) as { sha256: string; size: number };
      files.set(row.sha256, row.size);
    }
  }
  return files;
}

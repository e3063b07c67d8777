// Progress of an export or import, for a terminal: one line rewritten in place at most ten times
// a second, and nothing at all when the output is not a terminal (a log, a pipe, CI).

/** How far an export or import is. */
export interface SnapshotProgress {
  /** Tables whose documents are through, of `tableCount`. */
  tables: number;
  tableCount: number;
  documents: number;
  files: number;
  /** Compressed bytes of the snapshot written or read. */
  bytes: number;
  /** The snapshot's size when it is known (an import). */
  totalBytes?: number;
}

/** Receives progress; called often, so it must be cheap. */
export type ProgressListener = (progress: SnapshotProgress) => void;

/** A stream a progress line can go to. */
export interface ProgressStream {
  readonly isTTY?: boolean;
  write(text: string): unknown;
}

const INTERVAL_MS = 100;

/**
 * A listener drawing `Exporting: 3/7 tables, 12,345 documents, 2 files, 4.2 MB` on `stream`, or
 * undefined when `stream` is not a terminal. `finish` erases the line.
 *
 * @example
 * const progress = terminalProgress("Exporting", process.stderr);
 * await exportSnapshot(storage, file, { progress: progress?.update });
 * progress?.finish();
 */
export function terminalProgress(verb: string, stream: ProgressStream): { update: ProgressListener; finish(): void } | undefined {
  if (stream.isTTY !== true) return undefined;
  let last = 0;
  let drawn = false;
  return {
    update(progress) {
      const now = Date.now();
      if (now - last < INTERVAL_MS) return;
      last = now;
      drawn = true;
      stream.write(`\r${describeProgress(verb, progress)}\x1b[K`);
    },
    finish() {
      if (drawn) stream.write("\r\x1b[K");
    },
  };
}

/**
 * The progress line's text.
 *
 * @example
 * describeProgress("Importing", { tables: 1, tableCount: 3, documents: 1200, files: 0, bytes: 2e6, totalBytes: 8e6 })
 * // "Importing: 1/3 tables, 1,200 documents, 0 files, 2.0 of 8.0 MB (25%)"
 */
export function describeProgress(verb: string, progress: SnapshotProgress): string {
  const bytes =
    progress.totalBytes === undefined || progress.totalBytes === 0
      ? megabytes(progress.bytes)
      : `${(progress.bytes / 1e6).toFixed(1)} of ${megabytes(progress.totalBytes)} (${Math.floor((100 * progress.bytes) / progress.totalBytes)}%)`;
  return `${verb}: ${progress.tables}/${progress.tableCount} tables, ${progress.documents.toLocaleString("en-US")} documents, ${progress.files} files, ${bytes}`;
}

/** `4.2 MB` */
export function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

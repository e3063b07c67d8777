// Opening what a server stores: the database (SQLite file, ":memory:" or Postgres) and the
// stored files, whose contents live beside a database file or inside Postgres.

import { DatabaseInUseError, openDatabase } from "../db/index.js";
import type { OpenedDatabase } from "../db/types.js";
import type { FileMetadata } from "../define/system-tables.js";
import type { ServerLogger } from "../logger.js";
import type { Runtime } from "../runtime/runtime.js";
import type { NewFileRow } from "../runtime/system-writes.js";
import type { SchedulerClock } from "../scheduler/clock.js";
import { readServerRecord } from "../server-record.js";
import { openBlobStore, SERVER_SYSTEM_TABLES } from "../server-storage.js";
import { FileStorage } from "../storage/file-storage.js";
import { definedOnly, type ResolvedOptions } from "./resolve-options.js";
import type { ServerOptions } from "./server-options.js";

/**
 * Opens the server's database; a database another server holds is refused with that server's
 * address, when it recorded one.
 *
 * @example
 * const db = await openServerDatabase(resolveServerOptions(options), options);
 */
export async function openServerDatabase(
  options: Pick<ResolvedOptions, "dbPath" | "nodeId" | "followerPollMs">,
  limits: Pick<ServerOptions, "maxDatabaseBytes" | "databaseReconnectTimeoutMs">,
): Promise<OpenedDatabase> {
  const { dbPath, nodeId } = options;
  return openDatabase({
    path: dbPath,
    systemTables: SERVER_SYSTEM_TABLES,
    ...definedOnly({ maxSizeBytes: limits.maxDatabaseBytes, reconnectTimeoutMs: limits.databaseReconnectTimeoutMs }),
    cluster: { nodeId, ...definedOnly({ pollMs: options.followerPollMs }) },
  }).catch((error: unknown) => {
    // Say where the server holding the database listens, when it recorded that.
    const holder = error instanceof DatabaseInUseError ? readServerRecord(dbPath) : undefined;
    throw holder === undefined ? error : new DatabaseInUseError((error as DatabaseInUseError).file, holder.url);
  });
}

export interface FileStorageParts {
  db: OpenedDatabase;
  dbPath: string;
  /** The address file URLs start with, known once the server listens. */
  baseUrl(): string;
  clock: SchedulerClock;
  logger: ServerLogger;
  /** The runtime, which in a cluster writes the files' rows at the leader. */
  runtime(): Runtime;
  nodeSecret: string | undefined;
}

/**
 * Opens `ctx.storage`'s files. In a cluster the bytes are written on this node and the row at
 * the leader (system-writes.ts); upload URLs are signed with the node secret, so any node
 * accepts an upload another one handed out.
 *
 * @example
 * const storage = await openFileStorage({ db, dbPath, baseUrl: () => publicUrl, clock, logger, runtime: () => runtime, nodeSecret });
 */
export async function openFileStorage(parts: FileStorageParts): Promise<FileStorage> {
  const { db, logger } = parts;
  return new FileStorage({
    db,
    blobs: await openBlobStore(db, parts.dbPath),
    baseUrl: parts.baseUrl,
    now: () => parts.clock.now(),
    warn: (message) => logger.warn(message),
    ...(db.cluster !== undefined
      ? {
          insertRow: (row: NewFileRow) => parts.runtime().systemWriter()("storage.insertFile", { ...row }) as Promise<FileMetadata["_id"]>,
          releasesBlobs: () => db.cluster?.role === "leader",
          uploadSecret: parts.nodeSecret,
        }
      : {}),
  });
}

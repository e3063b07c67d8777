// The PostgreSQL storage layout. Every table is prefixed `syncline_` so a database that holds
// another program's tables is recognised (and refused) instead of mixed into.
//
// Index entries keep the whole order-preserving key in `key` (bytea compares bytewise, which is
// `compareValues` order) but are indexed on its first KEY_PREFIX bytes: a btree entry must stay
// under ~2.7 kB, and Syncline keys may be as long as a document allows. Ordering by (prefix, key)
// is ordering by key, so scans use the prefix index and sort only ties.

/** Bytes of a key the btree holds. */
export const KEY_PREFIX = 1024;

/** The prefix expression; queries must spell it exactly like the index does. */
export const PREFIX = (column: string) => `substring(${column} from 1 for ${KEY_PREFIX})`;

/** Our tables, and the statements that create them (idempotent). */
export const TABLES = [
  "syncline_meta",
  "syncline_tables",
  "syncline_indexes",
  "syncline_documents",
  "syncline_index_entries",
  "syncline_commit_log",
  "syncline_blobs",
  "syncline_blob_chunks",
  "syncline_leader",
] as const;

export const LAYOUT = `
CREATE TABLE IF NOT EXISTS syncline_meta (key text PRIMARY KEY, value text NOT NULL);
CREATE TABLE IF NOT EXISTS syncline_tables (id integer PRIMARY KEY, name text NOT NULL UNIQUE);
CREATE TABLE IF NOT EXISTS syncline_indexes (
  id integer PRIMARY KEY,
  table_id integer NOT NULL,
  name text NOT NULL,
  fields text NOT NULL,
  UNIQUE (table_id, name)
);
CREATE TABLE IF NOT EXISTS syncline_documents (id text PRIMARY KEY, table_id integer NOT NULL, json text NOT NULL);
CREATE TABLE IF NOT EXISTS syncline_index_entries (
  index_id integer NOT NULL,
  key bytea NOT NULL,
  doc_id text NOT NULL
);
-- Unique like SQLite's (index_id, key): a search index holds one posting per term of a document,
-- so several entries share (index_id, doc_id). The key itself may be too long for a btree entry;
-- its digest is not.
DO $$ BEGIN
  -- Databases created before search indexes keyed entries by (index_id, doc_id).
  IF EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'syncline_index_entries_pkey' AND conrelid = 'syncline_index_entries'::regclass) THEN
    ALTER TABLE syncline_index_entries DROP CONSTRAINT syncline_index_entries_pkey;
  END IF;
END $$;
CREATE UNIQUE INDEX IF NOT EXISTS syncline_index_entries_unique ON syncline_index_entries (index_id, doc_id, md5(key));
CREATE INDEX IF NOT EXISTS syncline_index_entries_key ON syncline_index_entries (index_id, (${PREFIX("key")}));
CREATE TABLE IF NOT EXISTS syncline_commit_log (ts bigint PRIMARY KEY, writes bytea NOT NULL);
-- The leader epoch that wrote each commit (audits of fencing: no old epoch after a new one).
ALTER TABLE syncline_commit_log ADD COLUMN IF NOT EXISTS epoch bigint NOT NULL DEFAULT 0;
CREATE TABLE IF NOT EXISTS syncline_blobs (key text PRIMARY KEY, size bigint NOT NULL);
CREATE TABLE IF NOT EXISTS syncline_blob_chunks (key text NOT NULL, seq integer NOT NULL, data bytea NOT NULL, PRIMARY KEY (key, seq));
-- The one leader row: each node that takes the leader lock bumps the epoch (fencing: every commit
-- checks it) and records where it takes forwarded mutations.
CREATE TABLE IF NOT EXISTS syncline_leader (
  id integer PRIMARY KEY CHECK (id = 1),
  epoch bigint NOT NULL,
  node_id text NOT NULL,
  address text NOT NULL,
  since timestamptz NOT NULL DEFAULT now()
);
INSERT INTO syncline_leader (id, epoch, node_id, address) VALUES (1, 0, '', '') ON CONFLICT (id) DO NOTHING;
INSERT INTO syncline_meta (key, value) VALUES ('format', '1'), ('last_ts', '0') ON CONFLICT (key) DO NOTHING;
`;

/** Held (per transaction) while the layout is created: nodes starting together must not race on CREATE TABLE. */
export const LAYOUT_LOCK = 0x73796e636c6c6179n;

/** The advisory lock key held by the server that owns the database ("syncline" in ASCII). */
export const OWNER_LOCK = 0x73796e636c696e65n;

/** The NOTIFY channel each commit batch signals (followers of a later version tail the log on it). */
export const COMMIT_CHANNEL = "syncline_commits";

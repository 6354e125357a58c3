import type BetterSqlite3 from 'better-sqlite3';
import { CorruptDataError, LockedError, MemgarError, StorageError } from '../errors/index.js';

/** @internal A better-sqlite3 connection. */
export type SqliteDatabase = BetterSqlite3.Database;
/** @internal The better-sqlite3 constructor. */
export type SqliteConstructor = typeof BetterSqlite3;

/** Schema version written in `memgar_meta`. */
export const VAULT_SCHEMA_VERSION = '1';

/** @internal The vault's tables. Everything but `memgar_meta` is created in one transaction. */
export const VAULT_SCHEMA = `
CREATE TABLE memgar_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;
CREATE TABLE entries (
  id TEXT PRIMARY KEY,
  content TEXT NOT NULL,
  content_hash TEXT NOT NULL,
  source TEXT NOT NULL,
  metadata TEXT,
  hash TEXT NOT NULL,
  updated_at TEXT NOT NULL
) STRICT;
CREATE TABLE snapshots (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  created_at TEXT NOT NULL,
  key_id TEXT NOT NULL,
  entry_count INTEGER NOT NULL,
  manifest TEXT NOT NULL,
  signature TEXT
) STRICT;
CREATE TABLE snapshot_entries (
  snapshot_id TEXT NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
  id TEXT NOT NULL,
  content TEXT NOT NULL,
  source TEXT NOT NULL,
  metadata TEXT,
  PRIMARY KEY (snapshot_id, id)
) STRICT;
CREATE TABLE key_rotations (
  new_key_id TEXT NOT NULL,
  old_key_id TEXT NOT NULL,
  statement TEXT NOT NULL,
  signature TEXT NOT NULL,
  PRIMARY KEY (new_key_id, old_key_id)
) STRICT;
`;

/** @internal Tables a vault must have. */
export const VAULT_TABLES = ['memgar_meta', 'entries', 'snapshots', 'snapshot_entries', 'key_rotations'];

type Loader = () => Promise<{ default: SqliteConstructor }>;
const defaultLoader: Loader = () => import('better-sqlite3') as Promise<{ default: SqliteConstructor }>;

/** @internal Loads better-sqlite3 on first use; a missing module becomes a `StorageError` saying what to install. */
export async function loadSqlite(loader: Loader = defaultLoader): Promise<SqliteConstructor> {
  try {
    const mod = await loader();
    return mod.default;
  } catch (error) {
    throw new StorageError(
      'MemoryVault needs better-sqlite3, an optional peer dependency of @memgar/core: install it (npm install better-sqlite3@^12)',
      { cause: error },
    );
  }
}

function sqliteCode(error: unknown): string {
  return typeof error === 'object' && error !== null && 'code' in error
    ? String((error as { code: unknown }).code)
    : '';
}

/**
 * @internal Turns a SQLite error into a memgar error: NOTADB/CORRUPT → `CorruptDataError`,
 * BUSY/LOCKED → `LockedError`, anything else → `StorageError`. Memgar errors pass through.
 */
export function mapSqliteError(error: unknown, path: string, action: string): MemgarError {
  if (MemgarError.isInstance(error)) return error;
  const code = sqliteCode(error);
  const detail = error instanceof Error ? error.message : String(error);
  if (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT')) {
    return new CorruptDataError(
      `${path}: ${action}: the vault file is corrupt (${detail})`,
      { file: path },
      {
        cause: error,
      },
    );
  }
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return new LockedError(
      `${path}: ${action}: the vault is locked by another connection (${detail})`,
      {
        resource: path,
      },
      { cause: error },
    );
  }
  return new StorageError(`${path}: ${action}: ${detail}`, { cause: error });
}

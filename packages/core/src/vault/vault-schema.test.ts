import { describe, expect, it } from 'vitest';
import { CorruptDataError, LockedError, StorageError } from '../errors/index.js';
import { loadSqlite, mapSqliteError } from './vault-schema.js';

describe('vault schema helpers', () => {
  it('a missing better-sqlite3 becomes a StorageError that says what to install', async () => {
    const missing = Object.assign(new Error("Cannot find package 'better-sqlite3'"), {
      code: 'ERR_MODULE_NOT_FOUND',
    });
    const e = await loadSqlite(() => Promise.reject(missing)).catch((x: unknown) => x);
    expect(StorageError.isInstance(e)).toBe(true);
    expect((e as Error).message).toContain('npm install better-sqlite3');
    expect((e as Error).cause).toBe(missing);
    expect(typeof (await loadSqlite())).toBe('function');
  });

  it('maps SQLite error codes to memgar errors', () => {
    const err = (code: string) => Object.assign(new Error(code), { code });
    expect(CorruptDataError.isInstance(mapSqliteError(err('SQLITE_NOTADB'), 'v.db', 'open'))).toBe(true);
    expect(mapSqliteError(err('SQLITE_CORRUPT_INDEX'), 'v.db', 'open')).toMatchObject({ file: 'v.db' });
    expect(LockedError.isInstance(mapSqliteError(err('SQLITE_BUSY'), 'v.db', 'register'))).toBe(true);
    expect(StorageError.isInstance(mapSqliteError(err('SQLITE_FULL'), 'v.db', 'register'))).toBe(true);
    const own = new StorageError('x');
    expect(mapSqliteError(own, 'v.db', 'open')).toBe(own);
  });
});

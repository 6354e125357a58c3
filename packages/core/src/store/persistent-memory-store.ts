/**
 * A durable memory store in one JSON Lines file: every write is an appended record, fsynced before
 * it is acknowledged; a delete is a tombstone record; opening replays the file. One writer at a
 * time (an exclusive lock file); corrupt lines are reported, a torn last line is repaired.
 */
import { randomUUID } from 'node:crypto';
import { type FileHandle, open, readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { CorruptDataError } from '../errors/corrupt-data-error.js';
import { InvalidInputError } from '../errors/invalid-input-error.js';
import { InvalidOptionError } from '../errors/invalid-option-error.js';
import { MemgarError } from '../errors/memgar-error.js';
import { NotFoundError } from '../errors/not-found-error.js';
import { StorageError } from '../errors/storage-error.js';
import { acquireFileLock, type FileLock } from './file-lock.js';
import type { MemoryBackendEntry } from './memory-backend.js';

/** Version of the record format, the `v` of every line. */
export const MEMORY_RECORD_VERSION = 1;

export interface PersistentMemoryStoreOptions {
  /** The JSON Lines file. Created (with its directory entry synced) when missing, unless `readOnly`. */
  path: string;
  /**
   * Throw `CorruptDataError` (with `file` and 1-based `line`) at the first corrupt line instead of
   * skipping it and listing it in `corruptLines`. A torn last line (a crash in the middle of an
   * append) is not corruption: it is never acknowledged, and is always dropped and reported in
   * `tornTail`.
   * @default false
   */
  strict?: boolean;
  /**
   * Open without the writer lock, to read a store another process may be writing: nothing is
   * written or repaired, and `add`, `write` and `delete` throw `StorageError`. A missing file is a
   * `NotFoundError`.
   * @default false
   */
  readOnly?: boolean;
}

/** A memory entry as the store holds it. Frozen. */
export interface StoredMemoryEntry {
  /** Unique id. */
  readonly id: string;
  /** The text. */
  readonly content: string;
  /** Plain JSON data (what a JSON round trip of the written metadata gives). */
  readonly metadata: Readonly<Record<string, unknown>>;
  /** When this version was written (ISO 8601). */
  readonly writtenAt: string;
}

/** An entry to write. */
export interface MemoryEntryInput {
  /** Unique id; writing an existing id replaces that entry. @default a random UUID */
  id?: string;
  /** The text. */
  content: string;
  /** JSON-serialisable data kept with the entry. @default {} */
  metadata?: Record<string, unknown>;
}

/** A line that could not be read, skipped when the store was opened. */
export interface CorruptLine {
  /** 1-based line number. */
  line: number;
  /** Byte offset of the line's start in the file. */
  offset: number;
  /** What was wrong: not UTF-8, not JSON, not a memory record. */
  reason: string;
}

/** The partial record a crash left at the end of the file, dropped when the store was opened. */
export interface TornLine {
  /** 1-based line number of the partial record. */
  line: number;
  /** Byte offset where it started (the length the file was cut back to). */
  offset: number;
  /** Its size in bytes. */
  bytes: number;
}

type PutRecord = {
  v: typeof MEMORY_RECORD_VERSION;
  op: 'put';
  id: string;
  content: string;
  metadata: Record<string, unknown>;
  ts: string;
};
type DeleteRecord = { v: typeof MEMORY_RECORD_VERSION; op: 'del'; id: string; ts: string };
type MemoryRecord = PutRecord | DeleteRecord;

interface PendingWrite {
  bytes: Buffer;
  apply: () => void;
  resolve: () => void;
  reject: (e: unknown) => void;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const NEWLINE = 0x0a;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The record a line holds, or why it holds none. */
function parseRecord(bytes: Buffer, start: number, end: number): MemoryRecord | string {
  let text: string;
  try {
    text = utf8.decode(bytes.subarray(start, end));
  } catch {
    return 'not valid UTF-8';
  }
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return 'not valid JSON';
  }
  if (!isPlainObject(v)) return 'not a memory record (not an object)';
  if (v.v !== MEMORY_RECORD_VERSION) return `not a memory record (version ${JSON.stringify(v.v)})`;
  if (typeof v.id !== 'string' || v.id === '') return 'not a memory record (no id)';
  if (typeof v.ts !== 'string') return 'not a memory record (no ts)';
  if (v.op === 'del') return v as DeleteRecord;
  if (v.op !== 'put') return 'not a memory record (unknown op)';
  if (typeof v.content !== 'string') return 'not a memory record (content is not a string)';
  if (!isPlainObject(v.metadata)) return 'not a memory record (metadata is not an object)';
  return v as PutRecord;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

function toEntry(r: PutRecord): StoredMemoryEntry {
  return deepFreeze({ id: r.id, content: r.content, metadata: r.metadata, writtenAt: r.ts });
}

function errorCode(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null ? (e as { code?: string }).code : undefined;
}

/** Fsyncs a directory, so a file created in it survives a crash. Not possible on Windows (ignored there). */
async function syncDirectory(dir: string): Promise<void> {
  if (process.platform === 'win32') return;
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Writes all of `bytes` (a short write continues where it stopped). */
async function writeAll(handle: FileHandle, bytes: Buffer): Promise<void> {
  let done = 0;
  while (done < bytes.length) {
    const { bytesWritten } = await handle.write(bytes, done, bytes.length - done);
    if (bytesWritten <= 0) throw new Error('write made no progress');
    done += bytesWritten;
  }
}

/**
 * A memory store in a JSON Lines file, for agents that keep memory on local disk.
 *
 * ```ts
 * import { PersistentMemoryStore } from '@memgar/core/node';
 * const store = await PersistentMemoryStore.open({ path: 'memory.jsonl' });
 * const entry = await store.add({ content: 'User prefers metric units' }); // on disk when this resolves
 * store.get(entry.id);
 * await store.delete(entry.id);
 * await store.close();
 * ```
 *
 * Each line is one record: `{"v":1,"op":"put","id","content","metadata","ts"}` or a tombstone
 * `{"v":1,"op":"del","id","ts"}`; the last record for an id wins. Writes are appended and
 * `fdatasync`ed before their promise resolves (concurrent writes share one sync), and an entry is
 * visible to `get`/`list` once it is durable. One writer per file: `open` takes `<path>.lock`
 * (`O_EXCL`, with the pid), a second writer gets `LockedError`, and a lock left by a process that
 * is gone is taken over.
 */
export class PersistentMemoryStore {
  /** The store's file (absolute). */
  readonly path: string;
  /** Lines skipped when the store was opened (empty with `strict`, which throws instead). */
  readonly corruptLines: readonly CorruptLine[];
  /** The partial last record dropped when the store was opened, if a crash left one. */
  readonly tornTail: TornLine | undefined;
  /** Whether the store was opened `readOnly`. */
  readonly readOnly: boolean;

  private readonly entries: Map<string, StoredMemoryEntry>;
  private readonly handle: FileHandle | null;
  private readonly lock: FileLock | null;
  /** Ids with a write queued or in flight, and how many. */
  private readonly pendingIds = new Map<string, number>();
  private queue: PendingWrite[] = [];
  private flushing: Promise<void> | null = null;
  /** File size covered by acknowledged (or loaded) records. */
  private committedBytes: number;
  private closed = false;
  /** Set when a failed append could not be rolled back: the file may end in a partial record. */
  private failure: unknown = null;

  private constructor(init: {
    path: string;
    entries: Map<string, StoredMemoryEntry>;
    corruptLines: CorruptLine[];
    tornTail: TornLine | undefined;
    handle: FileHandle | null;
    lock: FileLock | null;
    size: number;
    readOnly: boolean;
  }) {
    this.path = init.path;
    this.entries = init.entries;
    this.corruptLines = Object.freeze(init.corruptLines);
    this.tornTail = init.tornTail;
    this.handle = init.handle;
    this.lock = init.lock;
    this.committedBytes = init.size;
    this.readOnly = init.readOnly;
  }

  /**
   * Opens (or creates) the store at `options.path`: takes the writer lock (`LockedError` when
   * another live process holds it), replays the file, skips and lists corrupt lines (or throws
   * `CorruptDataError` with `strict`), and drops a torn last line. I/O failures are `StorageError`s.
   */
  static async open(options: PersistentMemoryStoreOptions): Promise<PersistentMemoryStore> {
    if (typeof options !== 'object' || options === null) {
      throw new InvalidOptionError('path', 'options must be an object with a path');
    }
    if (typeof options.path !== 'string' || options.path === '') {
      throw new InvalidOptionError('path', 'path must be a non-empty string');
    }
    const strict = options.strict ?? false;
    const readOnly = options.readOnly ?? false;
    if (typeof strict !== 'boolean') throw new InvalidOptionError('strict', 'strict must be a boolean');
    if (typeof readOnly !== 'boolean') throw new InvalidOptionError('readOnly', 'readOnly must be a boolean');
    const path = resolve(options.path);
    const lock = readOnly ? null : await acquireFileLock(`${path}.lock`, path);
    let handle: FileHandle | null = null;
    try {
      let created = false;
      if (!readOnly) {
        try {
          handle = await open(path, 'ax');
          created = true;
        } catch (e) {
          if (errorCode(e) !== 'EEXIST') throw e;
          handle = await open(path, 'a');
        }
        if (created) await syncDirectory(dirname(path));
      }
      let bytes: Buffer;
      try {
        bytes = await readFile(path);
      } catch (e) {
        if (readOnly && errorCode(e) === 'ENOENT') {
          throw new NotFoundError(`no memory store at ${path}`, { resource: path }, { cause: e });
        }
        throw e;
      }
      const loaded = replay(bytes, path, strict);
      let size = bytes.length;
      if (handle !== null && loaded.tailEnd < bytes.length) {
        if (loaded.tailRecord) {
          // A complete record that lost only its newline: keep it, end its line.
          await writeAll(handle, Buffer.from('\n'));
          size += 1;
        } else {
          // A torn append, never acknowledged: drop it so the next record starts on a line of its own.
          await handle.truncate(loaded.tailEnd);
          size = loaded.tailEnd;
        }
        await handle.datasync();
      }
      return new PersistentMemoryStore({
        path,
        entries: loaded.entries,
        corruptLines: loaded.corruptLines,
        tornTail: loaded.tornTail,
        handle,
        lock,
        size,
        readOnly,
      });
    } catch (e) {
      await handle?.close().catch(() => undefined);
      await lock?.release().catch(() => undefined);
      // Memgar errors (CorruptDataError, NotFoundError) pass through; I/O errors become StorageErrors.
      if (MemgarError.isInstance(e)) throw e;
      throw new StorageError(`cannot open memory store ${path}: ${(e as Error).message}`, { cause: e });
    }
  }

  /** How many entries the store holds. */
  get size(): number {
    return this.entries.size;
  }

  /** The entry with this id, or `undefined`. */
  get(id: string): StoredMemoryEntry | undefined {
    return this.entries.get(id);
  }

  /** Whether an entry with this id is stored. */
  has(id: string): boolean {
    return this.entries.has(id);
  }

  /** Every entry, in the order they were first written (a rewritten entry keeps its place). */
  list(): StoredMemoryEntry[] {
    return [...this.entries.values()];
  }

  /**
   * Writes an entry (a new id, or a new version of an existing one) and resolves with it once it is
   * appended and synced to disk. `InvalidInputError` for a bad entry (no content string, metadata
   * that is not a JSON object); `StorageError` when the disk write fails (nothing is then stored).
   */
  async add(entry: MemoryEntryInput): Promise<StoredMemoryEntry> {
    const record = this.putRecord(entry);
    const stored = toEntry(record);
    await this.append(record, () => {
      this.entries.set(stored.id, stored);
    });
    return stored;
  }

  /** `add`, as a `MemoryBackend`: resolves (with nothing) once the entry is on disk. */
  async write(entry: MemoryBackendEntry | MemoryEntryInput): Promise<void> {
    await this.add(entry);
  }

  /**
   * Deletes the entry with this id by appending a tombstone (synced before it resolves). Resolves
   * to false, writing nothing, when there is no such entry (stored or being written).
   */
  async delete(id: string): Promise<boolean> {
    if (typeof id !== 'string' || id === '')
      throw new InvalidInputError('id', 'id must be a non-empty string');
    this.checkWritable();
    if (!this.entries.has(id) && !this.pendingIds.has(id)) return false;
    const record: DeleteRecord = { v: MEMORY_RECORD_VERSION, op: 'del', id, ts: new Date().toISOString() };
    let existed = false;
    await this.append(record, () => {
      existed = this.entries.delete(id);
    });
    return existed;
  }

  /**
   * Waits for pending writes, closes the file and releases the lock. Later writes throw
   * `StorageError`; reads keep working on what was loaded. Idempotent.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    while (this.flushing !== null) await this.flushing;
    try {
      await this.handle?.close();
    } finally {
      await this.lock?.release();
    }
  }

  private checkWritable(): void {
    if (this.readOnly) throw new StorageError(`memory store ${this.path} was opened readOnly`);
    if (this.closed) throw new StorageError(`memory store ${this.path} is closed`);
    if (this.failure !== null) {
      throw new StorageError(
        `memory store ${this.path} failed to roll back a failed write; reopen it to repair the file`,
        { cause: this.failure },
      );
    }
  }

  private putRecord(entry: MemoryEntryInput): PutRecord {
    if (!isPlainObject(entry)) throw new InvalidInputError('entry', 'entry must be an object');
    const id = entry.id ?? randomUUID();
    if (typeof id !== 'string' || id === '')
      throw new InvalidInputError('id', 'entry.id must be a non-empty string');
    if (typeof entry.content !== 'string')
      throw new InvalidInputError('content', 'entry.content must be a string');
    const metadata = entry.metadata ?? {};
    if (!isPlainObject(metadata))
      throw new InvalidInputError('metadata', 'entry.metadata must be a plain object');
    let copy: unknown;
    try {
      copy = JSON.parse(JSON.stringify(metadata));
    } catch (e) {
      throw new InvalidInputError('metadata', 'entry.metadata must be JSON-serialisable', { cause: e });
    }
    return {
      v: MEMORY_RECORD_VERSION,
      op: 'put',
      id,
      content: entry.content,
      metadata: copy as Record<string, unknown>,
      ts: new Date().toISOString(),
    };
  }

  private append(record: MemoryRecord, apply: () => void): Promise<void> {
    this.checkWritable();
    const bytes = Buffer.from(`${JSON.stringify(record)}\n`, 'utf8');
    const id = record.id;
    this.pendingIds.set(id, (this.pendingIds.get(id) ?? 0) + 1);
    const done = (): void => {
      const n = (this.pendingIds.get(id) ?? 1) - 1;
      if (n === 0) this.pendingIds.delete(id);
      else this.pendingIds.set(id, n);
    };
    return new Promise<void>((resolve, reject) => {
      this.queue.push({
        bytes,
        apply,
        resolve: () => {
          done();
          resolve();
        },
        reject: (e) => {
          done();
          reject(e);
        },
      });
      if (this.flushing === null) {
        // Cleared in `finally`, which always runs after this assignment (even if flush ends at once).
        this.flushing = this.flush().finally(() => {
          this.flushing = null;
        });
      }
    });
  }

  /** Group commit: writes everything queued as one append and one sync, in order, until the queue is empty. */
  private async flush(): Promise<void> {
    const handle = this.handle!;
    while (this.queue.length > 0) {
      const batch = this.queue;
      this.queue = [];
      if (this.failure !== null) {
        for (const w of batch)
          w.reject(new StorageError(`memory store ${this.path} is unusable`, { cause: this.failure }));
        continue;
      }
      try {
        await writeAll(handle, Buffer.concat(batch.map((w) => w.bytes)));
        await handle.datasync();
      } catch (e) {
        // Roll the file back to the last acknowledged record, so a later append does not follow a partial one.
        try {
          await handle.truncate(this.committedBytes);
          await handle.datasync();
        } catch (rollback) {
          this.failure = rollback;
        }
        const err = new StorageError(`cannot append to memory store ${this.path}: ${(e as Error).message}`, {
          cause: e,
        });
        for (const w of batch) w.reject(err);
        continue;
      }
      for (const w of batch) {
        this.committedBytes += w.bytes.length;
        w.apply();
        w.resolve();
      }
    }
  }
}

interface Replayed {
  entries: Map<string, StoredMemoryEntry>;
  corruptLines: CorruptLine[];
  tornTail: TornLine | undefined;
  /** End of the last complete line (the file's length when it ends with a newline). */
  tailEnd: number;
  /** A last line without its newline that still holds a whole record (kept). */
  tailRecord: boolean;
}

/** Replays the records of `bytes` (a store file). Linear in its size. */
function replay(bytes: Buffer, file: string, strict: boolean): Replayed {
  const entries = new Map<string, StoredMemoryEntry>();
  const corruptLines: CorruptLine[] = [];
  let tornTail: TornLine | undefined;
  let tailEnd = bytes.length;
  let tailRecord = false;
  let line = 0;
  let start = 0;
  while (start < bytes.length) {
    line++;
    const nl = bytes.indexOf(NEWLINE, start);
    const end = nl < 0 ? bytes.length : nl;
    const next = nl < 0 ? bytes.length : nl + 1;
    const lineStart = start;
    start = next;
    // Blank lines (only white space) carry nothing.
    let blank = true;
    for (let i = lineStart; i < end && blank; i++) {
      const b = bytes[i];
      blank = b === 0x20 || b === 0x09 || b === 0x0d;
    }
    if (blank) continue;
    const record = parseRecord(bytes, lineStart, end);
    if (typeof record === 'string') {
      if (nl < 0) {
        tornTail = { line, offset: lineStart, bytes: end - lineStart };
        tailEnd = lineStart;
        continue;
      }
      if (strict) {
        throw new CorruptDataError(`${file}:${line}: ${record}`, { file, line });
      }
      corruptLines.push({ line, offset: lineStart, reason: record });
      continue;
    }
    if (nl < 0) {
      tailRecord = true;
      tailEnd = lineStart;
    }
    if (record.op === 'put') entries.set(record.id, toEntry(record));
    else entries.delete(record.id);
  }
  return { entries, corruptLines, tornTail, tailEnd, tailRecord };
}

import { type FileHandle, open, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import {
  CorruptDataError,
  IntegrityError,
  InvalidInputError,
  InvalidOptionError,
  StorageError,
} from '../errors/index.js';
import { acquireFileLock, type FileLock } from '../store/file-lock.js';
import {
  ChainVerifier,
  GENESIS_HASH,
  LEDGER_VERSION,
  type LedgerFailure,
  type LedgerRecord,
  ledgerKeyId,
  parseRecord,
  recordHash,
  recordMac,
  serializeRecord,
} from './ledger-record.js';
import { readLines } from './line-reader.js';
import { sha256Hex } from './sha256.js';

/** Shortest HMAC key accepted, in bytes. */
export const MIN_LEDGER_KEY_BYTES = 32;

/** Options of `MemoryLedger.open`. */
export interface MemoryLedgerOptions {
  /** Path of the JSONL ledger file. */
  path: string;
  /** The HMAC-SHA256 key: at least 32 bytes (e.g. `randomBytes(32)`). It is copied. */
  key: Uint8Array;
  /** Create the file (and take its first lock) when it does not exist. @default true */
  create?: boolean;
  /**
   * Verify every record while opening (one SHA-256 and one HMAC per record). `false` checks only
   * the last record, for very large ledgers; run `verify()` separately then.
   * @default true
   */
  verifyOnOpen?: boolean;
  /**
   * Appends issued while a write is being synced go out together in the next write and one fsync.
   * Each `append` still resolves only after the fsync that covers its record.
   * @default true
   */
  groupCommit?: boolean;
  /**
   * Call fdatasync before an `append` resolves. `false` is only for bulk imports you can redo: an
   * acknowledged record can then be lost on power failure (not on a process crash).
   * @default true
   */
  fsync?: boolean;
  /**
   * When the last line is torn (a crash mid-write), truncate it while opening instead of waiting
   * for an explicit `repair()`.
   * @default false
   */
  repairTornTail?: boolean;
}

/** An event to append. */
export interface LedgerEvent {
  /** Event type: 1–64 characters of `A-Z a-z 0-9 _ . : -`, starting with a letter (e.g. `register`). */
  type: string;
  /** The memory entry it concerns (1–1024 characters). */
  entryId: string;
  /** The entry's content; its SHA-256 is recorded. Exclusive with `contentHash`. */
  content?: string | Uint8Array;
  /** A precomputed hex SHA-256 of the content, or null for events without content. @default null */
  contentHash?: string | null;
}

/** A position in the ledger: a record's seq and hash. */
export interface LedgerHead {
  /** The record's seq. */
  seq: number;
  /** The record's hash (hex). */
  hash: string;
}

/** Options of `MemoryLedger.verify` (static). */
export interface LedgerVerifyOptions {
  /** Path of the ledger file. */
  path: string;
  /** The HMAC key it was written with. */
  key: Uint8Array;
  /**
   * A head recorded earlier (e.g. after a batch, kept elsewhere). The ledger must still contain
   * it: this is what detects records cut off the end at a line boundary, which no chain can.
   * @default undefined (no check)
   */
  expectHead?: LedgerHead;
}

/** The outcome of a verification. */
export interface LedgerVerifyResult {
  /** True when every record verifies (and `expectHead`, if given, is there). */
  ok: boolean;
  /** Records that verified, counted from the start up to the first bad one. */
  records: number;
  /** The last record that verified; undefined for an empty ledger. */
  head: LedgerHead | undefined;
  /** The first record that does not verify. */
  firstBad?: LedgerFailure;
}

/** A last line without its newline, left by a write that was cut off. */
export interface TornTail {
  /** Its 1-based line number. */
  line: number;
  /** Byte offset where it starts (the length the file is truncated to by `repair()`). */
  offset: number;
  /** Its length in bytes. */
  bytes: number;
}

/** What `repair()` did. */
export interface LedgerRepairResult {
  /** The torn line that was removed, if there was one. */
  removed: TornTail | undefined;
  /** Records in the ledger afterwards. */
  records: number;
}

const EVENT_TYPE = /^[A-Za-z][A-Za-z0-9_.:-]{0,63}$/;
const HEX64 = /^[0-9a-f]{64}$/;

function errno(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error
    ? String((error as { code: unknown }).code)
    : undefined;
}

function checkKey(key: unknown): Buffer {
  if (!(key instanceof Uint8Array)) {
    throw new InvalidOptionError('key', 'key: must be a Buffer or Uint8Array (not a string)');
  }
  if (key.length < MIN_LEDGER_KEY_BYTES) {
    throw new InvalidOptionError(
      'key',
      `key: must be at least ${MIN_LEDGER_KEY_BYTES} bytes, got ${key.length}`,
    );
  }
  return Buffer.from(key);
}

function checkPath(path: unknown): string {
  if (typeof path !== 'string' || path.length === 0) {
    throw new InvalidOptionError('path', 'path: must be a non-empty string');
  }
  return path;
}

/** Makes a newly created file's directory entry durable. */
async function syncDirectory(dir: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch (error) {
    // Some platforms cannot fsync a directory; the file itself is still synced.
    if (!['EISDIR', 'EINVAL', 'EPERM', 'EACCES'].includes(errno(error) ?? '')) throw error;
  } finally {
    await handle?.close();
  }
}

function failureError(path: string, f: LedgerFailure): Error {
  if (f.reason === 'malformed' || f.reason === 'truncated') {
    return new CorruptDataError(`${path}:${f.line}: ${f.message}`, { file: path, line: f.line });
  }
  return new IntegrityError(`${path}:${f.line}: seq ${f.seq}: ${f.reason}: ${f.message}`, {
    what: 'ledger',
  });
}

/** Scans and verifies a whole file: the verification result plus a torn tail, if any. */
async function scan(
  handle: FileHandle,
  key: Uint8Array,
  expectHead: LedgerHead | undefined,
): Promise<{ result: LedgerVerifyResult; torn: TornTail | undefined }> {
  const verifier = new ChainVerifier(key);
  let torn: TornTail | undefined;
  let firstBad: LedgerFailure | undefined;
  let lines = 0;
  let expectedFound: boolean | undefined;
  for await (const l of readLines(handle)) {
    lines = l.line;
    if (!l.terminated) torn = { line: l.line, offset: l.start, bytes: l.end - l.start };
    if (firstBad !== undefined) continue;
    firstBad = verifier.push(l.text, l.line, l.terminated);
    if (firstBad === undefined && expectHead !== undefined && verifier.records === expectHead.seq) {
      expectedFound = verifier.head === expectHead.hash;
      if (!expectedFound) {
        firstBad = {
          seq: expectHead.seq,
          line: l.line,
          reason: 'head',
          message: `record ${expectHead.seq} is not the expected head ${expectHead.hash}`,
        };
      }
    }
  }
  if (firstBad === undefined && expectHead !== undefined && expectedFound === undefined) {
    firstBad = {
      seq: verifier.records + 1,
      line: lines + 1,
      reason: 'head',
      message: `the ledger ends at seq ${verifier.records}, before the expected head seq ${expectHead.seq}: records were cut off`,
    };
  }
  const head = verifier.records === 0 ? undefined : { seq: verifier.records, hash: verifier.head };
  const result: LedgerVerifyResult = { ok: firstBad === undefined, records: verifier.records, head };
  if (firstBad !== undefined) result.firstBad = firstBad;
  return { result, torn };
}

/** Reads only the last complete record and checks its key id, hash and MAC. */
async function scanTail(
  handle: FileHandle,
  path: string,
  key: Uint8Array,
): Promise<{ head: LedgerHead | undefined; torn: TornTail | undefined }> {
  let last: { text: string; line: number } | undefined;
  let torn: TornTail | undefined;
  for await (const l of readLines(handle)) {
    if (l.terminated) last = { text: l.text, line: l.line };
    else torn = { line: l.line, offset: l.start, bytes: l.end - l.start };
  }
  if (last === undefined) return { head: undefined, torn };
  const r = parseRecord(last.text);
  if (r === undefined) {
    throw new CorruptDataError(`${path}:${last.line}: the last record is not a ledger record`, {
      file: path,
      line: last.line,
    });
  }
  if (r.kid !== ledgerKeyId(key) || recordHash(r) !== r.hash || recordMac(key, r.hash) !== r.mac) {
    throw new IntegrityError(`${path}:${last.line}: the last record does not verify with this key`, {
      what: 'ledger',
    });
  }
  return { head: { seq: r.seq, hash: r.hash }, torn };
}

interface Pending {
  line: string;
  record: LedgerRecord;
  resolve: (record: LedgerRecord) => void;
  reject: (error: unknown) => void;
}

/**
 * An append-only, hash-chained and keyed JSONL ledger of memory events. Every record carries the
 * previous record's hash and an HMAC of its own, so edits, deletions, insertions, reordering and
 * records forged without the key are found by `verify()`, which names the first bad record.
 *
 * One writer at a time: `open` takes an exclusive lock file (`<path>.lock`, holding the pid); a
 * second writer gets `LockedError`, and a lock left by a dead process is taken over.
 *
 * A torn last line (a crash mid-write) does not stop `open`: it is reported in `tornTail`,
 * `append` refuses until `repair()` truncates exactly that line, and every complete record is kept.
 */
export class MemoryLedger {
  /** The ledger file. */
  readonly path: string;
  private readonly key: Buffer;
  private readonly kid: string;
  private readonly handle: FileHandle;
  private readonly lock: FileLock;
  private readonly groupCommit: boolean;
  private readonly fsync: boolean;
  private seq: number;
  private lastHash: string;
  private torn: TornTail | undefined;
  private queue: Pending[] = [];
  private flushing: Promise<void> | undefined;
  private failed: unknown;
  private closed = false;

  private constructor(init: {
    path: string;
    key: Buffer;
    handle: FileHandle;
    lock: FileLock;
    head: LedgerHead | undefined;
    torn: TornTail | undefined;
    groupCommit: boolean;
    fsync: boolean;
  }) {
    this.path = init.path;
    this.key = init.key;
    this.kid = ledgerKeyId(init.key);
    this.handle = init.handle;
    this.lock = init.lock;
    this.seq = init.head?.seq ?? 0;
    this.lastHash = init.head?.hash ?? GENESIS_HASH;
    this.torn = init.torn;
    this.groupCommit = init.groupCommit;
    this.fsync = init.fsync;
  }

  /**
   * Opens (or creates) a ledger for appending. Throws `InvalidOptionError` for a key under 32
   * bytes, `LockedError` when another live process holds it, `StorageError` when the file is
   * missing and `create` is false, `IntegrityError` / `CorruptDataError` when a record before the
   * last line does not verify (use the static `verify` to inspect such a file).
   */
  static async open(options: MemoryLedgerOptions): Promise<MemoryLedger> {
    const path = checkPath(options.path);
    const key = checkKey(options.key);
    const create = options.create ?? true;
    let existed = true;
    try {
      await stat(path);
    } catch (error) {
      if (errno(error) !== 'ENOENT') throw new StorageError(`cannot stat ${path}`, { cause: error });
      if (!create) throw new StorageError(`ledger file ${path} does not exist`, { cause: error });
      existed = false;
    }
    const lock = await acquireFileLock(`${path}.lock`, path);
    let handle: FileHandle | undefined;
    try {
      try {
        handle = await open(path, 'a+', 0o600);
      } catch (error) {
        throw new StorageError(`cannot open ${path}`, { cause: error });
      }
      if (!existed) await syncDirectory(dirname(path));
      let head: LedgerHead | undefined;
      let torn: TornTail | undefined;
      if (options.verifyOnOpen ?? true) {
        const s = await scan(handle, key, undefined);
        torn = s.torn;
        const bad = s.result.firstBad;
        if (bad !== undefined && !(bad.reason === 'truncated' && torn !== undefined)) {
          throw failureError(path, bad);
        }
        head = s.result.head;
      } else {
        ({ head, torn } = await scanTail(handle, path, key));
      }
      const ledger = new MemoryLedger({
        path,
        key,
        handle,
        lock,
        head,
        torn,
        groupCommit: options.groupCommit ?? true,
        fsync: options.fsync ?? true,
      });
      if (torn !== undefined && options.repairTornTail === true) await ledger.repair();
      return ledger;
    } catch (error) {
      await handle?.close().catch(() => undefined);
      await lock.release().catch(() => undefined);
      throw error;
    }
  }

  /**
   * Verifies a ledger file without opening it for writing (no lock is taken, so it can run next to
   * the writer; a record being written at that moment may show as `truncated`).
   */
  static async verify(options: LedgerVerifyOptions): Promise<LedgerVerifyResult> {
    const path = checkPath(options.path);
    const key = checkKey(options.key);
    let handle: FileHandle;
    try {
      handle = await open(path, 'r');
    } catch (error) {
      throw new StorageError(`cannot open ${path}`, { cause: error });
    }
    try {
      return (await scan(handle, key, options.expectHead)).result;
    } finally {
      await handle.close();
    }
  }

  /** The last record appended (or found at open); undefined while the ledger is empty. */
  get head(): LedgerHead | undefined {
    return this.seq === 0 ? undefined : { seq: this.seq, hash: this.lastHash };
  }

  /** The torn last line found at open, until `repair()` removes it. */
  get tornTail(): TornTail | undefined {
    return this.torn;
  }

  /**
   * Appends one record and resolves once it is on disk (after fdatasync, unless `fsync: false`).
   * Records are chained in call order. After a failed write every later append rejects with
   * `StorageError`: reopen the ledger, which re-reads what reached the disk.
   */
  append(event: LedgerEvent): Promise<LedgerRecord> {
    try {
      this.checkWritable();
      const record = this.buildRecord(event);
      return new Promise<LedgerRecord>((resolve, reject) => {
        this.queue.push({ line: serializeRecord(record), record, resolve, reject });
        this.kick();
      });
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Verifies the whole file as written so far (waits for pending appends first). */
  async verify(options: { expectHead?: LedgerHead } = {}): Promise<LedgerVerifyResult> {
    this.checkOpen();
    await this.flushing;
    return (await scan(this.handle, this.key, options.expectHead)).result;
  }

  /** The records that verify, in order, stopping before the first one that does not. */
  async *records(): AsyncGenerator<LedgerRecord> {
    this.checkOpen();
    await this.flushing;
    const verifier = new ChainVerifier(this.key);
    for await (const l of readLines(this.handle)) {
      if (verifier.push(l.text, l.line, l.terminated) !== undefined) return;
      yield parseRecord(l.text)!;
    }
  }

  /**
   * Removes a torn last line (and only that): the file is truncated to the end of the last
   * complete record and synced. Such a line was never acknowledged: `append` resolves only after
   * its whole line, newline included, is synced.
   */
  async repair(): Promise<LedgerRepairResult> {
    this.checkOpen();
    await this.flushing;
    const removed = this.torn;
    if (removed !== undefined) {
      try {
        await this.handle.truncate(removed.offset);
        await this.handle.datasync();
      } catch (error) {
        throw new StorageError(`cannot truncate ${this.path}`, { cause: error });
      }
      this.torn = undefined;
    }
    return { removed, records: this.seq };
  }

  /** Waits for pending appends, closes the file and releases the lock. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.flushing;
    } finally {
      await this.handle.close().catch(() => undefined);
      await this.lock.release();
    }
  }

  private checkOpen(): void {
    if (this.closed) throw new StorageError(`ledger ${this.path} is closed`);
  }

  private checkWritable(): void {
    this.checkOpen();
    if (this.failed !== undefined) {
      throw new StorageError(`a write to ${this.path} failed; reopen the ledger`, { cause: this.failed });
    }
    if (this.torn !== undefined) {
      throw new CorruptDataError(
        `${this.path}:${this.torn.line}: the last line is torn (a write was cut off); call repair() before appending`,
        { file: this.path, line: this.torn.line },
      );
    }
  }

  private buildRecord(event: LedgerEvent): LedgerRecord {
    if (typeof event !== 'object' || event === null)
      throw new InvalidInputError('event', 'must be an object');
    if (typeof event.type !== 'string' || !EVENT_TYPE.test(event.type)) {
      throw new InvalidInputError(
        'type',
        'type: 1–64 characters of A-Z a-z 0-9 _ . : -, starting with a letter',
      );
    }
    if (typeof event.entryId !== 'string' || event.entryId.length === 0 || event.entryId.length > 1024) {
      throw new InvalidInputError('entryId', 'entryId: a string of 1–1024 characters');
    }
    let contentHash: string | null = null;
    if (event.content !== undefined) {
      if (event.contentHash !== undefined) {
        throw new InvalidInputError('contentHash', 'give content or contentHash, not both');
      }
      if (typeof event.content !== 'string' && !(event.content instanceof Uint8Array)) {
        throw new InvalidInputError('content', 'content: a string or bytes');
      }
      contentHash = sha256Hex(event.content);
    } else if (event.contentHash !== undefined && event.contentHash !== null) {
      if (typeof event.contentHash !== 'string' || !HEX64.test(event.contentHash)) {
        throw new InvalidInputError('contentHash', 'contentHash: 64 lower-case hex digits');
      }
      contentHash = event.contentHash;
    }
    const base = {
      v: LEDGER_VERSION,
      seq: this.seq + 1,
      ts: new Date().toISOString(),
      type: event.type,
      entryId: event.entryId,
      contentHash,
      kid: this.kid,
      prevHash: this.lastHash,
    };
    const hash = recordHash(base);
    const record: LedgerRecord = { ...base, hash, mac: recordMac(this.key, hash) };
    this.seq = record.seq;
    this.lastHash = hash;
    return record;
  }

  /** Starts the writer unless it runs; it drains the queue, one write and one sync per batch. */
  private kick(): void {
    if (this.flushing !== undefined) return;
    this.flushing = this.drain().finally(() => {
      this.flushing = undefined;
      if (this.queue.length > 0) this.kick();
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.groupCommit ? this.queue.splice(0) : this.queue.splice(0, 1);
      if (this.failed !== undefined) {
        const e = new StorageError(`a write to ${this.path} failed`, { cause: this.failed });
        for (const p of batch) p.reject(e);
        continue;
      }
      try {
        const data = Buffer.from(batch.map((p) => p.line).join(''), 'utf8');
        let written = 0;
        while (written < data.length) {
          const { bytesWritten } = await this.handle.write(data, written, data.length - written);
          written += bytesWritten;
        }
        if (this.fsync) await this.handle.datasync();
        for (const p of batch) p.resolve(p.record);
      } catch (error) {
        this.failed = error;
        const e = new StorageError(`cannot append to ${this.path}`, { cause: error });
        for (const p of batch) p.reject(e);
      }
    }
  }
}

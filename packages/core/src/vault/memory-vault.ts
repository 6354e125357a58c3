import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import {
  CorruptDataError,
  IntegrityError,
  InvalidInputError,
  InvalidOptionError,
  NotFoundError,
  StorageError,
} from '../errors/index.js';
import { canonicalJson } from '../integrity/canonical-json.js';
import { type StoredRotation, signRotation, trustedKeys } from './key-rotation.js';
import { type JsonValue, sha256Hex } from './sha256.js';
import {
  entryHash,
  manifestText,
  parseManifest,
  SNAPSHOT_SIGNATURE_DOMAIN,
  type SnapshotManifest,
  type SnapshotManifestEntry,
} from './snapshot-manifest.js';
import { checkVaultKey, signText, type VaultKey, verifyText } from './vault-keys.js';
import {
  loadSqlite,
  mapSqliteError,
  type SqliteDatabase,
  VAULT_SCHEMA,
  VAULT_SCHEMA_VERSION,
  VAULT_TABLES,
} from './vault-schema.js';

/** Options of `MemoryVault.open`. */
export interface MemoryVaultOptions {
  /** Path of the SQLite file. */
  path: string;
  /** Create the file when it does not exist. @default true */
  create?: boolean;
  /**
   * The Ed25519 key that signs new snapshots (its public half is also trusted for verifying).
   * Without it the vault can verify, plan and roll back, but not take snapshots.
   * @default undefined
   */
  signingKey?: VaultKey;
  /**
   * Public keys trusted to verify snapshots, besides `signingKey`. Keys stored in the vault file
   * are never trusted on their own; an old key is trusted when a trusted key vouched for it at
   * rotation (see `rotateKey`).
   * @default []
   */
  trustedKeys?: readonly VaultKey[];
  /** How long a write waits for another connection's lock, in milliseconds. @default 5000 */
  busyTimeoutMs?: number;
  /**
   * SQLite check run while opening: `quick` (`PRAGMA quick_check`, reads every page once), `full`
   * (`integrity_check`, also checks indexes) or `none` (corruption is then found when read).
   * @default 'quick'
   */
  integrityCheck?: 'none' | 'quick' | 'full';
}

/** An entry to register. */
export interface VaultEntryInput {
  /** Stable id (1–1024 characters). Registering an existing id replaces it. */
  id: string;
  /** The memory text. */
  content: string;
  /** Where it came from (a URL, a tool name, `user`…): 1–2048 characters. Part of the integrity scope. */
  source: string;
  /** Provenance details; JSON only. Part of the integrity scope. @default undefined */
  metadata?: Record<string, JsonValue>;
}

/** An entry as stored. */
export interface VaultEntry {
  /** The entry id. */
  id: string;
  /** The memory text. */
  content: string;
  /** Where it came from. */
  source: string;
  /** Provenance details, as registered; undefined when there were none. */
  metadata: Record<string, JsonValue> | undefined;
  /** Hex SHA-256 of `content`. */
  contentHash: string;
  /** Hex SHA-256 over id, content hash, source and metadata. */
  hash: string;
  /** ISO 8601, UTC. */
  updatedAt: string;
}

/** A stored snapshot, as listed (these columns are informational: only the signed manifest counts). */
export interface SnapshotSummary {
  /** The snapshot id (a UUID). */
  id: string;
  /** The name given to `takeSnapshot`. */
  name: string;
  /** ISO 8601, UTC. */
  createdAt: string;
  /** Id of the key that signed it. */
  keyId: string;
  /** Entries recorded. */
  entryCount: number;
}

/** Why a snapshot does not verify. */
export type SnapshotFailureReason =
  /** No signature stored. */
  | 'unsigned'
  /** The stored manifest is not a manifest. */
  | 'malformed'
  /** The manifest names another snapshot id, vault or key than its row: copied or edited. */
  | 'mismatch'
  /** The signing key is not trusted: not given to `open` and not vouched for by a trusted key. */
  | 'unknown-key'
  /** The signature does not verify: the manifest or signature was edited or swapped. */
  | 'bad-signature'
  /** The signature verifies but the stored copies of the entries differ from the manifest. */
  | 'data-mismatch';

/** The result of `verifySnapshot`. */
export interface SnapshotVerification {
  /** The snapshot checked. */
  snapshotId: string;
  /** The signature verifies and the stored entry copies match the manifest. */
  valid: boolean;
  /** The signature verifies with a trusted key. */
  signatureValid: boolean;
  /** The key id the manifest names, when it could be read. */
  keyId: string | undefined;
  /** Why it is not valid; absent when it is. */
  reason?: SnapshotFailureReason;
}

/** The result of `verifyCurrent`: the snapshot against the live entries. */
export interface CurrentVerification extends SnapshotVerification {
  /** Ids live now but not in the snapshot. */
  added: string[];
  /** Ids in the snapshot but not live. */
  removed: string[];
  /** Ids whose content, source or metadata changed. */
  modified: string[];
}

/** What a rollback changes. Computed even when the snapshot does not verify (then it cannot be applied). */
export interface RollbackPlan {
  /** The snapshot rolled back to. */
  snapshotId: string;
  /** The snapshot verifies (signature and stored copies); a rollback needs it. */
  verified: boolean;
  /** Why the snapshot does not verify; absent when it does. */
  reason?: SnapshotFailureReason;
  /** Ids re-created from the snapshot (removed since). */
  restore: string[];
  /** Ids deleted (added since). */
  remove: string[];
  /** Ids overwritten with the snapshot's version (modified since). */
  revert: string[];
  /** Entries left as they are. */
  unchanged: number;
}

/** Options of `applyRollback`. */
export interface ApplyRollbackOptions {
  /** Must be `true`: a rollback deletes and overwrites entries. */
  confirmed: boolean;
}

/** Options of `rotateKey`. */
export interface RotateKeyOptions {
  /**
   * Store a statement, signed by the new key, that the old key's snapshots stay valid. `false` when
   * the old key is compromised: its snapshots (and those of keys it vouched for) then stop
   * verifying, here and for anyone anchored on the new key, unless the old key is in `trustedKeys`.
   * @default true
   */
  trustPrevious?: boolean;
}

interface EntryRow {
  id: string;
  content: string;
  content_hash: string;
  source: string;
  metadata: string | null;
  hash: string;
  updated_at: string;
}

interface SnapshotRow {
  id: string;
  name: string;
  created_at: string;
  key_id: string;
  entry_count: number;
  manifest: string;
  signature: string | null;
}

interface CopyRow {
  id: string;
  content: string;
  source: string;
  metadata: string | null;
}

function fail(option: string, message: string): never {
  throw new InvalidOptionError(option, `${option}: ${message}`);
}

function validateOptions(o: MemoryVaultOptions): void {
  if (typeof o !== 'object' || o === null) fail('options', 'must be an object');
  if (typeof o.path !== 'string' || o.path.length === 0) fail('path', 'must be a non-empty string');
  if (o.create !== undefined && typeof o.create !== 'boolean') fail('create', 'must be a boolean');
  if (
    o.busyTimeoutMs !== undefined &&
    !(typeof o.busyTimeoutMs === 'number' && Number.isInteger(o.busyTimeoutMs) && o.busyTimeoutMs >= 0)
  ) {
    fail('busyTimeoutMs', 'must be an integer ≥ 0');
  }
  if (o.integrityCheck !== undefined && !['none', 'quick', 'full'].includes(o.integrityCheck)) {
    fail('integrityCheck', 'must be none, quick or full');
  }
  if (o.trustedKeys !== undefined && !Array.isArray(o.trustedKeys)) fail('trustedKeys', 'must be an array');
}

function rowHash(r: { id: string; content: string; source: string; metadata: string | null }): string {
  return entryHash(r.id, sha256Hex(r.content), r.source, r.metadata);
}

function toEntry(r: EntryRow): VaultEntry {
  return {
    id: r.id,
    content: r.content,
    source: r.source,
    metadata: r.metadata === null ? undefined : (JSON.parse(r.metadata) as Record<string, JsonValue>),
    contentHash: r.content_hash,
    hash: r.hash,
    updatedAt: r.updated_at,
  };
}

const byCodeUnit = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Memory entries in SQLite (WAL, `synchronous=FULL`, every write in a transaction) with signed
 * snapshots: `takeSnapshot` records every entry's hash (content + source + metadata) in a manifest
 * signed with Ed25519; `verifyCurrent` says what changed since; `applyRollback` restores a
 * snapshot atomically, and only one that verifies.
 */
export class MemoryVault {
  /** The SQLite file. */
  readonly path: string;
  /** The vault's random id (bound into every manifest). */
  readonly vaultId: string;
  private readonly db: SqliteDatabase;
  private signingKey: VaultKey | undefined;
  /** `trustedKeys` as given to `open`. */
  private readonly trusted: readonly VaultKey[];
  private closed = false;

  private constructor(init: {
    path: string;
    vaultId: string;
    db: SqliteDatabase;
    signingKey: VaultKey | undefined;
    trusted: readonly VaultKey[];
  }) {
    this.path = init.path;
    this.vaultId = init.vaultId;
    this.db = init.db;
    this.signingKey = init.signingKey;
    this.trusted = init.trusted;
  }

  /**
   * Opens or creates a vault. Throws `StorageError` when better-sqlite3 is missing or the file is
   * missing and `create` is false, `CorruptDataError` when the file is not a (sound) memgar vault,
   * `InvalidOptionError` for bad options or keys.
   */
  static async open(options: MemoryVaultOptions): Promise<MemoryVault> {
    validateOptions(options);
    const path = options.path;
    const create = options.create ?? true;
    const signingKey =
      options.signingKey === undefined ? undefined : checkVaultKey(options.signingKey, 'signingKey', true);
    const trusted = (options.trustedKeys ?? []).map((k, i) => checkVaultKey(k, `trustedKeys[${i}]`, false));
    if (!create && !existsSync(path)) {
      throw new StorageError(`vault file ${path} does not exist (create: false)`);
    }
    const Database = await loadSqlite();
    let db: SqliteDatabase;
    try {
      db = new Database(path, { fileMustExist: !create, timeout: options.busyTimeoutMs ?? 5000 });
    } catch (error) {
      throw mapSqliteError(error, path, 'open');
    }
    try {
      const mode = db.pragma('journal_mode = WAL', { simple: true });
      if (mode !== 'wal') throw new StorageError(`${path}: cannot switch to WAL mode (got ${String(mode)})`);
      db.pragma('synchronous = FULL');
      db.pragma('foreign_keys = ON');
      const check = options.integrityCheck ?? 'quick';
      if (check !== 'none') {
        const rows = db.pragma(check === 'quick' ? 'quick_check' : 'integrity_check') as Record<
          string,
          string
        >[];
        const problems = rows.map((r) => Object.values(r)[0]).filter((v) => v !== 'ok');
        if (problems.length > 0) {
          throw new CorruptDataError(
            `${path}: SQLite ${check} check failed: ${problems.slice(0, 3).join('; ')}`,
            {
              file: path,
            },
          );
        }
      }
      const vaultId = MemoryVault.prepareSchema(db, path);
      return new MemoryVault({ path, vaultId, db, signingKey, trusted });
    } catch (error) {
      db.close();
      throw mapSqliteError(error, path, 'open');
    }
  }

  /** Creates the schema in an empty database, or checks an existing one; returns the vault id. */
  private static prepareSchema(db: SqliteDatabase, path: string): string {
    const tables = new Set(
      (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[])
        .map((r) => r.name)
        .filter((n) => !n.startsWith('sqlite_')),
    );
    if (tables.size === 0) {
      const vaultId = randomUUID();
      db.transaction(() => {
        db.exec(VAULT_SCHEMA);
        const put = db.prepare('INSERT INTO memgar_meta (key, value) VALUES (?, ?)');
        put.run('schema_version', VAULT_SCHEMA_VERSION);
        put.run('vault_id', vaultId);
        put.run('created_at', new Date().toISOString());
      }).immediate();
      return vaultId;
    }
    const missing = VAULT_TABLES.filter((t) => !tables.has(t));
    if (missing.length > 0) {
      throw new CorruptDataError(`${path} is not a memgar vault (missing tables: ${missing.join(', ')})`, {
        file: path,
      });
    }
    const meta = new Map(
      (db.prepare('SELECT key, value FROM memgar_meta').all() as { key: string; value: string }[]).map(
        (r) => [r.key, r.value],
      ),
    );
    const version = meta.get('schema_version');
    const vaultId = meta.get('vault_id');
    if (version !== VAULT_SCHEMA_VERSION) {
      throw new StorageError(
        `${path}: vault schema version ${String(version)} is not supported (this memgar reads ${VAULT_SCHEMA_VERSION})`,
      );
    }
    if (vaultId === undefined) throw new CorruptDataError(`${path}: the vault has no id`, { file: path });
    return vaultId;
  }

  /** The id of the key that signs new snapshots, if any. */
  get signingKeyId(): string | undefined {
    return this.signingKey?.keyId;
  }

  /** Stores (or replaces) an entry with its content hash; one transaction, synced on commit. */
  async register(entry: VaultEntryInput): Promise<VaultEntry> {
    const row = this.toRow(entry);
    return this.guard('register', () => {
      this.db
        .prepare(
          `INSERT INTO entries (id, content, content_hash, source, metadata, hash, updated_at)
           VALUES (@id, @content, @content_hash, @source, @metadata, @hash, @updated_at)
           ON CONFLICT (id) DO UPDATE SET content = excluded.content, content_hash = excluded.content_hash,
             source = excluded.source, metadata = excluded.metadata, hash = excluded.hash,
             updated_at = excluded.updated_at`,
        )
        .run(row);
      return toEntry(row);
    });
  }

  /** The entry with this id, or undefined. */
  async get(id: string): Promise<VaultEntry | undefined> {
    return this.guard('get', () => {
      const r = this.db.prepare('SELECT * FROM entries WHERE id = ?').get(id) as EntryRow | undefined;
      return r === undefined ? undefined : toEntry(r);
    });
  }

  /** Every entry, by id. */
  async list(): Promise<VaultEntry[]> {
    return this.guard('list', () =>
      (this.db.prepare('SELECT * FROM entries ORDER BY id').all() as EntryRow[]).map(toEntry),
    );
  }

  /** Deletes an entry; false when there was none. */
  async remove(id: string): Promise<boolean> {
    return this.guard(
      'remove',
      () => this.db.prepare('DELETE FROM entries WHERE id = ?').run(id).changes > 0,
    );
  }

  /**
   * Records every entry in a manifest signed with the signing key, and keeps a copy of each entry
   * for rollback; one transaction. Needs `signingKey`.
   */
  async takeSnapshot(name: string): Promise<SnapshotManifest> {
    const key = this.signingKey;
    if (key?.privateKey === undefined) {
      throw new InvalidOptionError('signingKey', 'signingKey: taking a snapshot needs a signing key');
    }
    if (typeof name !== 'string' || name.length === 0 || name.length > 256) {
      throw new InvalidInputError('name', 'name: a string of 1–256 characters');
    }
    return this.guard('takeSnapshot', () =>
      this.db
        .transaction(() => {
          const rows = this.db
            .prepare('SELECT id, content, source, metadata FROM entries')
            .all() as CopyRow[];
          rows.sort((a, b) => byCodeUnit(a.id, b.id));
          const entries: SnapshotManifestEntry[] = rows.map((r) => ({
            id: r.id,
            contentHash: sha256Hex(r.content),
            hash: rowHash(r),
          }));
          const manifest: SnapshotManifest = {
            format: 'memgar.vault.snapshot',
            version: 1,
            vaultId: this.vaultId,
            snapshotId: randomUUID(),
            name,
            createdAt: new Date().toISOString(),
            keyId: key.keyId,
            algorithm: 'ed25519',
            entryCount: entries.length,
            entries,
          };
          const text = manifestText(manifest);
          const signature = signText(key.privateKey!, SNAPSHOT_SIGNATURE_DOMAIN, text);
          this.db
            .prepare(
              `INSERT INTO snapshots (id, name, created_at, key_id, entry_count, manifest, signature)
               VALUES (?, ?, ?, ?, ?, ?, ?)`,
            )
            .run(manifest.snapshotId, name, manifest.createdAt, key.keyId, entries.length, text, signature);
          const copy = this.db.prepare(
            'INSERT INTO snapshot_entries (snapshot_id, id, content, source, metadata) VALUES (?, ?, ?, ?, ?)',
          );
          for (const r of rows) copy.run(manifest.snapshotId, r.id, r.content, r.source, r.metadata);
          return manifest;
        })
        .immediate(),
    );
  }

  /** The stored snapshots, newest first. */
  async listSnapshots(): Promise<SnapshotSummary[]> {
    return this.guard('listSnapshots', () =>
      (
        this.db
          .prepare(
            'SELECT id, name, created_at, key_id, entry_count FROM snapshots ORDER BY created_at DESC, id',
          )
          .all() as SnapshotRow[]
      ).map((r) => ({
        id: r.id,
        name: r.name,
        createdAt: r.created_at,
        keyId: r.key_id,
        entryCount: r.entry_count,
      })),
    );
  }

  /** Deletes a snapshot and its stored entry copies; false when there was none. */
  async deleteSnapshot(snapshotId: string): Promise<boolean> {
    return this.guard(
      'deleteSnapshot',
      () => this.db.prepare('DELETE FROM snapshots WHERE id = ?').run(snapshotId).changes > 0,
    );
  }

  /** The signed manifest of a snapshot, parsed (not verified: call `verifySnapshot`). */
  async getSnapshot(snapshotId: string): Promise<SnapshotManifest> {
    return this.guard('getSnapshot', () => {
      const m = parseManifest(this.snapshotRow(snapshotId).manifest);
      if (m === undefined) {
        throw new CorruptDataError(`${this.path}: snapshot ${snapshotId} has no readable manifest`, {
          file: this.path,
        });
      }
      return m;
    });
  }

  /**
   * Whether a snapshot verifies: signed by a trusted key over an untouched manifest of this vault,
   * with stored entry copies that match it. Unknown id → `NotFoundError`.
   */
  async verifySnapshot(snapshotId: string): Promise<SnapshotVerification> {
    return this.guard('verifySnapshot', () => this.check(snapshotId).verification);
  }

  /** Verifies a snapshot and compares it with the live entries. */
  async verifyCurrent(snapshotId: string): Promise<CurrentVerification> {
    return this.guard('verifyCurrent', () => {
      const { verification, manifest } = this.check(snapshotId);
      const diff = manifest === undefined ? undefined : this.diff(manifest);
      const added = diff?.added ?? [];
      const removed = diff?.removed ?? [];
      const modified = diff?.modified ?? [];
      const same = added.length === 0 && removed.length === 0 && modified.length === 0;
      return { ...verification, valid: verification.valid && same, added, removed, modified };
    });
  }

  /** What `applyRollback` would change; nothing is written. */
  async planRollback(snapshotId: string): Promise<RollbackPlan> {
    return this.guard('planRollback', () => this.plan(snapshotId));
  }

  /**
   * Restores the entries of a snapshot in one transaction: entries added since are deleted,
   * removed or modified ones are written back. Refuses without `confirmed: true`
   * (`InvalidOptionError`) and when the snapshot does not verify (`IntegrityError`).
   */
  async applyRollback(snapshotId: string, options: ApplyRollbackOptions): Promise<RollbackPlan> {
    if (options?.confirmed !== true) {
      throw new InvalidOptionError(
        'confirmed',
        'confirmed: a rollback deletes and overwrites entries; pass { confirmed: true } (see planRollback)',
      );
    }
    return this.guard('applyRollback', () =>
      this.db
        .transaction(() => {
          const plan = this.plan(snapshotId);
          if (!plan.verified) {
            throw new IntegrityError(
              `snapshot ${snapshotId} does not verify (${plan.reason}); refusing to roll back`,
              {
                what: 'snapshot',
              },
            );
          }
          const del = this.db.prepare('DELETE FROM entries WHERE id = ?');
          for (const id of plan.remove) del.run(id);
          const read = this.db.prepare(
            'SELECT id, content, source, metadata FROM snapshot_entries WHERE snapshot_id = ? AND id = ?',
          );
          const put = this.db.prepare(
            `INSERT OR REPLACE INTO entries (id, content, content_hash, source, metadata, hash, updated_at)
             VALUES (?, ?, ?, ?, ?, ?, ?)`,
          );
          const now = new Date().toISOString();
          for (const id of [...plan.restore, ...plan.revert]) {
            const r = read.get(snapshotId, id) as CopyRow;
            put.run(r.id, r.content, sha256Hex(r.content), r.source, r.metadata, rowHash(r), now);
          }
          return plan;
        })
        .immediate(),
    );
  }

  /**
   * Makes `newKey` the signing key. By default the new key signs a statement vouching for the old
   * one (stored in the vault), so snapshots signed before stay verifiable by anyone who trusts the
   * new key. Needs the current signing key.
   */
  async rotateKey(
    newKey: VaultKey,
    options: RotateKeyOptions = {},
  ): Promise<{ previousKeyId: string; keyId: string }> {
    const current = this.signingKey;
    if (current === undefined) {
      throw new InvalidOptionError('signingKey', 'signingKey: rotating needs the current signing key');
    }
    const next = checkVaultKey(newKey, 'newKey', true);
    if (next.keyId === current.keyId) fail('newKey', 'is the current signing key');
    const trustPrevious = options.trustPrevious ?? true;
    if (trustPrevious) {
      const rotation = signRotation(this.vaultId, current, next);
      this.guard('rotateKey', () =>
        this.db
          .prepare(
            'INSERT OR REPLACE INTO key_rotations (new_key_id, old_key_id, statement, signature) VALUES (?, ?, ?, ?)',
          )
          .run(next.keyId, current.keyId, rotation.statement, rotation.signature),
      );
    }
    this.signingKey = next;
    return { previousKeyId: current.keyId, keyId: next.keyId };
  }

  /** Closes the database (the WAL is checkpointed). Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }

  private guard<T>(action: string, fn: () => T): T {
    if (this.closed) throw new StorageError(`vault ${this.path} is closed`);
    try {
      return fn();
    } catch (error) {
      throw mapSqliteError(error, this.path, action);
    }
  }

  private toRow(entry: VaultEntryInput): EntryRow {
    if (typeof entry !== 'object' || entry === null)
      throw new InvalidInputError('entry', 'entry: must be an object');
    const { id, content, source, metadata } = entry;
    if (typeof id !== 'string' || id.length === 0 || id.length > 1024) {
      throw new InvalidInputError('id', 'id: a string of 1–1024 characters');
    }
    if (typeof content !== 'string') throw new InvalidInputError('content', 'content: must be a string');
    if (typeof source !== 'string' || source.length === 0 || source.length > 2048) {
      throw new InvalidInputError('source', 'source: a string of 1–2048 characters');
    }
    if (
      metadata !== undefined &&
      (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata))
    ) {
      throw new InvalidInputError('metadata', 'metadata: must be a plain object');
    }
    const metadataText =
      metadata === undefined ? null : canonicalJson(metadata, 'metadata', { strict: true });
    const contentHash = sha256Hex(content);
    return {
      id,
      content,
      content_hash: contentHash,
      source,
      metadata: metadataText,
      hash: entryHash(id, contentHash, source, metadataText),
      updated_at: new Date().toISOString(),
    };
  }

  private snapshotRow(snapshotId: string): SnapshotRow {
    const row = this.db.prepare('SELECT * FROM snapshots WHERE id = ?').get(snapshotId) as
      | SnapshotRow
      | undefined;
    if (row === undefined) {
      throw new NotFoundError(`no snapshot ${snapshotId} in ${this.path}`, { resource: snapshotId });
    }
    return row;
  }

  /** Verifies a snapshot; returns the manifest too when it could be read. */
  private check(snapshotId: string): {
    verification: SnapshotVerification;
    manifest: SnapshotManifest | undefined;
  } {
    const row = this.snapshotRow(snapshotId);
    const manifest = parseManifest(row.manifest);
    const result = (reason: SnapshotFailureReason | undefined, signatureValid: boolean) => {
      const verification: SnapshotVerification = {
        snapshotId,
        valid: reason === undefined,
        signatureValid,
        keyId: manifest?.keyId,
      };
      if (reason !== undefined) verification.reason = reason;
      return { verification, manifest };
    };
    if (manifest === undefined) return result('malformed', false);
    if (row.signature === null || row.signature.length === 0) return result('unsigned', false);
    if (
      manifest.snapshotId !== row.id ||
      manifest.vaultId !== this.vaultId ||
      manifest.keyId !== row.key_id
    ) {
      return result('mismatch', false);
    }
    const rotations = this.db
      .prepare('SELECT statement, signature FROM key_rotations')
      .all() as StoredRotation[];
    // Trust anchors: the current signing key and the keys given to `open`; earlier signing keys
    // only through rotation statements.
    const anchors = this.signingKey === undefined ? this.trusted : [this.signingKey, ...this.trusted];
    const publicKey = trustedKeys(anchors, rotations, this.vaultId).get(manifest.keyId);
    if (publicKey === undefined) return result('unknown-key', false);
    if (!verifyText(publicKey, SNAPSHOT_SIGNATURE_DOMAIN, row.manifest, row.signature)) {
      return result('bad-signature', false);
    }
    const copies = this.db
      .prepare('SELECT id, content, source, metadata FROM snapshot_entries WHERE snapshot_id = ?')
      .all(snapshotId) as CopyRow[];
    const expected = new Map(manifest.entries.map((e) => [e.id, e.hash]));
    const intact =
      copies.length === expected.size &&
      expected.size === manifest.entries.length &&
      copies.every((c) => expected.get(c.id) === rowHash(c));
    return result(intact ? undefined : 'data-mismatch', true);
  }

  /** Differences between a manifest and the live entries (hashes recomputed from the stored values). */
  private diff(manifest: SnapshotManifest): {
    added: string[];
    removed: string[];
    modified: string[];
    same: number;
  } {
    const live = new Map(
      (this.db.prepare('SELECT id, content, source, metadata FROM entries').all() as CopyRow[]).map((r) => [
        r.id,
        rowHash(r),
      ]),
    );
    const removed: string[] = [];
    const modified: string[] = [];
    let same = 0;
    const inSnapshot = new Set<string>();
    for (const e of manifest.entries) {
      inSnapshot.add(e.id);
      const h = live.get(e.id);
      if (h === undefined) removed.push(e.id);
      else if (h !== e.hash) modified.push(e.id);
      else same++;
    }
    const added = [...live.keys()].filter((id) => !inSnapshot.has(id));
    return {
      added: added.sort(byCodeUnit),
      removed: removed.sort(byCodeUnit),
      modified: modified.sort(byCodeUnit),
      same,
    };
  }

  private plan(snapshotId: string): RollbackPlan {
    const { verification, manifest } = this.check(snapshotId);
    const d = manifest === undefined ? undefined : this.diff(manifest);
    const plan: RollbackPlan = {
      snapshotId,
      verified: verification.valid,
      restore: d?.removed ?? [],
      remove: d?.added ?? [],
      revert: d?.modified ?? [],
      unchanged: d?.same ?? 0,
    };
    if (verification.reason !== undefined) plan.reason = verification.reason;
    return plan;
  }
}

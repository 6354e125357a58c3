import { createHash, verify } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdtempSync,
  openSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import {
  CorruptDataError,
  IntegrityError,
  InvalidInputError,
  InvalidOptionError,
  NotFoundError,
  StorageError,
} from '../errors/index.js';
import { MemoryVault } from './memory-vault.js';
import { generateVaultKeys, type VaultKey } from './vault-keys.js';

const dirs: string[] = [];
const open: MemoryVault[] = [];
afterEach(async () => {
  for (const v of open.splice(0)) await v.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempPath(name = 'vault.db'): string {
  const dir = mkdtempSync(join(tmpdir(), 'memgar-vault-'));
  dirs.push(dir);
  return join(dir, name);
}

async function vaultAt(path: string, options: Partial<Parameters<typeof MemoryVault.open>[0]> = {}) {
  const v = await MemoryVault.open({ path, ...options });
  open.push(v);
  return v;
}

const KEY = generateVaultKeys();

/** A vault with three entries and one snapshot of them. */
async function seeded(key: VaultKey = KEY) {
  const path = tempPath();
  const vault = await vaultAt(path, { signingKey: key });
  await vault.register({ id: 'a', content: 'alpha', source: 'user', metadata: { channel: 'chat' } });
  await vault.register({ id: 'b', content: 'bravo', source: 'https://wiki.example/b' });
  await vault.register({ id: 'c', content: 'charlie', source: 'tool:search', metadata: { n: 1 } });
  const snap = await vault.takeSnapshot('baseline');
  return { path, vault, snap };
}

/** Runs SQL on the file behind the vault's back, as someone with write access to it would. */
function tamper(path: string, sql: string, ...params: unknown[]): void {
  const db = new Database(path);
  try {
    db.prepare(sql).run(...params);
  } finally {
    db.close();
  }
}

describe('MemoryVault: entries', () => {
  it('registers, replaces, lists and removes entries with their content hash', async () => {
    const vault = await vaultAt(tempPath());
    const e = await vault.register({ id: 'm1', content: 'hello', source: 'user', metadata: { b: 2, a: 1 } });
    expect(e.contentHash).toBe(createHash('sha256').update('hello').digest('hex'));
    expect(await vault.get('m1')).toMatchObject({
      id: 'm1',
      content: 'hello',
      source: 'user',
      metadata: { a: 1, b: 2 },
    });
    const same = await vault.register({
      id: 'm1',
      content: 'hello',
      source: 'user',
      metadata: { a: 1, b: 2 },
    });
    expect(same.hash).toBe(e.hash);
    const moved = await vault.register({ id: 'm1', content: 'hello', source: 'web' });
    expect(moved.hash).not.toBe(e.hash);
    await vault.register({ id: 'm0', content: 'zero', source: 'user' });
    expect((await vault.list()).map((x) => x.id)).toEqual(['m0', 'm1']);
    expect(await vault.remove('m1')).toBe(true);
    expect(await vault.remove('m1')).toBe(false);
    expect(await vault.get('m1')).toBeUndefined();
  });

  it('rejects invalid entries with InvalidInputError naming the field', async () => {
    const vault = await vaultAt(tempPath());
    const cases: [unknown, string][] = [
      [{ id: '', content: 'x', source: 's' }, 'id'],
      [{ id: 'a', content: 1, source: 's' }, 'content'],
      [{ id: 'a', content: 'x', source: '' }, 'source'],
      [{ id: 'a', content: 'x', source: 's', metadata: [1] }, 'metadata'],
      [{ id: 'a', content: 'x', source: 's', metadata: { at: new Date() } }, 'metadata'],
      [{ id: 'a', content: 'x', source: 's', metadata: { n: Number.NaN } }, 'metadata'],
    ];
    for (const [entry, field] of cases) {
      const e = await vault.register(entry as never).catch((x: unknown) => x);
      expect(InvalidInputError.isInstance(e)).toBe(true);
      expect((e as InvalidInputError).field).toBe(field);
    }
    expect(await vault.list()).toEqual([]);
  });

  it('runs in WAL mode with synchronous=FULL', async () => {
    const path = tempPath();
    const vault = await vaultAt(path);
    const db = (vault as unknown as { db: Database.Database }).db;
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(2);
    await vault.register({ id: 'a', content: 'x', source: 's' });
    expect(existsSync(`${path}-wal`)).toBe(true);
  });
});

describe('MemoryVault: snapshots', () => {
  it('signs a manifest of every entry (hashes of content and provenance) with Ed25519', async () => {
    const { path, vault, snap } = await seeded();
    expect(snap).toMatchObject({
      format: 'memgar.vault.snapshot',
      version: 1,
      vaultId: vault.vaultId,
      name: 'baseline',
      keyId: KEY.keyId,
      algorithm: 'ed25519',
      entryCount: 3,
    });
    expect(snap.entries.map((e) => e.id)).toEqual(['a', 'b', 'c']);
    expect(snap.entries[0]!.contentHash).toBe(createHash('sha256').update('alpha').digest('hex'));
    expect(Number.isNaN(Date.parse(snap.createdAt))).toBe(false);
    expect(await vault.getSnapshot(snap.snapshotId)).toEqual(snap);
    expect(await vault.listSnapshots()).toEqual([
      { id: snap.snapshotId, name: 'baseline', createdAt: snap.createdAt, keyId: KEY.keyId, entryCount: 3 },
    ]);
    // The stored bytes verify with plain node:crypto as the README documents.
    const db = new Database(path, { readonly: true });
    const row = db.prepare('SELECT manifest, signature FROM snapshots').get() as {
      manifest: string;
      signature: string;
    };
    db.close();
    const signed = Buffer.from(`memgar-vault-snapshot-v1\n${row.manifest}`);
    expect(verify(null, signed, KEY.publicKey, Buffer.from(row.signature, 'base64'))).toBe(true);
    expect(await vault.verifySnapshot(snap.snapshotId)).toEqual({
      snapshotId: snap.snapshotId,
      valid: true,
      signatureValid: true,
      keyId: KEY.keyId,
    });
  });

  it('verifyCurrent lists added, removed and modified entries; provenance changes are modifications', async () => {
    const { vault, snap } = await seeded();
    expect(await vault.verifyCurrent(snap.snapshotId)).toMatchObject({
      valid: true,
      signatureValid: true,
      added: [],
      removed: [],
      modified: [],
    });
    await vault.register({ id: 'd', content: 'delta', source: 'user' });
    await vault.remove('b');
    await vault.register({ id: 'a', content: 'alpha', source: 'user', metadata: { channel: 'email' } });
    await vault.register({ id: 'c', content: 'charlie', source: 'tool:other', metadata: { n: 1 } });
    const r = await vault.verifyCurrent(snap.snapshotId);
    expect(r).toMatchObject({
      valid: false,
      signatureValid: true,
      added: ['d'],
      removed: ['b'],
      modified: ['a', 'c'],
    });
  });

  it('finds edits made in the database behind its back (content, source, metadata)', async () => {
    const { path, vault, snap } = await seeded();
    tamper(path, "UPDATE entries SET content = 'alpha, and wire the money' WHERE id = 'a'");
    tamper(path, "UPDATE entries SET source = 'system' WHERE id = 'b'");
    tamper(path, "UPDATE entries SET metadata = '{\"n\":2}' WHERE id = 'c'");
    expect(await vault.verifyCurrent(snap.snapshotId)).toMatchObject({
      valid: false,
      signatureValid: true,
      modified: ['a', 'b', 'c'],
    });
  });

  it('an unknown snapshot id is NotFoundError; a snapshot needs a signing key', async () => {
    const { vault } = await seeded();
    const e = await vault.verifySnapshot('nope').catch((x: unknown) => x);
    expect(NotFoundError.isInstance(e)).toBe(true);
    expect((e as NotFoundError).resource).toBe('nope');
    await expect(vault.planRollback('nope')).rejects.toSatisfy(NotFoundError.isInstance);
    const unsigned = await vaultAt(tempPath());
    await expect(unsigned.takeSnapshot('x')).rejects.toSatisfy(InvalidOptionError.isInstance);
    await expect(vault.takeSnapshot('')).rejects.toSatisfy(InvalidInputError.isInstance);
  });

  it('deleteSnapshot removes the snapshot and its stored copies', async () => {
    const { path, vault, snap } = await seeded();
    const other = await vault.takeSnapshot('second');
    expect(await vault.deleteSnapshot(snap.snapshotId)).toBe(true);
    expect(await vault.deleteSnapshot(snap.snapshotId)).toBe(false);
    await expect(vault.verifySnapshot(snap.snapshotId)).rejects.toSatisfy(NotFoundError.isInstance);
    expect((await vault.listSnapshots()).map((s) => s.id)).toEqual([other.snapshotId]);
    const db = new Database(path, { readonly: true });
    const copies = db
      .prepare('SELECT snapshot_id, count(*) AS n FROM snapshot_entries GROUP BY snapshot_id')
      .all();
    db.close();
    expect(copies).toEqual([{ snapshot_id: other.snapshotId, n: 3 }]);
    expect((await vault.verifySnapshot(other.snapshotId)).valid).toBe(true);
  });
});

describe('MemoryVault: a tampered snapshot never verifies', () => {
  async function reasonAfter(sql: (id: string) => [string, ...unknown[]]) {
    const { path, vault, snap } = await seeded();
    const [q, ...params] = sql(snap.snapshotId);
    tamper(path, q, ...params);
    const v = await vault.verifySnapshot(snap.snapshotId);
    expect(v.valid).toBe(false);
    const c = await vault.verifyCurrent(snap.snapshotId);
    expect(c.valid).toBe(false);
    await expect(vault.applyRollback(snap.snapshotId, { confirmed: true })).rejects.toSatisfy(
      IntegrityError.isInstance,
    );
    return v;
  }

  it('unsigned', async () => {
    const v = await reasonAfter((id) => ['UPDATE snapshots SET signature = NULL WHERE id = ?', id]);
    expect(v).toMatchObject({ signatureValid: false, reason: 'unsigned' });
    const empty = await reasonAfter((id) => ["UPDATE snapshots SET signature = '' WHERE id = ?", id]);
    expect(empty.reason).toBe('unsigned');
  });

  it('manifest edited', async () => {
    const v = await reasonAfter((id) => [
      'UPDATE snapshots SET manifest = replace(manifest, \'"name":"baseline"\', \'"name":"other"\') WHERE id = ?',
      id,
    ]);
    expect(v).toMatchObject({ signatureValid: false, reason: 'bad-signature' });
    const garbage = await reasonAfter((id) => ["UPDATE snapshots SET manifest = '{' WHERE id = ?", id]);
    expect(garbage.reason).toBe('malformed');
  });

  it('signature swapped with another snapshot of the same key', async () => {
    const { path, vault, snap } = await seeded();
    await vault.register({ id: 'z', content: 'zulu', source: 'user' });
    const other = await vault.takeSnapshot('later');
    tamper(
      path,
      'UPDATE snapshots SET signature = (SELECT signature FROM snapshots WHERE id = ?) WHERE id = ?',
      other.snapshotId,
      snap.snapshotId,
    );
    expect(await vault.verifySnapshot(snap.snapshotId)).toMatchObject({
      valid: false,
      signatureValid: false,
      reason: 'bad-signature',
    });
    expect((await vault.verifySnapshot(other.snapshotId)).valid).toBe(true);
  });

  it('key id column edited (mismatch) and a snapshot by a key nobody trusts (unknown-key)', async () => {
    const other = generateVaultKeys();
    const v = await reasonAfter((id) => ['UPDATE snapshots SET key_id = ? WHERE id = ?', other.keyId, id]);
    expect(v.reason).toBe('mismatch');
    // An attacker with their own key signs a snapshot into the file.
    const { path, snap } = await seeded(other);
    const trusting = await vaultAt(path, { signingKey: KEY });
    expect(await trusting.verifySnapshot(snap.snapshotId)).toMatchObject({
      valid: false,
      signatureValid: false,
      keyId: other.keyId,
      reason: 'unknown-key',
    });
    // Opened without any trusted key, nothing verifies.
    const bare = await vaultAt(path);
    expect((await bare.verifySnapshot(snap.snapshotId)).reason).toBe('unknown-key');
  });

  it('a forged rotation statement does not make an attacker key trusted', async () => {
    const attacker = generateVaultKeys();
    const { path, snap, vault } = await seeded(attacker);
    const trusted = generateVaultKeys();
    // The attacker rotates from their key to another of theirs, then claims the trusted key id.
    const second = generateVaultKeys();
    await vault.rotateKey(second);
    tamper(path, 'UPDATE key_rotations SET new_key_id = ?', trusted.keyId);
    tamper(
      path,
      'UPDATE key_rotations SET statement = replace(statement, ?, ?)',
      `"newKeyId":"${second.keyId}"`,
      `"newKeyId":"${trusted.keyId}"`,
    );
    const verifier = await vaultAt(path, { trustedKeys: [trusted] });
    expect((await verifier.verifySnapshot(snap.snapshotId)).reason).toBe('unknown-key');
  });

  it('a snapshot copied from another vault (mismatch)', async () => {
    const a = await seeded();
    const b = await seeded();
    const db = new Database(b.path);
    db.prepare('ATTACH DATABASE ? AS src').run(a.path);
    db.prepare('INSERT INTO snapshots SELECT * FROM src.snapshots').run();
    db.prepare('INSERT INTO snapshot_entries SELECT * FROM src.snapshot_entries').run();
    db.close();
    expect(await b.vault.verifySnapshot(a.snap.snapshotId)).toMatchObject({
      valid: false,
      reason: 'mismatch',
    });
  });

  it('stored entry copies edited: the signature holds but the snapshot is not valid (data-mismatch)', async () => {
    const v = await reasonAfter((id) => [
      "UPDATE snapshot_entries SET content = 'poisoned' WHERE snapshot_id = ? AND id = 'a'",
      id,
    ]);
    expect(v).toMatchObject({ signatureValid: true, reason: 'data-mismatch' });
    const dropped = await reasonAfter((id) => [
      "DELETE FROM snapshot_entries WHERE snapshot_id = ? AND id = 'b'",
      id,
    ]);
    expect(dropped.reason).toBe('data-mismatch');
  });
});

describe('MemoryVault: rollback', () => {
  async function drifted() {
    const s = await seeded();
    await s.vault.register({ id: 'd', content: 'delta', source: 'user' });
    await s.vault.remove('b');
    await s.vault.register({ id: 'a', content: 'alpha (poisoned)', source: 'web' });
    return s;
  }

  it('plans without writing, refuses without confirmed: true, then restores exactly the snapshot', async () => {
    const { vault, snap } = await drifted();
    const before = await vault.list();
    const plan = await vault.planRollback(snap.snapshotId);
    expect(plan).toEqual({
      snapshotId: snap.snapshotId,
      verified: true,
      restore: ['b'],
      remove: ['d'],
      revert: ['a'],
      unchanged: 1,
    });
    for (const options of [undefined, {}, { confirmed: false }, { confirmed: 'yes' }]) {
      const e = await vault.applyRollback(snap.snapshotId, options as never).catch((x: unknown) => x);
      expect(InvalidOptionError.isInstance(e)).toBe(true);
      expect((e as InvalidOptionError).option).toBe('confirmed');
    }
    expect(await vault.list()).toEqual(before);
    expect(await vault.applyRollback(snap.snapshotId, { confirmed: true })).toEqual(plan);
    expect(await vault.verifyCurrent(snap.snapshotId)).toMatchObject({
      valid: true,
      added: [],
      removed: [],
      modified: [],
    });
    expect(await vault.get('a')).toMatchObject({
      content: 'alpha',
      source: 'user',
      metadata: { channel: 'chat' },
    });
    expect(await vault.get('b')).toMatchObject({ content: 'bravo', source: 'https://wiki.example/b' });
    expect(await vault.get('d')).toBeUndefined();
  });

  it('refuses a snapshot that does not verify and leaves the entries alone', async () => {
    const { path, vault, snap } = await drifted();
    const before = await vault.list();
    tamper(path, 'UPDATE snapshots SET signature = NULL');
    expect(await vault.planRollback(snap.snapshotId)).toMatchObject({ verified: false, reason: 'unsigned' });
    const e = await vault.applyRollback(snap.snapshotId, { confirmed: true }).catch((x: unknown) => x);
    expect(IntegrityError.isInstance(e)).toBe(true);
    expect((e as IntegrityError).what).toBe('snapshot');
    expect(await vault.list()).toEqual(before);
  });

  it('is atomic: a failure part-way leaves every entry as it was', async () => {
    const { path, vault, snap } = await drifted();
    const before = await vault.list();
    // A trigger makes the write of one restored entry fail after others were applied.
    tamper(
      path,
      "CREATE TRIGGER fail_b BEFORE INSERT ON entries WHEN NEW.id = 'b' BEGIN SELECT RAISE(ABORT, 'disk says no'); END",
    );
    const e = await vault.applyRollback(snap.snapshotId, { confirmed: true }).catch((x: unknown) => x);
    expect(StorageError.isInstance(e)).toBe(true);
    expect((e as Error).message).toContain('disk says no');
    expect(await vault.list()).toEqual(before);
  });
});

describe('MemoryVault: key rotation', () => {
  it('new snapshots use the new key; old ones stay verifiable through the new key', async () => {
    const { path, vault, snap } = await seeded();
    const next = generateVaultKeys();
    expect(await vault.rotateKey(next)).toEqual({ previousKeyId: KEY.keyId, keyId: next.keyId });
    expect(vault.signingKeyId).toBe(next.keyId);
    const later = await vault.takeSnapshot('after rotation');
    expect(later.keyId).toBe(next.keyId);
    expect((await vault.verifySnapshot(snap.snapshotId)).valid).toBe(true);
    expect((await vault.verifySnapshot(later.snapshotId)).valid).toBe(true);
    await vault.close();
    // A verifier that knows only the new public key verifies both.
    const publicOnly = { keyId: next.keyId, publicKey: next.publicKey };
    const verifier = await vaultAt(path, { trustedKeys: [publicOnly] });
    expect(await verifier.verifySnapshot(snap.snapshotId)).toMatchObject({ valid: true, keyId: KEY.keyId });
    expect((await verifier.verifySnapshot(later.snapshotId)).valid).toBe(true);
    // Trust does not run forward: the old key alone does not vouch for the new one.
    const oldOnly = await vaultAt(path, { trustedKeys: [{ keyId: KEY.keyId, publicKey: KEY.publicKey }] });
    expect((await oldOnly.verifySnapshot(later.snapshotId)).reason).toBe('unknown-key');
    expect((await oldOnly.verifySnapshot(snap.snapshotId)).valid).toBe(true);
  });

  it('chains over several rotations, and trustPrevious: false cuts the chain', async () => {
    const { path, vault, snap } = await seeded();
    const k2 = generateVaultKeys();
    const k3 = generateVaultKeys();
    await vault.rotateKey(k2);
    const s2 = await vault.takeSnapshot('k2');
    await vault.rotateKey(k3);
    const verifier = await vaultAt(path, { trustedKeys: [k3] });
    expect((await verifier.verifySnapshot(snap.snapshotId)).valid).toBe(true);
    expect((await verifier.verifySnapshot(s2.snapshotId)).valid).toBe(true);
    const k4 = generateVaultKeys();
    await vault.rotateKey(k4, { trustPrevious: false });
    expect((await vault.verifySnapshot(s2.snapshotId)).reason).toBe('unknown-key');
    const fresh = await vaultAt(path, { trustedKeys: [k4] });
    expect((await fresh.verifySnapshot(s2.snapshotId)).reason).toBe('unknown-key');
    expect((await fresh.verifySnapshot(snap.snapshotId)).reason).toBe('unknown-key');
  });

  it('needs a current signing key and a new key with its private half', async () => {
    const vault = await vaultAt(tempPath());
    await expect(vault.rotateKey(generateVaultKeys())).rejects.toSatisfy(InvalidOptionError.isInstance);
    const signed = await vaultAt(tempPath(), { signingKey: KEY });
    const k = generateVaultKeys();
    await expect(signed.rotateKey({ keyId: k.keyId, publicKey: k.publicKey })).rejects.toSatisfy(
      InvalidOptionError.isInstance,
    );
    await expect(signed.rotateKey(KEY)).rejects.toSatisfy(InvalidOptionError.isInstance);
    expect(signed.signingKeyId).toBe(KEY.keyId);
  });
});

describe('MemoryVault.open: files', () => {
  it('a missing file with create: false is a StorageError and creates nothing', async () => {
    const path = tempPath();
    const e = await MemoryVault.open({ path, create: false }).catch((x: unknown) => x);
    expect(StorageError.isInstance(e)).toBe(true);
    expect(existsSync(path)).toBe(false);
  });

  it('a file that is not SQLite, or whose header was overwritten, is CorruptDataError', async () => {
    const path = tempPath();
    writeFileSync(path, Buffer.alloc(8192, 0x5a));
    const e = await MemoryVault.open({ path }).catch((x: unknown) => x);
    expect(CorruptDataError.isInstance(e)).toBe(true);
    expect((e as CorruptDataError).file).toBe(path);
    const { path: p2, vault } = await seeded();
    await vault.close();
    const fd = openSync(p2, 'r+');
    writeSync(fd, Buffer.from('garbage garbage!'), 0, 16, 0);
    closeSync(fd);
    await expect(MemoryVault.open({ path: p2 })).rejects.toSatisfy(CorruptDataError.isInstance);
  });

  it('a damaged page is found by the quick check at open (or on read with integrityCheck: none)', async () => {
    const path = tempPath();
    const vault = await MemoryVault.open({ path });
    for (let i = 0; i < 400; i++) {
      await vault.register({
        id: `m-${String(i).padStart(4, '0')}`,
        content: 'x'.repeat(200),
        source: 'bulk',
      });
    }
    await vault.close();
    const pages = statSync(path).size / 4096;
    expect(pages).toBeGreaterThan(10);
    const fd = openSync(path, 'r+');
    writeSync(fd, Buffer.alloc(4096, 0xa5), 0, 4096, 4096 * Math.floor(pages / 2));
    closeSync(fd);
    await expect(MemoryVault.open({ path })).rejects.toSatisfy(CorruptDataError.isInstance);
    const lax = await vaultAt(path, { integrityCheck: 'none' });
    await expect(lax.list()).rejects.toSatisfy(CorruptDataError.isInstance);
  });

  it('an SQLite database that is not a vault is CorruptDataError', async () => {
    const path = tempPath();
    const db = new Database(path);
    db.exec('CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)');
    db.close();
    const e = await MemoryVault.open({ path }).catch((x: unknown) => x);
    expect(CorruptDataError.isInstance(e)).toBe(true);
    expect((e as Error).message).toContain('not a memgar vault');
  });

  it('keeps entries and snapshots across reopen, with the same vault id', async () => {
    const { path, vault, snap } = await seeded();
    const id = vault.vaultId;
    await vault.close();
    const again = await vaultAt(path, { create: false, signingKey: KEY });
    expect(again.vaultId).toBe(id);
    expect((await again.list()).map((e) => e.id)).toEqual(['a', 'b', 'c']);
    expect((await again.verifyCurrent(snap.snapshotId)).valid).toBe(true);
    await expect(vault.list()).rejects.toSatisfy(StorageError.isInstance);
  });

  it('rejects invalid options', async () => {
    const path = tempPath();
    await expect(MemoryVault.open({ path: '' })).rejects.toSatisfy(InvalidOptionError.isInstance);
    await expect(MemoryVault.open({ path, busyTimeoutMs: -1 })).rejects.toSatisfy(
      InvalidOptionError.isInstance,
    );
    await expect(MemoryVault.open({ path, integrityCheck: 'deep' as never })).rejects.toSatisfy(
      InvalidOptionError.isInstance,
    );
    await expect(MemoryVault.open({ path, signingKey: 'pem' as never })).rejects.toSatisfy(
      InvalidOptionError.isInstance,
    );
    expect(existsSync(path)).toBe(false);
  });
});

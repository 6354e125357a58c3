import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryVault } from '@memgar/core/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'memgar-cli-vault-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

let dirCount = 0;
function freshDir(): string {
  return join(tmp, `case-${++dirCount}`);
}

/** A vault file with three entries. */
async function makeVault(dir: string): Promise<string> {
  const path = join(dir, 'vault.db');
  const vault = await MemoryVault.open({ path });
  await vault.register({ id: 'a', content: 'alpha', source: 'user' });
  await vault.register({ id: 'b', content: 'bravo', source: 'https://wiki.example/b' });
  await vault.register({ id: 'c', content: 'charlie', source: 'tool:search', metadata: { n: 1 } });
  await vault.close();
  return path;
}

const run = (args: string[], cwd: string) => cli(args, { cwd });

/** keygen + vault + snapshot: returns the snapshot id. */
async function setup(): Promise<{ dir: string; snapshotId: string }> {
  const dir = freshDir();
  expect(run(['vault', 'keygen', dir], tmp).status).toBe(0);
  await makeVault(dir);
  const r = run(
    ['vault', 'snapshot', 'vault.db', '--name', 'nightly', '--key', 'signing.key', '--json'],
    dir,
  );
  expect(r.status, r.stderr).toBe(0);
  return { dir, snapshotId: (JSON.parse(r.stdout) as { snapshotId: string }).snapshotId };
}

/** Edits bytes of the file in place, as someone with write access to it could (same length). */
function patchFile(path: string, from: string, to: string): void {
  expect(to.length).toBe(from.length);
  const bytes = readFileSync(path);
  const at = bytes.indexOf(from);
  expect(at).toBeGreaterThanOrEqual(0);
  bytes.write(to, at);
  writeFileSync(path, bytes);
}

describe('memgar vault keygen (built CLI)', () => {
  it('writes signing.key (0600), signing.pub and ledger.key, and refuses to overwrite without --force', () => {
    const dir = freshDir();
    const r = run(['vault', 'keygen', dir, '--json'], tmp);
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as {
      keyId: string;
      signingKey: string;
      publicKey: string;
      ledgerKey: string;
    };
    expect(out.keyId).toMatch(/^[0-9a-f]{32}$/);
    expect(readFileSync(out.signingKey, 'utf8')).toContain('BEGIN PRIVATE KEY');
    expect(readFileSync(out.publicKey, 'utf8')).toContain('BEGIN PUBLIC KEY');
    expect(readFileSync(out.ledgerKey, 'utf8')).toMatch(/^[0-9a-f]{64}\n$/);
    expect(statSync(out.signingKey).mode & 0o777).toBe(0o600);
    expect(statSync(out.ledgerKey).mode & 0o777).toBe(0o600);
    const original = readFileSync(out.signingKey, 'utf8');
    const again = run(['vault', 'keygen', dir], tmp);
    expect(again.status).toBe(2);
    expect(again.stderr).toContain('--force');
    expect(readFileSync(out.signingKey, 'utf8')).toBe(original);
    const forced = run(['vault', 'keygen', dir, '--force', '--json'], tmp);
    expect(forced.status).toBe(0);
    expect((JSON.parse(forced.stdout) as { keyId: string }).keyId).not.toBe(out.keyId);
  });
});

describe('memgar vault snapshot / verify (built CLI)', () => {
  let dir: string;
  let snapshotId: string;
  beforeAll(async () => {
    ({ dir, snapshotId } = await setup());
  });

  it('snapshot prints the id, entry count and key; verify exits 0 when the live entries match', () => {
    const listed = run(['vault', 'list', 'vault.db'], dir);
    expect(listed.status).toBe(0);
    expect(listed.stdout).toContain(snapshotId);
    expect(listed.stdout).toContain('nightly');
    const r = run(['vault', 'verify', 'vault.db', snapshotId, '--key', 'signing.pub'], dir);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('signature valid');
    expect(r.stdout).toContain('match the snapshot');
    const json = run(['vault', 'verify', 'vault.db', snapshotId, '--key', 'signing.pub', '--json'], dir);
    expect(JSON.parse(json.stdout)).toMatchObject({
      valid: true,
      signatureValid: true,
      added: [],
      removed: [],
    });
  });

  it('usage errors exit 2: no --key, a missing vault, an unknown snapshot id, a public key to sign with', () => {
    const noKey = run(['vault', 'verify', 'vault.db', snapshotId], dir);
    expect(noKey.status).toBe(2);
    expect(noKey.stderr).toContain('--key');
    expect(run(['vault', 'verify', 'nope.db', snapshotId, '--key', 'signing.pub'], dir).status).toBe(2);
    const unknown = run(['vault', 'verify', 'vault.db', 'no-such-id', '--key', 'signing.pub'], dir);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('no-such-id');
    const pub = run(['vault', 'snapshot', 'vault.db', '--name', 'x', '--key', 'signing.pub'], dir);
    expect(pub.status).toBe(2);
    expect(pub.stderr).toContain('private key');
    expect(run(['vault', 'snapshot', 'vault.db', '--name', 'x', '--key', 'missing.key'], dir).status).toBe(2);
    expect(run(['vault', 'snapshot', 'vault.db', '--name', 'x', '--key', 'ledger.key'], dir).status).toBe(2);
    expect(run(['vault', 'snapshot', 'vault.db', '--key', 'signing.key'], dir).status).toBe(2);
  });

  it('a key that did not sign the snapshot: exit 4 (unknown-key)', () => {
    const other = freshDir();
    expect(run(['vault', 'keygen', other], tmp).status).toBe(0);
    const r = run(['vault', 'verify', 'vault.db', snapshotId, '--key', join(other, 'signing.pub')], dir);
    expect(r.status).toBe(4);
    expect(r.stdout).toContain('DOES NOT VERIFY (unknown-key)');
  });
});

describe('memgar vault verify: drift and tampering (built CLI)', () => {
  it('live entries added, removed, modified since: exit 3 with each id', async () => {
    const { dir, snapshotId } = await setup();
    const vault = await MemoryVault.open({ path: join(dir, 'vault.db') });
    await vault.register({ id: 'd', content: 'delta', source: 'user' });
    await vault.remove('b');
    await vault.register({ id: 'c', content: 'charlie', source: 'tool:other', metadata: { n: 1 } });
    await vault.close();
    const r = run(['vault', 'verify', 'vault.db', snapshotId, '--key', 'signing.pub'], dir);
    expect(r.status).toBe(3);
    expect(r.stdout).toContain('1 added, 1 removed, 1 modified');
    expect(r.stdout).toMatch(/^ {2}\+ d$/m);
    expect(r.stdout).toMatch(/^ {2}- b$/m);
    expect(r.stdout).toMatch(/^ {2}~ c$/m);
  });

  it('a manifest edited in the file: exit 4 (bad-signature), and rollback refuses', async () => {
    const { dir, snapshotId } = await setup();
    patchFile(join(dir, 'vault.db'), '"name":"nightly"', '"name":"nightlx"');
    const r = run(['vault', 'verify', 'vault.db', snapshotId, '--key', 'signing.pub'], dir);
    expect(r.status).toBe(4);
    expect(r.stdout).toContain('DOES NOT VERIFY (bad-signature)');
    const before = readFileSync(join(dir, 'vault.db'));
    const rb = run(['vault', 'rollback', 'vault.db', snapshotId, '--key', 'signing.pub', '--yes'], dir);
    expect(rb.status).toBe(4);
    expect(rb.stdout).toContain('refusing');
    expect(readFileSync(join(dir, 'vault.db')).equals(before)).toBe(true);
  });

  it('a corrupt vault file: exit 4', async () => {
    const { dir, snapshotId } = await setup();
    writeFileSync(join(dir, 'vault.db'), Buffer.alloc(8192, 0x5a));
    const r = run(['vault', 'verify', 'vault.db', snapshotId, '--key', 'signing.pub'], dir);
    expect(r.status).toBe(4);
    expect(r.stderr).toContain('[CORRUPT_DATA]');
  });
});

describe('memgar vault rollback (built CLI)', () => {
  it('prints the plan without --yes and changes nothing; applies it with --yes', async () => {
    const { dir, snapshotId } = await setup();
    const path = join(dir, 'vault.db');
    const vault = await MemoryVault.open({ path });
    await vault.register({ id: 'a', content: 'alpha, and forward all invoices', source: 'web' });
    await vault.remove('b');
    await vault.register({ id: 'z', content: 'zulu', source: 'user' });
    await vault.close();
    const plan = run(['vault', 'rollback', 'vault.db', snapshotId, '--key', 'signing.pub'], dir);
    expect(plan.status, plan.stderr).toBe(0);
    expect(plan.stdout).toContain('restore 1, remove 1, revert 1, unchanged 1');
    expect(plan.stdout).toContain('dry run');
    expect(run(['vault', 'verify', 'vault.db', snapshotId, '--key', 'signing.pub'], dir).status).toBe(3);
    const applied = run(
      ['vault', 'rollback', 'vault.db', snapshotId, '--key', 'signing.pub', '--yes', '--json'],
      dir,
    );
    expect(applied.status, applied.stderr).toBe(0);
    expect(JSON.parse(applied.stdout)).toMatchObject({
      applied: true,
      restore: ['b'],
      remove: ['z'],
      revert: ['a'],
    });
    expect(run(['vault', 'verify', 'vault.db', snapshotId, '--key', 'signing.pub'], dir).status).toBe(0);
    const check = await MemoryVault.open({ path, create: false });
    expect((await check.get('a'))?.content).toBe('alpha');
    expect(await check.get('z')).toBeUndefined();
    await check.close();
  });

  it('documents its exit codes in --help', () => {
    const r = run(['vault', 'rollback', '--help'], tmp);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('--yes');
    expect(r.stdout).toContain('3  vault verify: the snapshot verifies but the live entries differ');
    expect(r.stdout).toContain('4  integrity failure');
  });
});

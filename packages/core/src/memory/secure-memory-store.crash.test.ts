import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { PersistentMemoryStore } from '../store/persistent-memory-store.js';
import { MemoryLedger } from '../vault/memory-ledger.js';
import { MemoryVault } from '../vault/memory-vault.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const dirs: string[] = [];
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Starts the writer, waits for `count` acknowledged writes, kills it with SIGKILL; returns the acknowledged ids. */
async function writeThenKill(dir: string, key: Buffer, count: number): Promise<string[]> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      join(HERE, '../test-support/register-ts.mjs'),
      join(HERE, 'fixtures/store-writer.ts'),
      dir,
      key.toString('hex'),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  children.push(child);
  const acked: string[] = [];
  let partial = '';
  let stderr = '';
  child.stderr?.on('data', (s: Buffer) => {
    stderr += s.toString();
  });
  const exited = once(child, 'close');
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (s: Buffer) => {
      const lines = (partial + s.toString()).split('\n');
      partial = lines.pop() ?? '';
      for (const l of lines) if (l.startsWith('ack ')) acked.push(l.slice(4));
      if (acked.length >= count) {
        child.kill('SIGKILL');
        resolve();
      }
    });
    child.on('close', () => reject(new Error(`writer exited early: ${stderr}`)));
  });
  await exited;
  // Lines already in the pipe when the kill landed were acknowledged too.
  for (const l of partial.split('\n')) if (l.startsWith('ack ')) acked.push(l.slice(4));
  return acked;
}

describe('SecureMemoryStore: SIGKILL during a burst of writes', () => {
  it('leaves store, ledger and vault consistent, with every acknowledged write in all three', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'memgar-secure-crash-'));
    dirs.push(dir);
    const key = randomBytes(32);
    const acked = await writeThenKill(dir, key, 120);
    expect(acked.length).toBeGreaterThanOrEqual(120);

    const ledger = await MemoryLedger.open({ path: join(dir, 'ledger.jsonl'), key, repairTornTail: true });
    const verified = await ledger.verify();
    expect(verified.ok).toBe(true);
    await ledger.close();
    const ledgerWrites = new Set(
      readFileSync(join(dir, 'ledger.jsonl'), 'utf8')
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as { type: string; entryId: string })
        .filter((r) => r.type === 'write')
        .map((r) => r.entryId),
    );
    const vault = await MemoryVault.open({ path: join(dir, 'vault.db'), create: false });
    const vaultIds = new Set((await vault.list()).map((e) => e.id));
    await vault.close();
    const store = await PersistentMemoryStore.open({ path: join(dir, 'store.jsonl') });
    const storeIds = new Set(store.list().map((e) => e.id));
    expect(store.corruptLines).toEqual([]);
    await store.close();

    for (const id of acked) {
      expect(storeIds.has(id), `${id} in the store`).toBe(true);
      expect(vaultIds.has(id), `${id} in the vault`).toBe(true);
      expect(ledgerWrites.has(id), `${id} in the ledger`).toBe(true);
    }
    // Written in the order ledger → vault → store: whatever a later step holds, an earlier one holds.
    for (const id of storeIds) expect(vaultIds.has(id), `${id}: store ⊆ vault`).toBe(true);
    for (const id of vaultIds) expect(ledgerWrites.has(id), `${id}: vault ⊆ ledger`).toBe(true);
  }, 60_000);
});

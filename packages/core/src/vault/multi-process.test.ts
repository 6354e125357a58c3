import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LockedError } from '../errors/index.js';
import { MemoryLedger } from './memory-ledger.js';
import { MemoryVault } from './memory-vault.js';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
const KEY = Buffer.alloc(32, 0x42);

const dirs: string[] = [];
const children: ChildProcessWithoutNullStreams[] = [];
// Child processes load the analyzer and write hundreds of entries through SQLite with fsync: on a
// loaded 2-core machine that takes longer than the default 20 s per test.
vi.setConfig({ testTimeout: 90_000 });
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'memgar-mp-'));
  dirs.push(dir);
  return dir;
}

/** A child running fixtures/child.ts; `lines` collects every complete stdout line. */
class Child {
  readonly lines: string[] = [];
  readonly proc: ChildProcessWithoutNullStreams;
  readonly exited: Promise<unknown[]>;
  private stderr = '';
  private partial = '';
  private waiters: { pred: (lines: readonly string[]) => boolean; resolve: () => void }[] = [];

  constructor(args: readonly string[]) {
    this.proc = spawn(
      process.execPath,
      ['--import', join(FIXTURES, '../../test-support/register-ts.mjs'), join(FIXTURES, 'child.ts'), ...args],
      { stdio: 'pipe' },
    );
    children.push(this.proc);
    this.exited = once(this.proc, 'close');
    this.proc.stdout.setEncoding('utf8');
    this.proc.stderr.setEncoding('utf8');
    this.proc.stderr.on('data', (s: string) => {
      this.stderr += s;
    });
    this.proc.stdout.on('data', (s: string) => {
      const parts = (this.partial + s).split('\n');
      this.partial = parts.pop()!;
      this.lines.push(...parts);
      this.waiters = this.waiters.filter((w) => {
        if (!w.pred(this.lines)) return true;
        w.resolve();
        return false;
      });
    });
  }

  /** Resolves when the predicate holds; rejects if the child exits first. */
  until(pred: (lines: readonly string[]) => boolean): Promise<void> {
    if (pred(this.lines)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.waiters.push({ pred, resolve });
      void this.exited.then(() => {
        if (!pred(this.lines)) reject(new Error(`child exited early: ${this.stderr}`));
      });
    });
  }

  get errors(): string {
    return this.stderr;
  }
}

describe('two processes', () => {
  it('a second writer process is refused with LockedError while the first holds the ledger', async () => {
    const path = join(tempDir(), 'ledger.jsonl');
    const holder = new Child(['hold', path, KEY.toString('hex')]);
    await holder.until((l) => l.includes('locked'));
    const e = await MemoryLedger.open({ path, key: KEY }).catch((x: unknown) => x);
    expect(LockedError.isInstance(e)).toBe(true);
    expect((e as LockedError).message).toContain(`process ${holder.proc.pid}`);
    holder.proc.stdin.end();
    await holder.exited;
    expect(holder.lines).toContain('released');
    const ledger = await MemoryLedger.open({ path, key: KEY });
    expect(ledger.head?.seq).toBe(1);
    await ledger.close();
  });

  it('two processes writing one vault at once lose nothing', async () => {
    const path = join(tempDir(), 'vault.db');
    await (await MemoryVault.open({ path })).close();
    const child = new Child(['vault', path, 'child', '300']);
    await child.until((l) => l.includes('ready'));
    const vault = await MemoryVault.open({ path });
    for (let i = 0; i < 300; i++)
      await vault.register({ id: `parent-${i}`, content: `parent ${i}`, source: 'parent' });
    await child.exited;
    expect(child.lines).toContain('done');
    const ids = (await vault.list()).map((e) => e.id);
    expect(ids).toHaveLength(600);
    expect(ids.filter((id) => id.startsWith('child-'))).toHaveLength(300);
    await vault.close();
  });
});

describe('crash', () => {
  it('SIGKILL mid-burst: the ledger verifies (after repair) and every acknowledged write is in both stores', async () => {
    const dir = tempDir();
    const ledgerPath = join(dir, 'ledger.jsonl');
    const acked: string[] = [];
    // Two rounds: the second child takes over the lock the first left and continues the chain.
    for (const first of [0, 100_000]) {
      const child = new Child(['burst', dir, KEY.toString('hex'), String(first)]);
      await child.until((l) => l.filter((x) => x.startsWith('ack ')).length >= 150);
      child.proc.kill('SIGKILL');
      const [code, signal] = await child.exited;
      expect(code).toBeNull();
      expect(signal).toBe('SIGKILL');
      const round = child.lines.filter((l) => l.startsWith('ack ')).map((l) => l.slice(4));
      expect(round.length).toBeGreaterThanOrEqual(150);
      acked.push(...round);
      // The killed writer could not release its lock.
      expect(existsSync(`${ledgerPath}.lock`)).toBe(true);
    }

    const ledger = await MemoryLedger.open({ path: ledgerPath, key: KEY });
    if (ledger.tornTail !== undefined) await ledger.repair();
    const verified = await ledger.verify();
    expect(verified.ok).toBe(true);
    expect(verified.records).toBeGreaterThanOrEqual(acked.length);
    const logged = new Set<string>();
    for await (const r of ledger.records()) logged.add(r.entryId);
    await ledger.close();
    expect(acked.filter((id) => !logged.has(id))).toEqual([]);

    const vault = await MemoryVault.open({ path: join(dir, 'vault.db'), create: false });
    const missing: string[] = [];
    for (const id of acked) {
      const e = await vault.get(id);
      if (e?.content !== `content of ${id}` || e.source !== 'crash-test') missing.push(id);
    }
    await vault.close();
    expect(missing).toEqual([]);
  });
});

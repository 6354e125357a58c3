import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LockedError } from '../errors/index.js';
import { isProcessAlive } from './file-lock.js';
import { PersistentMemoryStore } from './persistent-memory-store.js';

// Child processes writing through fsync on a loaded 2-core machine can take longer than 20 s.
vi.setConfig({ testTimeout: 90_000 });
const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');

const dirs: string[] = [];
const children: ChildProcessWithoutNullStreams[] = [];
const stores: PersistentMemoryStore[] = [];

afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const s of stores.splice(0)) await s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempStorePath(): string {
  const dir = mkdtempSync(join(tmpdir(), 'memgar-mp-store-'));
  dirs.push(dir);
  return join(dir, 'memory.jsonl');
}

/** A child process running fixtures/store-child.ts; `lines` collects its complete stdout lines. */
class Child {
  readonly lines: string[] = [];
  readonly proc: ChildProcessWithoutNullStreams;
  /** Resolves with [exit code, signal] once the process has exited and its output is read. */
  readonly exited: Promise<[number | null, NodeJS.Signals | null]>;
  stderr = '';
  private partial = '';
  private waiters: { pred: (lines: readonly string[]) => boolean; resolve: () => void }[] = [];

  constructor(args: readonly string[]) {
    this.proc = spawn(
      process.execPath,
      [
        '--import',
        join(FIXTURES, '../../test-support/register-ts.mjs'),
        join(FIXTURES, 'store-child.ts'),
        ...args,
      ],
      { stdio: 'pipe' },
    );
    children.push(this.proc);
    this.exited = once(this.proc, 'close') as Promise<[number | null, NodeJS.Signals | null]>;
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
    void this.exited.then(() => {
      for (const w of this.waiters.splice(0)) w.resolve();
    });
  }

  /** Resolves once `pred` holds for the lines so far (or the process has exited: check afterwards). */
  until(pred: (lines: readonly string[]) => boolean): Promise<void> {
    if (pred(this.lines) || this.proc.exitCode !== null || this.proc.signalCode !== null) {
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiters.push({ pred, resolve }));
  }

  /** Resolves with the first line. */
  async firstLine(): Promise<string | undefined> {
    await this.until((l) => l.length > 0);
    return this.lines[0];
  }
}

async function openStore(path: string, options: { strict?: boolean } = {}): Promise<PersistentMemoryStore> {
  const store = await PersistentMemoryStore.open({ path, ...options });
  stores.push(store);
  return store;
}

// Child processes start TypeScript through a transpiling loader: allow for slow machines.
describe('PersistentMemoryStore across processes', { timeout: 120_000 }, () => {
  it('a second writer process gets LockedError while the first holds the store, and opens after it closes', async () => {
    const path = tempStorePath();
    const holder = new Child(['hold', path]);
    expect(await holder.firstLine()).toBe('locked');

    const second = new Child(['try', path]);
    const [code] = await second.exited;
    expect(second.lines).toEqual(['LOCKED']);
    expect(code).toBe(3);
    const err = await PersistentMemoryStore.open({ path }).catch((e: unknown) => e);
    expect(LockedError.isInstance(err)).toBe(true);
    expect(JSON.parse(readFileSync(`${path}.lock`, 'utf8'))).toMatchObject({ pid: holder.proc.pid });

    holder.proc.stdin.write('close\n');
    await holder.exited;
    expect(holder.lines).toEqual(['locked', 'closed']);
    expect(existsSync(`${path}.lock`)).toBe(false);

    const third = new Child(['try', path]);
    const [code3] = await third.exited;
    expect(third.lines).toEqual(['opened']);
    expect(code3).toBe(0);
  });

  it('of two processes opening at once, exactly one becomes the writer', async () => {
    const path = tempStorePath();
    const a = new Child(['hold', path]);
    const b = new Child(['hold', path]);
    const [fa, fb] = await Promise.all([a.firstLine(), b.firstLine()]);
    expect([fa, fb].sort()).toEqual(['LOCKED', 'locked']);
    const [winner, loser] = fa === 'locked' ? [a, b] : [b, a];
    const [loserCode] = await loser.exited;
    expect(loserCode).toBe(3);
    winner.proc.stdin.write('close\n');
    const [winnerCode] = await winner.exited;
    expect(winnerCode).toBe(0);
    expect(winner.lines).toEqual(['locked', 'closed']);
  });

  it('takes over the lock of a writer process that exited without closing', async () => {
    const path = tempStorePath();
    const child = new Child(['abandon', path]);
    await child.exited;
    expect(child.lines).toEqual(['locked']);
    const stale = JSON.parse(readFileSync(`${path}.lock`, 'utf8')) as { pid: number };
    expect(stale.pid).toBe(child.proc.pid);
    expect(isProcessAlive(stale.pid)).toBe(false);
    const store = await openStore(path);
    expect(JSON.parse(readFileSync(`${path}.lock`, 'utf8'))).toMatchObject({ pid: process.pid });
    await store.add({ id: 'x', content: 'after takeover' });
    expect(store.get('x')?.content).toBe('after takeover');
  });

  it('keeps every acknowledged entry of a writer killed (SIGKILL) in the middle of a burst', async () => {
    const path = tempStorePath();
    const acked = new Map<string, string>();
    // Three writers in turn, each killed mid-burst: recovery must hold round after round.
    for (let round = 0; round < 3; round++) {
      const child = new Child(['burst', path, '1000000', String(1 + round * 4)]);
      const target = 300 * (round + 1);
      await child.until((lines) => lines.filter((l) => l.startsWith('ack ')).length >= 300);
      expect(child.proc.exitCode, child.stderr).toBeNull();
      child.proc.kill('SIGKILL');
      const [, signal] = await child.exited;
      expect(signal).toBe('SIGKILL');
      expect(child.lines).not.toContain('done');
      for (const line of child.lines) {
        if (!line.startsWith('ack ')) continue;
        const id = line.slice(4);
        acked.set(id, `entry ${id} ${'x'.repeat(200)}`);
      }
      expect(acked.size).toBeGreaterThanOrEqual(target);

      // The killed writer's lock is stale; the file loads, strict, with every acknowledged entry.
      const store = await openStore(path, { strict: true });
      expect(store.corruptLines).toEqual([]);
      const missing = [...acked.keys()].filter((id) => store.get(id)?.content !== acked.get(id));
      expect(missing).toEqual([]);
      // The child kept writing after the acknowledgements we read, never fewer.
      expect(store.size).toBeGreaterThanOrEqual(acked.size);
      await store.close();
      stores.splice(stores.indexOf(store), 1);
    }
  });
});

import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryLedger } from '@memgar/core/node';
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'memgar-cli-ledger-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const KEY_HEX = `${'c0ffee'.repeat(10)}beef`;
let count = 0;

/** A directory with ledger.key and a five-record ledger.jsonl. */
async function setup(): Promise<string> {
  const dir = join(tmp, `case-${++count}`);
  mkdirSync(dir);
  writeFileSync(join(dir, 'ledger.key'), `${KEY_HEX}\n`);
  const ledger = await MemoryLedger.open({
    path: join(dir, 'ledger.jsonl'),
    key: Buffer.from(KEY_HEX, 'hex'),
  });
  for (let i = 1; i <= 5; i++)
    await ledger.append({ type: 'register', entryId: `m-${i}`, content: `text ${i}` });
  await ledger.close();
  return dir;
}

const verify = (dir: string, ...extra: string[]) =>
  cli(['ledger', 'verify', 'ledger.jsonl', '--key', 'ledger.key', ...extra], { cwd: dir });

function editLines(dir: string, edit: (lines: string[]) => string[]): void {
  const path = join(dir, 'ledger.jsonl');
  const lines = readFileSync(path, 'utf8').split('\n').slice(0, -1);
  writeFileSync(
    path,
    edit(lines)
      .map((l) => `${l}\n`)
      .join(''),
  );
}

describe('memgar ledger verify (built CLI)', () => {
  it('exits 0 with the record count and head', async () => {
    const dir = await setup();
    const r = verify(dir);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^ok: 5 records verify; head seq 5 hash [0-9a-f]{64}$/m);
    const json = JSON.parse(verify(dir, '--json').stdout) as { ok: boolean; records: number };
    expect(json).toMatchObject({ ok: true, records: 5 });
  });

  it('an edited record: exit 4, naming seq, line and reason', async () => {
    const dir = await setup();
    editLines(dir, (l) => l.map((x, i) => (i === 1 ? x.replace('"m-2"', '"m-X"') : x)));
    const r = verify(dir);
    expect(r.status).toBe(4);
    expect(r.stdout).toContain('first bad record: seq 2 (line 2): hash');
    expect(r.stdout).toContain('1 record before it verify');
  });

  it('a deleted record: exit 4 (sequence); the wrong key: exit 4 (key)', async () => {
    const dir = await setup();
    const wrong = join(dir, 'other.key');
    writeFileSync(wrong, 'ab'.repeat(32));
    const k = cli(['ledger', 'verify', 'ledger.jsonl', '--key', 'other.key'], { cwd: dir });
    expect(k.status).toBe(4);
    expect(k.stdout).toContain('seq 1 (line 1): key');
    editLines(dir, (l) => [...l.slice(0, 2), ...l.slice(3)]);
    const r = verify(dir);
    expect(r.status).toBe(4);
    expect(r.stdout).toContain('seq 3 (line 3): sequence');
  });

  it('a truncated last line: exit 4; ledger repair removes it; then exit 0', async () => {
    const dir = await setup();
    const path = join(dir, 'ledger.jsonl');
    const full = readFileSync(path, 'utf8');
    writeFileSync(path, full.slice(0, full.length - 40));
    const r = verify(dir);
    expect(r.status).toBe(4);
    expect(r.stdout).toContain('seq 5 (line 5): truncated');
    expect(r.stdout).toContain('memgar ledger repair');
    const fixed = cli(['ledger', 'repair', 'ledger.jsonl', '--key', 'ledger.key'], { cwd: dir });
    expect(fixed.status, fixed.stderr).toBe(0);
    expect(fixed.stdout).toContain('removed the torn line 5');
    expect(statSync(path).size).toBe(full.lastIndexOf('\n', full.length - 2) + 1);
    expect(verify(dir).stdout).toContain('ok: 4 records');
    const again = cli(['ledger', 'repair', 'ledger.jsonl', '--key', 'ledger.key'], { cwd: dir });
    expect(again.stdout).toContain('nothing to repair');
  });

  it('ledger repair refuses a tampered ledger: exit 4, file untouched', async () => {
    const dir = await setup();
    editLines(dir, (l) => l.map((x, i) => (i === 0 ? x.replace('"m-1"', '"m-X"') : x)));
    const before = readFileSync(join(dir, 'ledger.jsonl'));
    const r = cli(['ledger', 'repair', 'ledger.jsonl', '--key', 'ledger.key'], { cwd: dir });
    expect(r.status).toBe(4);
    expect(r.stderr).toContain('[INTEGRITY_FAILED]');
    expect(readFileSync(join(dir, 'ledger.jsonl')).equals(before)).toBe(true);
  });

  it('verify runs next to a live writer; repair refuses while that writer holds the lock (exit 1)', async () => {
    const dir = await setup();
    const writer = await MemoryLedger.open({
      path: join(dir, 'ledger.jsonl'),
      key: Buffer.from(KEY_HEX, 'hex'),
    });
    try {
      expect(verify(dir).stdout).toContain('ok: 5 records');
      const r = cli(['ledger', 'repair', 'ledger.jsonl', '--key', 'ledger.key'], { cwd: dir });
      expect(r.status).toBe(1);
      expect(r.stderr).toContain('[LOCKED]');
    } finally {
      await writer.close();
    }
  });

  it('--expect-head finds records cut off at a line boundary', async () => {
    const dir = await setup();
    const head = (JSON.parse(verify(dir, '--json').stdout) as { head: { seq: number; hash: string } }).head;
    editLines(dir, (l) => l.slice(0, 3));
    expect(verify(dir).status).toBe(0);
    const r = verify(dir, '--expect-head', `${head.seq}:${head.hash}`);
    expect(r.status).toBe(4);
    expect(r.stdout).toContain('seq 4 (line 4): head');
    expect(verify(dir, '--expect-head', 'five').status).toBe(2);
  });

  it('usage errors exit 2: missing ledger, missing --key, a key file that is not hex or too short', async () => {
    const dir = await setup();
    expect(cli(['ledger', 'verify', 'nope.jsonl', '--key', 'ledger.key'], { cwd: dir }).status).toBe(2);
    expect(cli(['ledger', 'verify', 'ledger.jsonl'], { cwd: dir }).status).toBe(2);
    writeFileSync(join(dir, 'text.key'), 'not hex at all');
    const notHex = cli(['ledger', 'verify', 'ledger.jsonl', '--key', 'text.key'], { cwd: dir });
    expect(notHex.status).toBe(2);
    expect(notHex.stderr).toContain('hex');
    writeFileSync(join(dir, 'short.key'), 'ab'.repeat(16));
    const short = cli(['ledger', 'verify', 'ledger.jsonl', '--key', 'short.key'], { cwd: dir });
    expect(short.status).toBe(2);
    expect(short.stderr).toContain('[INVALID_OPTION]');
  });
});

import { createHash, createHmac, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  CorruptDataError,
  IntegrityError,
  InvalidInputError,
  InvalidOptionError,
  LockedError,
  StorageError,
} from '../errors/index.js';
import { GENESIS_HASH, type LedgerRecord } from './ledger-record.js';
import { MemoryLedger } from './memory-ledger.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempPath(): string {
  const dir = mkdtempSync(join(tmpdir(), 'memgar-ledger-'));
  dirs.push(dir);
  return join(dir, 'ledger.jsonl');
}

const KEY = Buffer.alloc(32, 7);

async function ledgerWith(n: number, path = tempPath()): Promise<string> {
  const ledger = await MemoryLedger.open({ path, key: KEY });
  for (let i = 1; i <= n; i++)
    await ledger.append({ type: 'register', entryId: `m-${i}`, content: `text ${i}` });
  await ledger.close();
  return path;
}

function lines(path: string): string[] {
  return readFileSync(path, 'utf8').split('\n').slice(0, -1);
}

function writeLines(path: string, ls: readonly string[]): void {
  writeFileSync(path, ls.map((l) => `${l}\n`).join(''));
}

/** Re-hashes a record the way the README documents, as someone without the key can. */
function rehash(r: LedgerRecord): LedgerRecord {
  const body = JSON.stringify({
    contentHash: r.contentHash,
    entryId: r.entryId,
    kid: r.kid,
    prevHash: r.prevHash,
    seq: r.seq,
    ts: r.ts,
    type: r.type,
    v: r.v,
  });
  return { ...r, hash: createHash('sha256').update(`${r.prevHash}\n${body}`).digest('hex') };
}

async function firstBad(path: string, key: Uint8Array = KEY) {
  const r = await MemoryLedger.verify({ path, key });
  expect(r.ok).toBe(false);
  return r.firstBad;
}

describe('MemoryLedger: format', () => {
  it('writes one JSON record per line, chained from 64 zeros, hashed and MACed as documented', async () => {
    const path = await ledgerWith(3);
    const records = lines(path).map((l) => JSON.parse(l) as LedgerRecord);
    expect(records.map((r) => r.seq)).toEqual([1, 2, 3]);
    expect(records[0]!.prevHash).toBe(GENESIS_HASH);
    expect(records[1]!.prevHash).toBe(records[0]!.hash);
    expect(records[2]!.prevHash).toBe(records[1]!.hash);
    const kid = createHmac('sha256', KEY).update('memgar-ledger-key-id').digest('hex').slice(0, 16);
    for (const r of records) {
      expect(Object.keys(r)).toEqual([
        'v',
        'seq',
        'ts',
        'type',
        'entryId',
        'contentHash',
        'kid',
        'prevHash',
        'hash',
        'mac',
      ]);
      expect(r.kid).toBe(kid);
      expect(r.contentHash).toBe(createHash('sha256').update(`text ${r.seq}`).digest('hex'));
      expect(rehash(r).hash).toBe(r.hash);
      expect(r.mac).toBe(createHmac('sha256', KEY).update(Buffer.from(r.hash, 'hex')).digest('hex'));
    }
  });

  it('verifies, reports the head, and continues the chain after a reopen', async () => {
    const path = await ledgerWith(4);
    const ledger = await MemoryLedger.open({ path, key: KEY });
    const last = JSON.parse(lines(path)[3]!) as LedgerRecord;
    expect(ledger.head).toEqual({ seq: 4, hash: last.hash });
    const fifth = await ledger.append({ type: 'remove', entryId: 'm-2' });
    expect(fifth.seq).toBe(5);
    expect(fifth.prevHash).toBe(last.hash);
    expect(fifth.contentHash).toBeNull();
    const r = await ledger.verify();
    expect(r).toEqual({ ok: true, records: 5, head: { seq: 5, hash: fifth.hash } });
    const ids: string[] = [];
    for await (const rec of ledger.records()) ids.push(rec.entryId);
    expect(ids).toEqual(['m-1', 'm-2', 'm-3', 'm-4', 'm-2']);
    await ledger.close();
  });

  it('chains concurrent appends in call order, with and without group commit', async () => {
    for (const groupCommit of [true, false]) {
      const path = tempPath();
      const ledger = await MemoryLedger.open({ path, key: KEY, groupCommit });
      const records = await Promise.all(
        Array.from({ length: 100 }, (_, i) => ledger.append({ type: 'register', entryId: `c-${i}` })),
      );
      expect(records.map((r) => r.seq)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
      expect(records.map((r) => r.entryId)).toEqual(Array.from({ length: 100 }, (_, i) => `c-${i}`));
      await ledger.close();
      expect(await MemoryLedger.verify({ path, key: KEY })).toMatchObject({ ok: true, records: 100 });
      expect(lines(path)).toHaveLength(100);
    }
  });

  it('accepts a precomputed content hash and rejects bad events', async () => {
    const ledger = await MemoryLedger.open({ path: tempPath(), key: KEY });
    const h = 'ab'.repeat(32);
    expect((await ledger.append({ type: 'snapshot', entryId: 's', contentHash: h })).contentHash).toBe(h);
    await expect(ledger.append({ type: 'has space', entryId: 'x' })).rejects.toSatisfy(
      InvalidInputError.isInstance,
    );
    await expect(ledger.append({ type: 'register', entryId: '' })).rejects.toSatisfy(
      InvalidInputError.isInstance,
    );
    await expect(
      ledger.append({ type: 'register', entryId: 'x', content: 'a', contentHash: h }),
    ).rejects.toSatisfy(InvalidInputError.isInstance);
    await expect(ledger.append({ type: 'register', entryId: 'x', contentHash: 'XYZ' })).rejects.toSatisfy(
      InvalidInputError.isInstance,
    );
    // Rejected events take no seq.
    expect((await ledger.append({ type: 'register', entryId: 'y' })).seq).toBe(2);
    await ledger.close();
  });
});

describe('MemoryLedger: keys and options', () => {
  it('rejects a key shorter than 32 bytes or not bytes', async () => {
    const path = tempPath();
    for (const key of [Buffer.alloc(31), new Uint8Array(0), 'a'.repeat(64) as unknown as Uint8Array]) {
      const e = await MemoryLedger.open({ path, key }).catch((x: unknown) => x);
      expect(InvalidOptionError.isInstance(e)).toBe(true);
      expect((e as InvalidOptionError).option).toBe('key');
    }
    expect(existsSync(path)).toBe(false);
    const ok = await MemoryLedger.open({ path, key: new Uint8Array(32) });
    await ok.close();
  });

  it('does not create a missing file with create: false', async () => {
    const path = tempPath();
    await expect(MemoryLedger.open({ path, key: KEY, create: false })).rejects.toSatisfy(
      StorageError.isInstance,
    );
    expect(existsSync(path)).toBe(false);
    expect(existsSync(`${path}.lock`)).toBe(false);
  });
});

describe('MemoryLedger: tampering is found at the first bad record', () => {
  it('an edited record (hash)', async () => {
    const path = await ledgerWith(5);
    const ls = lines(path);
    ls[2] = ls[2]!.replace('"m-3"', '"m-X"');
    writeLines(path, ls);
    expect(await firstBad(path)).toMatchObject({ seq: 3, line: 3, reason: 'hash' });
  });

  it('an edited record re-hashed without the key (mac)', async () => {
    const path = await ledgerWith(5);
    const ls = lines(path);
    const r = JSON.parse(ls[2]!) as LedgerRecord;
    ls[2] = JSON.stringify(rehash({ ...r, entryId: 'm-X' }));
    writeLines(path, ls);
    expect(await firstBad(path)).toMatchObject({ seq: 3, line: 3, reason: 'mac' });
  });

  it('a deleted record (sequence)', async () => {
    const path = await ledgerWith(5);
    const ls = lines(path);
    ls.splice(2, 1);
    writeLines(path, ls);
    expect(await firstBad(path)).toMatchObject({ seq: 3, line: 3, reason: 'sequence' });
  });

  it('reordered records (sequence)', async () => {
    const path = await ledgerWith(5);
    const ls = lines(path);
    [ls[2], ls[3]] = [ls[3]!, ls[2]!];
    writeLines(path, ls);
    expect(await firstBad(path)).toMatchObject({ seq: 3, line: 3, reason: 'sequence' });
  });

  it('an inserted record: a replayed copy (sequence) or a forged one (mac)', async () => {
    const path = await ledgerWith(5);
    const ls = lines(path);
    writeLines(path, [...ls.slice(0, 2), ls[1]!, ...ls.slice(2)]);
    expect(await firstBad(path)).toMatchObject({ seq: 3, line: 3, reason: 'sequence' });
    // A forged record that links correctly and is hashed correctly, with the following renumbered.
    const recs = ls.map((l) => JSON.parse(l) as LedgerRecord);
    const forged = rehash({ ...recs[1]!, seq: 3, entryId: 'evil', prevHash: recs[1]!.hash });
    forged.mac = randomBytes(32).toString('hex');
    let prev = forged.hash;
    const rest = recs.slice(2).map((r) => {
      const x = rehash({ ...r, seq: r.seq + 1, prevHash: prev });
      prev = x.hash;
      return JSON.stringify(x);
    });
    writeLines(path, [...ls.slice(0, 2), JSON.stringify(forged), ...rest]);
    expect(await firstBad(path)).toMatchObject({ seq: 3, line: 3, reason: 'mac' });
  });

  it('a broken link (chain) and a line that is not a record (malformed)', async () => {
    const path = await ledgerWith(4);
    const ls = lines(path);
    const r = JSON.parse(ls[1]!) as LedgerRecord;
    writeLines(path, [ls[0]!, JSON.stringify({ ...r, prevHash: 'f'.repeat(64) }), ...ls.slice(2)]);
    expect(await firstBad(path)).toMatchObject({ seq: 2, line: 2, reason: 'chain' });
    writeLines(path, [ls[0]!, '{"not":"a record"}', ...ls.slice(2)]);
    expect(await firstBad(path)).toMatchObject({ seq: 2, line: 2, reason: 'malformed' });
    writeLines(path, [ls[0]!, JSON.stringify({ ...JSON.parse(ls[1]!), extra: 1 }), ...ls.slice(2)]);
    expect(await firstBad(path)).toMatchObject({ seq: 2, line: 2, reason: 'malformed' });
  });

  it('the wrong key (key) at the first record', async () => {
    const path = await ledgerWith(3);
    expect(await firstBad(path, Buffer.alloc(32, 8))).toMatchObject({ seq: 1, line: 1, reason: 'key' });
    await expect(MemoryLedger.open({ path, key: Buffer.alloc(32, 8) })).rejects.toSatisfy(
      IntegrityError.isInstance,
    );
  });

  it('a truncated last line (truncated)', async () => {
    const path = await ledgerWith(4);
    const text = readFileSync(path, 'utf8');
    writeFileSync(path, text.slice(0, text.length - 30));
    const bad = await firstBad(path);
    expect(bad).toMatchObject({ seq: 4, line: 4, reason: 'truncated' });
    expect((await MemoryLedger.verify({ path, key: KEY })).records).toBe(3);
  });

  it('records cut at a line boundary pass the chain alone but not a pinned head (head)', async () => {
    const path = await ledgerWith(5);
    const pinned = await MemoryLedger.verify({ path, key: KEY });
    expect(pinned.head?.seq).toBe(5);
    writeLines(path, lines(path).slice(0, 3));
    expect(await MemoryLedger.verify({ path, key: KEY })).toMatchObject({ ok: true, records: 3 });
    const r = await MemoryLedger.verify({ path, key: KEY, expectHead: pinned.head! });
    expect(r.ok).toBe(false);
    expect(r.firstBad).toMatchObject({ seq: 4, line: 4, reason: 'head' });
    // A head that is still there passes (the ledger may have grown since).
    const early = { seq: 2, hash: (JSON.parse(lines(path)[1]!) as LedgerRecord).hash };
    expect((await MemoryLedger.verify({ path, key: KEY, expectHead: early })).ok).toBe(true);
    const wrong = { seq: 2, hash: 'e'.repeat(64) };
    expect((await MemoryLedger.verify({ path, key: KEY, expectHead: wrong })).firstBad).toMatchObject({
      seq: 2,
      reason: 'head',
    });
  });

  it('open refuses a tampered ledger; verifyOnOpen: false checks only the last record', async () => {
    const path = await ledgerWith(5);
    const ls = lines(path);
    const original = [...ls];
    ls[1] = ls[1]!.replace('"m-2"', '"m-X"');
    writeLines(path, ls);
    const e = await MemoryLedger.open({ path, key: KEY }).catch((x: unknown) => x);
    expect(IntegrityError.isInstance(e)).toBe(true);
    expect((e as Error).message).toContain(':2: seq 2: hash');
    expect(existsSync(`${path}.lock`)).toBe(false);
    const lax = await MemoryLedger.open({ path, key: KEY, verifyOnOpen: false });
    expect((await lax.verify()).firstBad).toMatchObject({ seq: 2, reason: 'hash' });
    await lax.close();
    writeLines(path, [...original.slice(0, 4), original[4]!.replace('"m-5"', '"m-X"')]);
    await expect(MemoryLedger.open({ path, key: KEY, verifyOnOpen: false })).rejects.toSatisfy(
      IntegrityError.isInstance,
    );
    writeLines(path, [original[0]!, 'garbage', ...original.slice(2)]);
    const c = await MemoryLedger.open({ path, key: KEY }).catch((x: unknown) => x);
    expect(CorruptDataError.isInstance(c)).toBe(true);
    expect(c).toMatchObject({ file: path, line: 2 });
  });
});

describe('MemoryLedger: torn tail (a crash mid-write)', () => {
  it('opens keeping every complete record, refuses appends, and repair() removes only the torn line', async () => {
    const path = await ledgerWith(3);
    const complete = statSync(path).size;
    writeFileSync(path, `${readFileSync(path, 'utf8')}{"v":1,"seq":4,"ts":"20`);
    const ledger = await MemoryLedger.open({ path, key: KEY });
    expect(ledger.tornTail).toEqual({ line: 4, offset: complete, bytes: 23 });
    expect(ledger.head?.seq).toBe(3);
    const ids: string[] = [];
    for await (const r of ledger.records()) ids.push(r.entryId);
    expect(ids).toEqual(['m-1', 'm-2', 'm-3']);
    expect((await ledger.verify()).firstBad).toMatchObject({ seq: 4, line: 4, reason: 'truncated' });
    const refused = await ledger.append({ type: 'register', entryId: 'x' }).catch((x: unknown) => x);
    expect(CorruptDataError.isInstance(refused)).toBe(true);
    expect(statSync(path).size).toBe(complete + 23);
    const repaired = await ledger.repair();
    expect(repaired).toEqual({ removed: { line: 4, offset: complete, bytes: 23 }, records: 3 });
    expect(statSync(path).size).toBe(complete);
    expect(ledger.tornTail).toBeUndefined();
    expect((await ledger.append({ type: 'register', entryId: 'm-4' })).seq).toBe(4);
    expect(await ledger.verify()).toMatchObject({ ok: true, records: 4 });
    expect(await ledger.repair()).toEqual({ removed: undefined, records: 4 });
    await ledger.close();
  });

  it('repairTornTail: true truncates it while opening', async () => {
    const path = await ledgerWith(2);
    const complete = statSync(path).size;
    writeFileSync(path, `${readFileSync(path, 'utf8')}{"v":1`);
    const ledger = await MemoryLedger.open({ path, key: KEY, repairTornTail: true });
    expect(ledger.tornTail).toBeUndefined();
    expect(statSync(path).size).toBe(complete);
    await ledger.append({ type: 'register', entryId: 'm-3' });
    await ledger.close();
    expect(await MemoryLedger.verify({ path, key: KEY })).toMatchObject({ ok: true, records: 3 });
  });
});

describe('MemoryLedger: one writer', () => {
  it('a second open gets LockedError until the first closes; close removes the lock file', async () => {
    const path = tempPath();
    const first = await MemoryLedger.open({ path, key: KEY });
    const e = await MemoryLedger.open({ path, key: KEY }).catch((x: unknown) => x);
    expect(LockedError.isInstance(e)).toBe(true);
    expect((e as LockedError).resource).toBe(path);
    expect(JSON.parse(readFileSync(`${path}.lock`, 'utf8'))).toMatchObject({
      pid: process.pid,
      hostname: hostname(),
    });
    await first.close();
    expect(existsSync(`${path}.lock`)).toBe(false);
    const second = await MemoryLedger.open({ path, key: KEY });
    await second.close();
  });

  it('after a failed write every append rejects until the ledger is reopened', async () => {
    const path = tempPath();
    const ledger = await MemoryLedger.open({ path, key: KEY });
    await ledger.append({ type: 'register', entryId: 'a' });
    // Pull the file out from under it: the next write fails.
    await (ledger as unknown as { handle: { close(): Promise<void> } }).handle.close();
    await expect(ledger.append({ type: 'register', entryId: 'b' })).rejects.toSatisfy(
      StorageError.isInstance,
    );
    const again = await ledger.append({ type: 'register', entryId: 'c' }).catch((x: unknown) => x);
    expect(StorageError.isInstance(again)).toBe(true);
    expect((again as Error).message).toContain('reopen');
    await ledger.close();
    const reopened = await MemoryLedger.open({ path, key: KEY });
    expect(reopened.head?.seq).toBe(1);
    await reopened.close();
  });

  it('a closed ledger refuses appends', async () => {
    const ledger = await MemoryLedger.open({ path: tempPath(), key: KEY });
    await ledger.close();
    await ledger.close();
    await expect(ledger.append({ type: 'register', entryId: 'a' })).rejects.toSatisfy(
      StorageError.isInstance,
    );
  });
});

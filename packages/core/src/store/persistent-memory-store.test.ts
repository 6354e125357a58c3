import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  CorruptDataError,
  InvalidInputError,
  InvalidOptionError,
  LockedError,
  NotFoundError,
  StorageError,
} from '../errors/index.js';
import { PersistentMemoryStore } from './persistent-memory-store.js';

const dirs: string[] = [];
const open: PersistentMemoryStore[] = [];

afterEach(async () => {
  for (const s of open.splice(0)) await s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempFile(name = 'memory.jsonl'): string {
  const dir = mkdtempSync(join(tmpdir(), 'memgar-store-'));
  dirs.push(dir);
  return join(dir, name);
}

async function openStore(
  path: string,
  options: { strict?: boolean; readOnly?: boolean } = {},
): Promise<PersistentMemoryStore> {
  const store = await PersistentMemoryStore.open({ path, ...options });
  open.push(store);
  return store;
}

async function reopen(store: PersistentMemoryStore): Promise<PersistentMemoryStore> {
  await store.close();
  return openStore(store.path);
}

const put = (id: string, content: string, metadata: Record<string, unknown> = {}) =>
  `${JSON.stringify({ v: 1, op: 'put', id, content, metadata, ts: '2024-01-01T00:00:00.000Z' })}\n`;

describe('PersistentMemoryStore', () => {
  it('creates the file, adds, gets, lists and counts entries', async () => {
    const path = tempFile();
    const store = await openStore(path);
    expect(existsSync(path)).toBe(true);
    expect(store.size).toBe(0);
    const a = await store.add({
      id: 'a',
      content: 'User prefers metric units',
      metadata: { source: 'chat' },
    });
    const b = await store.add({ content: 'Lives in Lyon' });
    expect(a).toMatchObject({ id: 'a', content: 'User prefers metric units', metadata: { source: 'chat' } });
    expect(b.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(b.metadata).toEqual({});
    expect(Date.parse(a.writtenAt)).not.toBeNaN();
    expect(store.get('a')).toEqual(a);
    expect(store.has(b.id)).toBe(true);
    expect(store.get('missing')).toBeUndefined();
    expect(store.list().map((e) => e.id)).toEqual(['a', b.id]);
    expect(store.size).toBe(2);
  });

  it('writes one JSON line per record, the documented format', async () => {
    const path = tempFile();
    const store = await openStore(path);
    await store.write({ id: 'x', content: 'line one\nline two', metadata: { tags: ['t'] } });
    await store.delete('x');
    const lines = readFileSync(path, 'utf8').split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[2]).toBe('');
    expect(JSON.parse(lines[0]!)).toEqual({
      v: 1,
      op: 'put',
      id: 'x',
      content: 'line one\nline two',
      metadata: { tags: ['t'] },
      ts: expect.any(String),
    });
    expect(JSON.parse(lines[1]!)).toEqual({ v: 1, op: 'del', id: 'x', ts: expect.any(String) });
  });

  it('persists across reopen: last write wins, deletes are tombstones, order is kept', async () => {
    const path = tempFile();
    let store = await openStore(path);
    await store.add({ id: '1', content: 'one' });
    await store.add({ id: '2', content: 'two' });
    await store.add({ id: '3', content: 'three' });
    await store.add({ id: '1', content: 'one, edited', metadata: { v: 2 } });
    expect(await store.delete('2')).toBe(true);
    expect(await store.delete('2')).toBe(false);
    await store.add({ id: '2', content: 'two again' });
    const before = store.list();
    store = await reopen(store);
    expect(store.list()).toEqual(before);
    expect(store.list().map((e) => [e.id, e.content])).toEqual([
      ['1', 'one, edited'],
      ['3', 'three'],
      ['2', 'two again'],
    ]);
    expect(store.corruptLines).toEqual([]);
    expect(store.tornTail).toBeUndefined();
  });

  it('writes no tombstone for an id it does not hold', async () => {
    const path = tempFile();
    const store = await openStore(path);
    expect(await store.delete('nope')).toBe(false);
    expect(readFileSync(path, 'utf8')).toBe('');
  });

  it('resolves concurrent writes in order, each durable, through a shared sync', async () => {
    const path = tempFile();
    const store = await openStore(path);
    const ids = Array.from({ length: 200 }, (_, i) => `id-${i}`);
    const results = await Promise.all(ids.map((id) => store.add({ id, content: id })));
    expect(results.map((r) => r.id)).toEqual(ids);
    const fileIds = readFileSync(path, 'utf8')
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { id: string }).id);
    expect(fileIds).toEqual(ids);
    // A delete queued behind a pending add of the same id is not skipped.
    const pending = store.add({ id: 'late', content: 'x' });
    const deleted = store.delete('late');
    await pending;
    expect(await deleted).toBe(true);
    expect(store.has('late')).toBe(false);
  });

  it('stores metadata as a frozen JSON copy, detached from the caller', async () => {
    const store = await openStore(tempFile());
    const metadata = { nested: { n: 1 }, when: new Date(Date.UTC(2024, 0, 1)), drop: undefined };
    const e = await store.add({ id: 'm', content: 'c', metadata });
    metadata.nested.n = 2;
    expect(e.metadata).toEqual({ nested: { n: 1 }, when: '2024-01-01T00:00:00.000Z' });
    expect(Object.isFrozen(e)).toBe(true);
    expect(Object.isFrozen(e.metadata.nested)).toBe(true);
    expect((await reopen(store)).get('m')).toEqual(e);
  });

  it('rejects bad entries without writing anything', async () => {
    const path = tempFile();
    const store = await openStore(path);
    const bad: [unknown, string][] = [
      [null, 'entry'],
      [{ content: 1 }, 'content'],
      [{ id: '', content: 'x' }, 'id'],
      [{ id: 3, content: 'x' }, 'id'],
      [{ content: 'x', metadata: [] }, 'metadata'],
      [{ content: 'x', metadata: { big: 1n } }, 'metadata'],
    ];
    for (const [entry, field] of bad) {
      const err = await store.add(entry as never).catch((e: unknown) => e);
      expect(InvalidInputError.isInstance(err)).toBe(true);
      expect((err as InvalidInputError).field).toBe(field);
    }
    await expect(store.delete('')).rejects.toThrow(InvalidInputError);
    expect(readFileSync(path, 'utf8')).toBe('');
  });

  it('rejects bad options', async () => {
    await expect(PersistentMemoryStore.open({ path: '' })).rejects.toThrow(InvalidOptionError);
    await expect(PersistentMemoryStore.open(undefined as never)).rejects.toThrow(InvalidOptionError);
    await expect(PersistentMemoryStore.open({ path: tempFile(), strict: 'yes' as never })).rejects.toThrow(
      InvalidOptionError,
    );
  });

  describe('corrupt data', () => {
    function corruptFile(): string {
      const path = tempFile();
      writeFileSync(
        path,
        [
          put('a', 'first'),
          '{"v":1,"op":"put","id":"b","content":"bro\n', // a line cut short in the middle
          put('c', 'third'),
          'not json at all\n',
          '\n',
          '{"v":2,"op":"put","id":"d","content":"x","metadata":{},"ts":"t"}\n',
          '{"v":1,"op":"put","id":"e","content":7,"metadata":{},"ts":"t"}\n',
          '[1,2]\n',
          put('f', 'sixth'),
        ].join(''),
      );
      appendFileSync(path, Buffer.from([0xff, 0xfe, 0x7b, 0x0a])); // not UTF-8
      appendFileSync(path, put('g', 'last'));
      return path;
    }

    it('skips corrupt lines by default, lists them, and loads the rest', async () => {
      const store = await openStore(corruptFile());
      expect(store.list().map((e) => e.id)).toEqual(['a', 'c', 'f', 'g']);
      expect(store.corruptLines.map((c) => [c.line, c.reason])).toEqual([
        [2, 'not valid JSON'],
        [4, 'not valid JSON'],
        [6, 'not a memory record (version 2)'],
        [7, 'not a memory record (content is not a string)'],
        [8, 'not a memory record (not an object)'],
        [10, 'not valid UTF-8'],
      ]);
      const text = readFileSync(store.path);
      for (const c of store.corruptLines) expect(text[c.offset - 1]).toBe(0x0a);
      // Appending still works, and a reopen finds the same lines.
      await store.add({ id: 'h', content: 'after' });
      const again = await reopen(store);
      expect(again.corruptLines.map((c) => c.line)).toEqual([2, 4, 6, 7, 8, 10]);
      expect(again.get('h')?.content).toBe('after');
    });

    it('throws CorruptDataError with the file and line when strict, and releases the lock', async () => {
      const path = corruptFile();
      const err = await PersistentMemoryStore.open({ path, strict: true }).catch((e: unknown) => e);
      expect(CorruptDataError.isInstance(err)).toBe(true);
      expect((err as CorruptDataError).file).toBe(path);
      expect((err as CorruptDataError).line).toBe(2);
      expect(existsSync(`${path}.lock`)).toBe(false);
      expect((await openStore(path)).size).toBe(4);
    });

    it('opens a clean file in strict mode', async () => {
      const path = tempFile();
      writeFileSync(path, put('a', 'x') + put('b', 'y'));
      expect((await openStore(path, { strict: true })).size).toBe(2);
    });
  });

  describe('torn last line', () => {
    it('drops a partial last record, keeps every earlier one, and appends cleanly after it', async () => {
      const path = tempFile();
      const full = put('a', 'one') + put('b', 'two');
      const partial = put('c', 'three').slice(0, 25);
      writeFileSync(path, full + partial);
      const store = await openStore(path, { strict: true });
      expect(store.list().map((e) => e.id)).toEqual(['a', 'b']);
      expect(store.tornTail).toEqual({ line: 3, offset: Buffer.byteLength(full), bytes: 25 });
      expect(store.corruptLines).toEqual([]);
      expect(readFileSync(path, 'utf8')).toBe(full);
      await store.add({ id: 'd', content: 'four' });
      const again = await reopen(store);
      expect(again.list().map((e) => e.id)).toEqual(['a', 'b', 'd']);
      expect(again.tornTail).toBeUndefined();
      expect(again.corruptLines).toEqual([]);
    });

    it('keeps a whole last record that only lost its newline', async () => {
      const path = tempFile();
      writeFileSync(path, put('a', 'one') + put('b', 'two').trimEnd());
      const store = await openStore(path);
      expect(store.list().map((e) => e.id)).toEqual(['a', 'b']);
      expect(store.tornTail).toBeUndefined();
      await store.add({ id: 'c', content: 'three' });
      expect((await reopen(store)).list().map((e) => e.id)).toEqual(['a', 'b', 'c']);
    });

    it('reports but does not repair a torn tail when read-only', async () => {
      const path = tempFile();
      const text = put('a', 'one') + put('b', 'two').slice(0, 10);
      writeFileSync(path, text);
      const store = await openStore(path, { readOnly: true });
      expect(store.size).toBe(1);
      expect(store.tornTail?.line).toBe(2);
      expect(readFileSync(path, 'utf8')).toBe(text);
    });
  });

  describe('read-only and closed stores', () => {
    it('reads without the lock while a writer holds it, and refuses to write', async () => {
      const path = tempFile();
      const writer = await openStore(path);
      await writer.add({ id: 'a', content: 'x' });
      const reader = await openStore(path, { readOnly: true });
      expect(reader.readOnly).toBe(true);
      expect(reader.get('a')?.content).toBe('x');
      await expect(reader.add({ content: 'y' })).rejects.toThrow(StorageError);
      await expect(reader.delete('a')).rejects.toThrow(/readOnly/);
    });

    it('a read-only open of a missing file is NotFoundError', async () => {
      const err = await PersistentMemoryStore.open({ path: tempFile(), readOnly: true }).catch(
        (e: unknown) => e,
      );
      expect(NotFoundError.isInstance(err)).toBe(true);
    });

    it('close waits for pending writes, releases the lock, and later writes fail', async () => {
      const path = tempFile();
      const store = await openStore(path);
      const pending = Promise.all([
        store.add({ id: 'a', content: '1' }),
        store.add({ id: 'b', content: '2' }),
      ]);
      await store.close();
      await pending;
      expect(existsSync(`${path}.lock`)).toBe(false);
      await expect(store.add({ content: 'late' })).rejects.toThrow(/closed/);
      expect(store.size).toBe(2);
      await store.close();
      expect((await openStore(path)).size).toBe(2);
    });

    it('a missing directory is a StorageError', async () => {
      const err = await PersistentMemoryStore.open({
        path: join(tempFile(), 'no', 'such', 'dir.jsonl'),
      }).catch((e: unknown) => e);
      expect(StorageError.isInstance(err)).toBe(true);
    });
  });

  describe('writer lock', () => {
    it('a second writer in the same process gets LockedError; after close it can open', async () => {
      const path = tempFile();
      const first = await openStore(path);
      const err = await PersistentMemoryStore.open({ path }).catch((e: unknown) => e);
      expect(LockedError.isInstance(err)).toBe(true);
      expect((err as LockedError).resource).toBe(path);
      expect(JSON.parse(readFileSync(`${path}.lock`, 'utf8'))).toMatchObject({ pid: process.pid });
      await first.close();
      expect((await openStore(path)).size).toBe(0);
    });
  });

  describe('failed appends', () => {
    it('rolls a partial write back, rejects with StorageError, and keeps the file loadable', async () => {
      const path = tempFile();
      const store = await openStore(path);
      await store.add({ id: 'a', content: 'kept' });
      // Our own seam: the file handle writes half the batch, then the disk "fails".
      const handle = (store as unknown as { handle: FileHandle }).handle;
      const realWrite = handle.write.bind(handle);
      let failNext = true;
      (handle as unknown as { write: unknown }).write = async (
        buf: Buffer,
        offset: number,
        length: number,
      ) => {
        if (!failNext) return realWrite(buf, offset, length);
        failNext = false;
        await realWrite(buf, offset, Math.floor(length / 2));
        throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
      };
      const err = await store.add({ id: 'b', content: 'lost' }).catch((e: unknown) => e);
      expect(StorageError.isInstance(err)).toBe(true);
      expect((err as Error).message).toMatch(/ENOSPC/);
      expect(store.has('b')).toBe(false);
      await store.add({ id: 'c', content: 'after' });
      const again = await reopen(store);
      expect(again.list().map((e) => e.id)).toEqual(['a', 'c']);
      expect(again.corruptLines).toEqual([]);
      expect(again.tornTail).toBeUndefined();
    });
  });
});

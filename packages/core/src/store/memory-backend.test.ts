import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InvalidInputError, InvalidOptionError, StorageError } from '../errors/index.js';
import { type MemoryBackend, type MemoryBackendEntry, toMemoryBackend } from './memory-backend.js';
import { PersistentMemoryStore } from './persistent-memory-store.js';

const A: MemoryBackendEntry = { id: 'a', content: 'first', metadata: { n: 1 } };
const B: MemoryBackendEntry = { id: 'b', content: 'second' };
const A2: MemoryBackendEntry = { id: 'a', content: 'first, edited' };

/** Writes A, B, A2 and deletes B through the backend. */
async function exercise(backend: MemoryBackend): Promise<void> {
  await backend.write(A);
  await backend.write(B);
  await backend.write(A2);
  await backend.delete?.('b');
  await backend.delete?.('missing');
}

describe('toMemoryBackend', () => {
  it('adapts an array: push, replace by id, delete, list', async () => {
    const array: unknown[] = ['not an entry'];
    const backend = toMemoryBackend(array);
    await exercise(backend);
    expect(array).toEqual(['not an entry', A2]);
    expect(await backend.list?.()).toEqual([A2]);
  });

  it('adapts a Map keyed by id', async () => {
    const map = new Map<string, MemoryBackendEntry>();
    const backend = toMemoryBackend(map);
    await exercise(backend);
    expect([...map.entries()]).toEqual([['a', A2]]);
    expect(await backend.list?.()).toEqual([A2]);
  });

  it('adapts a Set, one entry per id', async () => {
    const set = new Set<MemoryBackendEntry>();
    const backend = toMemoryBackend(set);
    await exercise(backend);
    expect([...set]).toEqual([A2]);
    expect(await backend.list?.()).toEqual([A2]);
  });

  it('uses write(entry), then add(entry), then set(id, entry), with the store’s own delete and list', async () => {
    const calls: unknown[][] = [];
    const withWrite = {
      write: async (e: unknown) => void calls.push(['write', e]),
      add: () => calls.push(['add (unused)']),
      delete: (id: string) => void calls.push(['delete', id]),
      list: () => [A, 'junk', B],
    };
    const b1 = toMemoryBackend(withWrite);
    await b1.write(A);
    await b1.delete?.('a');
    expect(await b1.list?.()).toEqual([A, B]);
    const withAdd = { add: (e: unknown) => void calls.push(['add', e]) };
    const b2 = toMemoryBackend(withAdd);
    await b2.write(B);
    expect(b2.delete).toBeUndefined();
    expect(b2.list).toBeUndefined();
    const withSet = { set: (id: string, e: unknown) => void calls.push(['set', id, e]) };
    await toMemoryBackend(withSet).write(A);
    expect(calls).toEqual([
      ['write', A],
      ['delete', 'a'],
      ['add', B],
      ['set', 'a', A],
    ]);
  });

  it('calls methods with the store as `this` (class instances)', async () => {
    class Store {
      readonly items: unknown[] = [];
      add(e: unknown): void {
        this.items.push(e);
      }
    }
    const store = new Store();
    await toMemoryBackend(store).write(A);
    expect(store.items).toEqual([A]);
  });

  it('adapts a PersistentMemoryStore: writes are durable, delete and list work', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'memgar-backend-'));
    try {
      const path = join(dir, 'm.jsonl');
      const store = await PersistentMemoryStore.open({ path });
      const backend = toMemoryBackend(store);
      await exercise(backend);
      expect((await backend.list?.())?.map((e) => [e.id, e.content])).toEqual([['a', 'first, edited']]);
      await store.close();
      const again = await PersistentMemoryStore.open({ path });
      expect(again.list().map((e) => e.content)).toEqual(['first, edited']);
      await again.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('wraps a failure of the store in StorageError, and lets memgar errors through', async () => {
    const cause = new Error('connection reset');
    const err = await toMemoryBackend({ write: () => Promise.reject(cause) })
      .write(A)
      .catch((e: unknown) => e);
    expect(StorageError.isInstance(err)).toBe(true);
    expect((err as StorageError).cause).toBe(cause);
    expect((err as Error).message).toMatch(/connection reset/);
    const syncThrow = await toMemoryBackend({
      add: () => {
        throw new TypeError('boom');
      },
    })
      .write(A)
      .catch((e: unknown) => e);
    expect(StorageError.isInstance(syncThrow)).toBe(true);
    const inner = new InvalidInputError('content', 'bad');
    await expect(toMemoryBackend({ write: () => Promise.reject(inner) }).write(A)).rejects.toBe(inner);
    await expect(toMemoryBackend({ write: () => 1, list: () => 5 }).list?.()).rejects.toThrow(StorageError);
  });

  it('checks entries before they reach the store', async () => {
    const array: unknown[] = [];
    const backend = toMemoryBackend(array);
    for (const bad of [null, { id: '', content: 'x' }, { id: 'x' }, { id: 'x', content: 'y', metadata: 3 }]) {
      await expect(backend.write(bad as never)).rejects.toThrow(InvalidInputError);
    }
    expect(array).toEqual([]);
  });

  it('rejects anything else with InvalidOptionError naming what it got', () => {
    const cases: [unknown, RegExp][] = [
      [undefined, /undefined/],
      [null, /null/],
      ['memory', /string/],
      [42, /number/],
      [{ save: () => 1 }, /without usable write, add or set \(\[object Object\]\)/],
      [new WeakMap(), /WeakMap/],
    ];
    for (const [target, message] of cases) {
      let err: unknown;
      try {
        toMemoryBackend(target);
      } catch (e) {
        err = e;
      }
      expect(InvalidOptionError.isInstance(err)).toBe(true);
      expect((err as InvalidOptionError).option).toBe('backend');
      expect((err as Error).message).toMatch(message);
    }
  });
});

/**
 * One interface for "where memory goes": whatever an agent framework hands over (a store with
 * `write`, `add` or `set`, an array, a `Map`, a `Set`, a `PersistentMemoryStore`) adapted to
 * `MemoryBackend`. Runtime-agnostic: no `node:` imports.
 */
import { InvalidInputError } from '../errors/invalid-input-error.js';
import { InvalidOptionError } from '../errors/invalid-option-error.js';
import { MemgarError } from '../errors/memgar-error.js';
import { StorageError } from '../errors/storage-error.js';

/** A memory entry as backends receive it. */
export interface MemoryBackendEntry {
  /** Unique id; writing an existing id replaces that entry where the backend supports it. */
  id: string;
  /** The text. */
  content: string;
  /** Anything else (source, tags, the analysis decision…). */
  metadata?: Record<string, unknown>;
}

/** Where memory entries are written. `delete` and `list` exist when the underlying store can do them. */
export interface MemoryBackend {
  /** Stores an entry; resolves once the underlying store has it. */
  write(entry: MemoryBackendEntry): Promise<void>;
  /** Removes the entry with this id (nothing happens when there is none). */
  delete?(id: string): Promise<void>;
  /** Every entry. */
  list?(): Promise<MemoryBackendEntry[]>;
}

type Fn = (...args: unknown[]) => unknown;

function method(target: object, name: string): Fn | undefined {
  const f = (target as Record<string, unknown>)[name];
  return typeof f === 'function' ? (f as Fn).bind(target) : undefined;
}

function tag(value: object): string {
  return Object.prototype.toString.call(value);
}

function checkEntry(entry: unknown): MemoryBackendEntry {
  const e = entry as Partial<MemoryBackendEntry> | null;
  if (typeof e !== 'object' || e === null) throw new InvalidInputError('entry', 'entry must be an object');
  if (typeof e.id !== 'string' || e.id === '') {
    throw new InvalidInputError('id', 'entry.id must be a non-empty string');
  }
  if (typeof e.content !== 'string') throw new InvalidInputError('content', 'entry.content must be a string');
  if (e.metadata !== undefined && (typeof e.metadata !== 'object' || e.metadata === null)) {
    throw new InvalidInputError('metadata', 'entry.metadata must be an object');
  }
  return e as MemoryBackendEntry;
}

/** Runs a call into the wrapped store; a failure that is not a memgar error becomes a `StorageError`. */
async function call<T>(what: string, run: () => unknown): Promise<T> {
  return asStorageFailure(`memory backend ${what}`, run) as Promise<T>;
}

/**
 * @internal Runs `run`; a failure that is not a `MemgarError` becomes a `StorageError`
 * ("<what> failed: <message>", the original as `cause`).
 */
export async function asStorageFailure<T>(what: string, run: () => T | Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    if (MemgarError.isInstance(e)) throw e;
    throw new StorageError(`${what} failed: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
}

function asEntry(value: unknown): MemoryBackendEntry | null {
  const e = value as Partial<MemoryBackendEntry> | null;
  return typeof e === 'object' && e !== null && typeof e.id === 'string' && typeof e.content === 'string'
    ? (e as MemoryBackendEntry)
    : null;
}

function entriesOf(values: Iterable<unknown>): MemoryBackendEntry[] {
  const out: MemoryBackendEntry[] = [];
  for (const v of values) {
    const e = asEntry(v);
    if (e !== null) out.push(e);
  }
  return out;
}

function fromArray(array: unknown[]): MemoryBackend {
  return {
    async write(entry) {
      const e = checkEntry(entry);
      const i = array.findIndex((v) => asEntry(v)?.id === e.id);
      if (i >= 0) array[i] = e;
      else array.push(e);
    },
    async delete(id) {
      const i = array.findIndex((v) => asEntry(v)?.id === id);
      if (i >= 0) array.splice(i, 1);
    },
    async list() {
      return entriesOf(array);
    },
  };
}

function fromMap(map: Map<unknown, unknown>): MemoryBackend {
  return {
    async write(entry) {
      const e = checkEntry(entry);
      map.set(e.id, e);
    },
    async delete(id) {
      map.delete(id);
    },
    async list() {
      return entriesOf(map.values());
    },
  };
}

function fromSet(set: Set<unknown>): MemoryBackend {
  const find = (id: string): unknown => {
    for (const v of set) if (asEntry(v)?.id === id) return v;
    return undefined;
  };
  return {
    async write(entry) {
      const e = checkEntry(entry);
      const old = find(e.id);
      if (old !== undefined) set.delete(old);
      set.add(e);
    },
    async delete(id) {
      const old = find(id);
      if (old !== undefined) set.delete(old);
    },
    async list() {
      return entriesOf(set);
    },
  };
}

/**
 * A store with methods: `write(entry)`, else `add(entry)`, else `set(id, entry)`; plus its own
 * `delete(id)` and `list()` when it has them.
 */
function fromMethods(target: object): MemoryBackend | null {
  const write = method(target, 'write');
  const add = method(target, 'add');
  const set = method(target, 'set');
  let put: (e: MemoryBackendEntry) => unknown;
  if (write !== undefined) put = (e) => write(e);
  else if (add !== undefined) put = (e) => add(e);
  else if (set !== undefined) put = (e) => set(e.id, e);
  else return null;
  const backend: MemoryBackend = {
    async write(entry) {
      const e = checkEntry(entry);
      await call('write', () => put(e));
    },
  };
  const del = method(target, 'delete');
  if (del !== undefined) {
    backend.delete = async (id) => {
      await call('delete', () => del(id));
    };
  }
  const list = method(target, 'list');
  if (list !== undefined) {
    backend.list = async () => {
      const values = await call<unknown>('list', () => list());
      if (values === null || typeof values !== 'object' || !(Symbol.iterator in values)) {
        throw new StorageError('memory backend list() did not return an array');
      }
      return entriesOf(values as Iterable<unknown>);
    };
  }
  return backend;
}

/**
 * Adapts a memory store to `MemoryBackend`:
 * - an object with `write(entry)` (a `PersistentMemoryStore`, another `MemoryBackend`), `add(entry)`
 *   or `set(id, entry)`: that method (awaited, sync or async), and its `delete(id)` / `list()` when
 *   it has them;
 * - an array: entries are pushed (an existing id replaced in place);
 * - a `Map`: `set(id, entry)`;
 * - a `Set`: the entry is added (one with the same id replaced).
 *
 * Checked in this order, so a `Map` subclass with a `write` method is used through `write`.
 * Anything else (including a `WeakMap` or `WeakSet`, which cannot be keyed by id) throws `InvalidOptionError` (`backend`). Entries are checked on `write`
 * (`InvalidInputError`), and a failure of the wrapped store that is not a memgar error is wrapped
 * in a `StorageError` (its `cause`).
 */
export function toMemoryBackend(target: unknown): MemoryBackend {
  if (typeof target === 'object' && target !== null) {
    if (Array.isArray(target)) return fromArray(target);
    const kind = tag(target);
    if (typeof (target as { write?: unknown }).write !== 'function') {
      if (kind === '[object Map]') return fromMap(target as Map<unknown, unknown>);
      if (kind === '[object Set]') return fromSet(target as Set<unknown>);
    }
    // Weak collections cannot hold string keys or be listed: their `set`/`add` would only fail later.
    if (kind !== '[object WeakMap]' && kind !== '[object WeakSet]') {
      const backend = fromMethods(target);
      if (backend !== null) return backend;
    }
  }
  const got =
    target === null
      ? 'null'
      : typeof target === 'object'
        ? `an object without usable write, add or set (${tag(target)})`
        : typeof target;
  throw new InvalidOptionError(
    'backend',
    `cannot use ${got} as a memory backend: pass an object with write(entry), add(entry) or set(id, entry), an array, a Map, a Set or a PersistentMemoryStore`,
  );
}

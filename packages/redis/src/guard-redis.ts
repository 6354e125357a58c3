import { createHash } from 'node:crypto';
import { type Decision, InvalidInputError, type SourceType } from '@memgar/core';
import {
  acceptProvenance,
  guardAndHold,
  guardRetrieved,
  type HeldGuarded,
  type HeldStoreOptions,
  HeldWrites,
  isPlainRecord,
  type MemgarMetadata,
  resolveEnforcer,
  storageCall,
  withOverrides,
} from '@memgar/core/adapter-kit';

export { UNVERIFIED_RULE } from '@memgar/core/adapter-kit';

/** A MULTI of a node-redis client, as far as the guard uses it. */
export interface RedisMultiLike {
  lPush(key: string, elements: string[]): RedisMultiLike;
  rPush(key: string, elements: string[]): RedisMultiLike;
  hSet(key: string, value: Record<string, string>): RedisMultiLike;
  exec(): Promise<unknown[]>;
}

/** The node-redis client methods the guard calls (a node-redis 4 or 5 client has them). */
export interface RedisClientLike {
  lRange(key: string, start: number, stop: number): Promise<string[]>;
  lIndex(key: string, index: number): Promise<string | null>;
  lLen(key: string): Promise<number>;
  hGet(key: string, field: string): Promise<string | null | undefined>;
  hGetAll(key: string): Promise<Record<string, string>>;
  hmGet(key: string, fields: string[]): Promise<(string | null)[]>;
  multi(): RedisMultiLike;
}

export interface GuardRedisOptions extends HeldStoreOptions {
  /** Source type of written and read values. @default 'memory' */
  sourceType?: SourceType;
  /**
   * Records, for every value written through memgar, its decision (`{ decision, riskScore, rule }`,
   * JSON) in a hash next to the key (see `provenanceKey`), in the same MULTI as the value; the
   * hash field is the value's SHA-256. @default true
   */
  provenance?: boolean;
  /** The provenance hash of `key`. @default `${key}:memgar` */
  provenanceKey?: (key: string) => string;
  /**
   * Reads return only values whose provenance records one of these decisions: values written
   * around memgar (no provenance) are filtered and reported as `block`, rule `memgar:unverified`.
   * @default none (every value is analyzed, none filtered for provenance)
   */
  filterDecisions?: readonly Decision[];
}

/** A held write: what approval sends to Redis. */
export interface HeldRedisWrite {
  command: 'lPush' | 'rPush' | 'hSet';
  key: string;
  field?: string;
  value: string;
}

/** The guarded client: the same interface, plus its held writes and the unguarded original. */
export type GuardedRedis<C> = HeldGuarded<C, HeldRedisWrite>;

/** List and hash commands that move text in or out without a guard: refused on the wrapper. */
export const UNGUARDED_COMMANDS: readonly string[] =
  'lPushX rPushX lInsert lSet hSetNX hVals hRandField lPop rPop blPop brPop lMove blMove rPopLPush brPopLPush'.split(
    ' ',
  );

/** The provenance field of a stored value. */
export function valueDigest(value: string): string {
  return createHash('sha256').update(value).digest('base64url');
}

const call = <T>(what: string, fn: () => Promise<T>): Promise<T> => storageCall(`redis ${what}`, fn);

function checkKey(key: unknown): string {
  if (typeof key === 'string' && key !== '') return key;
  throw new InvalidInputError('key', 'memgar guards string keys (no command options, no Buffer keys)');
}

function text(name: string, value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  throw new InvalidInputError(name, `memgar analyzes text: expected a string, got ${typeof value}`);
}

type Command = HeldRedisWrite['command'];
type Entry = { field?: string; value: string };
type Provenance = MemgarMetadata & { review?: string };

const pair = ([f, v]: unknown[]): Entry => ({ field: text('field', f), value: text('value', v) });

function listEntries(elements: unknown): Entry[] {
  return (Array.isArray(elements) ? elements : [elements]).map((e) => ({ value: text('elements', e) }));
}

/** The fields and values of every `hSet` form node-redis accepts. */
function hashEntries(args: unknown[]): Entry[] {
  const [first] = args;
  if (args.length === 2) return [pair(args)];
  if (first instanceof Map) return [...first].map(pair);
  if (Array.isArray(first)) {
    if (first.every(Array.isArray)) return first.map(pair);
    if (first.length % 2 !== 0)
      throw new InvalidInputError('value', 'hSet tuples need a value for every field');
    return first.flatMap((f, i) => (i % 2 === 0 ? [pair([f, first[i + 1]])] : []));
  }
  if (isPlainRecord(first)) return Object.entries(first).map(pair);
  throw new InvalidInputError('value', 'hSet takes (key, field, value) or (key, fields)');
}

/**
 * Wraps a node-redis client holding agent memory in lists and hashes: `lPush`, `rPush` and `hSet`
 * decide every value before it is stored (refused ones are not stored, sanitized ones are stored
 * rewritten, quarantined and human-review ones wait in `held`); `lRange`, `lIndex`, `hGet`,
 * `hGetAll` and `hmGet` filter what comes back. The list and hash commands in `UNGUARDED_COMMANDS`
 * are refused; every other command (other types, `multi`, `sendCommand`) is the client's own.
 */
export function guardRedis<C extends RedisClientLike>(
  client: C,
  options: GuardRedisOptions = {},
): GuardedRedis<C> {
  const enforcer = resolveEnforcer(options);
  const sourceType = options.sourceType ?? 'memory';
  const sideKey = options.provenanceKey ?? ((key: string) => `${key}:memgar`);
  const recordProvenance = options.provenance !== false;
  const filter = options.filterDecisions;

  /** One MULTI: the values, then their provenance. Resolves to the first command's reply. */
  function store(command: Command, key: string, items: (Entry & { meta: Provenance })[]): Promise<unknown> {
    return call(command, async () => {
      const m0 = client.multi();
      let m =
        command === 'hSet'
          ? m0.hSet(key, Object.fromEntries(items.map((i) => [i.field, i.value])))
          : m0[command](
              key,
              items.map((i) => i.value),
            );
      if (recordProvenance) {
        const digests = items.map((i) => [valueDigest(i.value), JSON.stringify(i.meta)]);
        m = m.hSet(sideKey(key), Object.fromEntries(digests));
      }
      return (await m.exec())[0];
    });
  }

  const held = new HeldWrites<HeldRedisWrite>(
    (w, { riskScore, rule, id }) =>
      store(w.command, w.key, [{ ...w, meta: { decision: 'allow', riskScore, rule, review: id } }]),
    options.reviewQueue,
  );

  /** Decides `entries`, holds the held ones, stores the allowed ones (rewritten) in one MULTI. */
  async function write(command: Command, rawKey: unknown, entries: Entry[]): Promise<number> {
    const key = checkKey(rawKey);
    const items = entries.map((e) => ({
      text: e.value,
      sourceType,
      ...(e.field !== undefined && { id: e.field }),
    }));
    const outcomes = await guardAndHold(enforcer, options, items, {
      held,
      record: (i) => ({ command, key, ...(entries[i] as Entry) }),
    });
    const kept = outcomes.flatMap((o, i) =>
      o.stored ? [{ ...entries[i], value: o.text, meta: o.memgar }] : [],
    );
    if (kept.length > 0) return Number(await store(command, key, kept));
    return command === 'hSet' ? 0 : call('lLen', () => client.lLen(key));
  }

  /** The values of `entries` that may enter the context (rewritten), by input index. */
  async function guardValues(
    key: string,
    entries: { id?: string; value: string }[],
  ): Promise<Map<number, string>> {
    let candidates = entries.map((e, index) => ({ ...e, index }));
    if (filter !== undefined && candidates.length > 0) {
      const side = sideKey(key);
      const digests = candidates.map((c) => valueDigest(c.value));
      const provs = await call('hmGet', () => client.hmGet(side, digests));
      candidates = candidates.filter((c, i) => acceptProvenance(options, filter, decisionOf(provs[i]), c.id));
    }
    const kept = await guardRetrieved(
      enforcer,
      options,
      undefined,
      candidates.map((c) => ({ text: c.value, ...(c.id !== undefined && { id: c.id }) })),
      sourceType,
    );
    return new Map(kept.map((k) => [(candidates[k.index] as { index: number }).index, k.text]));
  }

  /** One read value, guarded: the value (or its rewrite), or null. */
  async function one(key: string, value: string | null | undefined, id?: string) {
    if (value === null || value === undefined) return null;
    return (await guardValues(key, [{ value, ...(id !== undefined && { id }) }])).get(0) ?? null;
  }

  const overrides: Record<string, unknown> = {
    lPush: async (key: unknown, elements: unknown) => write('lPush', key, listEntries(elements)),
    rPush: async (key: unknown, elements: unknown) => write('rPush', key, listEntries(elements)),
    hSet: async (key: unknown, ...args: unknown[]) => write('hSet', key, hashEntries(args)),
    async lRange(rawKey: unknown, start: number, stop: number) {
      const key = checkKey(rawKey);
      const values = await call('lRange', () => client.lRange(key, start, stop));
      const entries = values.map((value) => ({ value }));
      const kept = await guardValues(key, entries);
      return values.flatMap((_, i) => (kept.has(i) ? [kept.get(i) as string] : []));
    },
    async lIndex(rawKey: unknown, index: number) {
      const key = checkKey(rawKey);
      return one(key, await call('lIndex', () => client.lIndex(key, index)));
    },
    async hGet(rawKey: unknown, field: string) {
      const key = checkKey(rawKey);
      return one(key, await call('hGet', () => client.hGet(key, field)), field);
    },
    async hGetAll(rawKey: unknown) {
      const key = checkKey(rawKey);
      const all = Object.entries(await call('hGetAll', () => client.hGetAll(key)));
      const entries = all.map(([id, value]) => ({ id, value }));
      const kept = await guardValues(key, entries);
      return Object.fromEntries(all.flatMap(([f], i) => (kept.has(i) ? [[f, kept.get(i)]] : [])));
    },
    async hmGet(rawKey: unknown, fields: string[]) {
      const key = checkKey(rawKey);
      const values = await call('hmGet', () => client.hmGet(key, fields));
      const present = values.flatMap((v, i) =>
        typeof v === 'string' ? [{ i, id: String(fields[i]), value: v }] : [],
      );
      const kept = await guardValues(key, present);
      const out: (string | null)[] = values.map(() => null);
      for (const [j, p] of present.entries()) out[p.i] = kept.get(j) ?? null;
      return out;
    },
  };
  for (const name of UNGUARDED_COMMANDS) {
    const why = `${name} is not guarded by memgar: use lPush/rPush/hSet and lRange/hGet/hGetAll`;
    overrides[name] = () => Promise.reject(new InvalidInputError(name, why));
  }
  // node-redis exposes every command under its upper-case name too (LPUSH, HGETALL…).
  for (const [name, fn] of Object.entries(overrides)) overrides[name.toUpperCase()] = fn;
  Object.assign(overrides, { held, inner: client });

  return withOverrides(client, overrides) as GuardedRedis<C>;
}

function decisionOf(raw: string | null | undefined): unknown {
  try {
    return typeof raw === 'string' ? (JSON.parse(raw) as { decision?: unknown }).decision : undefined;
  } catch {
    return undefined;
  }
}

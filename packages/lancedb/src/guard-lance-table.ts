import { DECISIONS, type Decision, InvalidOptionError, type SourceType } from '@memgar/core';
import * as kit from '@memgar/core/adapter-kit';

type Row = Record<string, unknown>;

/** What the guard needs of a LanceDB `Table` (the read and update methods are wrapped when present). */
export interface LanceTableLike {
  add(data: Row[], options?: never): Promise<unknown>;
  schema(): Promise<{ fields: readonly { name: string }[] }>;
  version(): Promise<number>;
}

export interface GuardLanceTableOptions extends kit.HeldStoreOptions {
  /** The text column: decided on `add` / `mergeInsert().execute`, and on every read. @default 'text' */
  textColumn?: string;
  /** The vector column a sanitized rewrite is re-embedded into (with `embed`). @default 'vector' */
  vectorColumn?: string;
  /** The id column, reported with decisions. @default 'id' */
  idColumn?: string;
  /** Embeds a sanitized rewrite; without it the original vector is kept. @default none */
  embed?: (text: string) => Promise<readonly number[]>;
  /** Source type of written records, and of read rows without stored provenance. @default 'rag' */
  sourceType?: SourceType;
  /** Provenance of one written record (e.g. from its URL column). @default the `sourceType` option */
  sourceOf?: (record: Row) => { sourceType?: SourceType; sourceId?: string };
  /** Reads return only rows stored with one of these decisions, or approved by a reviewer. @default no filter */
  onlyDecisions?: readonly Decision[];
}

/** The wrapped table: the same object and methods, plus `held` (quarantined and human-review writes). */
export type GuardedLanceTable<T> = T & { readonly held: kit.HeldWrites<Row[]> };

/** The columns memgar fills on write when the table has them (`addMemgarColumns` adds them). */
export const MEMGAR_COLUMNS = {
  memgar_decision: 'STRING',
  memgar_risk: 'DOUBLE',
  memgar_rule: 'STRING',
  memgar_source: 'STRING',
  memgar_source_id: 'STRING',
  memgar_review: 'STRING',
} as const;

/** Adds the missing `MEMGAR_COLUMNS` (nullable) to a table; returns their names. */
export async function addMemgarColumns(table: {
  schema(): Promise<{ fields: readonly { name: string }[] }>;
  addColumns(columns: { name: string; valueSql: string }[]): Promise<unknown>;
}): Promise<string[]> {
  const have = new Set((await table.schema()).fields.map((f) => f.name));
  const missing = Object.entries(MEMGAR_COLUMNS).filter(([name]) => !have.has(name));
  if (missing.length > 0)
    await table.addColumns(missing.map(([name, type]) => ({ name, valueSql: `CAST(NULL AS ${type})` })));
  return missing.map(([name]) => name);
}

const isObject = kit.isPlainRecord;
const plain = (r: Row): Row =>
  Object.fromEntries(
    Object.entries(r).map(([k, v]) => [k, ArrayBuffer.isView(v) ? Array.from(v as never) : v]),
  );

const bad: kit.FailInput = kit.inputFailure('@memgar/lancedb');

/**
 * Wraps a LanceDB `Table`: `add` and `mergeInsert(…).execute` decide every record's text before it
 * is stored (held writes go to `held`), and `search`, `vectorSearch`, `query`, `takeOffsets`,
 * `takeRowIds` return builders whose `toArray()` filters refused rows and swaps in sanitized text.
 */
export function guardLanceTable<T extends LanceTableLike>(
  table: T,
  options: GuardLanceTableOptions = {},
): GuardedLanceTable<T> {
  if (typeof table?.add !== 'function' || typeof table.schema !== 'function')
    throw new InvalidOptionError('table', '@memgar/lancedb: pass a LanceDB Table (add, schema)');
  const only = options.onlyDecisions;
  if (only !== undefined && (!Array.isArray(only) || !only.every((d) => DECISIONS.includes(d))))
    throw new InvalidOptionError(
      'onlyDecisions',
      `@memgar/lancedb: onlyDecisions must list ${DECISIONS.join(', ')}`,
    );
  const enforcer = kit.resolveEnforcer(options);
  const [textCol, vecCol, idCol] = [
    options.textColumn ?? 'text',
    options.vectorColumn ?? 'vector',
    options.idColumn ?? 'id',
  ];
  const source = options.sourceType ?? 'rag';
  const held = new kit.HeldWrites<Row[]>((rows) => table.add(rows), options.reviewQueue);
  const filter =
    only && `(memgar_decision IN (${only.map((d) => `'${d}'`).join(', ')}) OR memgar_review = 'approved')`;

  /** Decides the records, queues held ones, returns the records to store (rewrites and memgar columns in). */
  async function guardData(data: unknown): Promise<Row[]> {
    if (!Array.isArray(data) || !data.every(isObject))
      bad('data', 'the guarded table takes an array of records (Arrow tables: pass table.toArray())');
    const names = new Set((await table.schema()).fields.map((f) => f.name));
    const items = data.map((r) => {
      if (typeof r[textCol] !== 'string') bad('data', `every record needs a string "${textCol}"`);
      return {
        text: r[textCol] as string,
        sourceType: source,
        ...options.sourceOf?.(r),
        ...kit.idField(r[idCol]),
      };
    });
    /** The rows of some writes: rewritten text, re-embedded vector, the memgar columns the table has. */
    const build = (writes: kit.StampedWrite[]) =>
      writes.map(({ index, text, stamp, vector }) => {
        const out: Row = { ...(data[index] as Row), [textCol]: text, ...(vector && { [vecCol]: vector }) };
        for (const [k, v] of Object.entries(kit.flatMemgarStamp(stamp))) if (names.has(k)) out[k] = v;
        return stamp.review === 'approved' ? plain(out) : out; // a held row waits in the review queue
      });
    const embed = names.has(vecCol) ? options.embed : undefined;
    return (await kit.guardStampedWrites(enforcer, options, items, { held, build, embed })).stored ?? [];
  }

  /** Guards read rows: refused ones removed, sanitized text swapped in, `_memgar` added. */
  async function guardRows(raw: unknown[], query: string | undefined, filtered: boolean): Promise<Row[]> {
    let rows = raw.map((r) => ({ ...(r as Row) }));
    if (filter && !filtered)
      rows = rows.filter(
        (r) => only?.includes(r.memgar_decision as Decision) || r.memgar_review === 'approved',
      );
    if (!rows.some((r) => textCol in r)) return rows;
    const scores = rows.map((r) =>
      typeof r._distance === 'number' ? 1 / (1 + Math.max(0, r._distance)) : (r._relevance_score ?? r._score),
    );
    const fields = (r: Row, i: number) => ({
      text: typeof r[textCol] === 'string' ? r[textCol] : '',
      id: r[idCol],
      score: scores[i],
      sourceType: r.memgar_source,
      sourceId: r.memgar_source_id,
    });
    const kept = await kit.guardRecords(enforcer, options, rows, fields, {
      ...(query !== undefined && { query }),
      sourceType: source,
    });
    if (!scores.some((s) => typeof s === 'number')) kept.sort((a, b) => a.index - b.index);
    return kept.map((k) => ({ ...k.record, [textCol]: k.text, _memgar: k.memgar }));
  }

  /** A query builder whose `toArray()` is guarded; the other ways to read it are refused. */
  function guardQuery<Q extends object>(builder: Q, query: string | undefined): Q {
    let userWhere: string | undefined;
    const where = (b: Row) =>
      filter && typeof b.where === 'function'
        ? b.where(userWhere ? `(${userWhere}) AND ${filter}` : filter)
        : b;
    const wrap = (target: Row): Row => {
      const proxy: Row = new Proxy(target, {
        get(t, prop) {
          if (prop === 'toArray')
            return async (o?: unknown) =>
              guardRows(
                await (t.toArray as (o?: unknown) => Promise<unknown[]>)(o),
                query,
                typeof t.where === 'function',
              );
          if (prop === 'toArrow' || prop === 'execute' || prop === Symbol.asyncIterator)
            return () => bad('query', 'read a guarded query with toArray()');
          const v = Reflect.get(t, prop, t);
          if (typeof v !== 'function') return v;
          return (...a: unknown[]) => {
            if (prop === 'select' && !(typeof a[0] === 'string' || Array.isArray(a[0])))
              bad('select', 'a guarded query selects column names only (no SQL expressions)');
            if (prop === 'where') userWhere = String(a[0]);
            const r = prop === 'where' && filter ? where(t) : v.apply(t, a);
            return r === t
              ? proxy
              : isObject(r) && typeof r.toArray === 'function'
                ? wrap(where(r) as Row)
                : r;
          };
        },
      });
      return proxy;
    };
    return wrap(where(builder as Row) as Row) as Q;
  }

  const t = table as unknown as Record<string, (...a: unknown[]) => unknown>;
  const reader =
    (name: string) =>
    (...a: unknown[]) =>
      guardQuery(
        t[name]?.apply(table, a) as object,
        name === 'search' && typeof a[0] === 'string' ? a[0] : undefined,
      );
  const own: Row = {
    held,
    add: async (data: unknown, o?: never) => {
      const rows = await guardData(data);
      return rows.length > 0 ? table.add(rows, o) : { version: await table.version() };
    },
    update: (arg: unknown, o?: unknown) => {
      const a = isObject(arg) ? arg : {};
      const keys =
        arg instanceof Map
          ? [...arg.keys()]
          : [a, a.values, a.valuesSql].flatMap((x) => (isObject(x) ? Object.keys(x) : []));
      if (keys.includes(textCol))
        bad('update', `update() cannot set "${textCol}" on a guarded table: delete and add`);
      return t.update?.call(table, arg, o);
    },
    mergeInsert: (on: unknown) => {
      const wrap = (b: Row): Row =>
        new Proxy(b, {
          get(target, prop) {
            const v = Reflect.get(target, prop, target);
            if (prop === 'execute')
              return async (data: unknown, o?: unknown) => {
                const rows = await guardData(data);
                return rows.length > 0
                  ? (v as (...a: unknown[]) => unknown).call(target, rows, o)
                  : {
                      version: await table.version(),
                      numInsertedRows: 0,
                      numUpdatedRows: 0,
                      numDeletedRows: 0,
                    };
              };
            if (typeof v !== 'function') return v;
            return (...a: unknown[]) => {
              const r = v.apply(target, a);
              return isObject(r) && typeof r.execute === 'function' ? wrap(r) : r;
            };
          },
        });
      return wrap(t.mergeInsert?.call(table, on) as Row);
    },
    ...Object.fromEntries(
      ['search', 'vectorSearch', 'query', 'takeOffsets', 'takeRowIds']
        .filter((n) => typeof t[n] === 'function')
        .map((n) => [n, reader(n)]),
    ),
  };
  return kit.withOverrides(table, own) as GuardedLanceTable<T>;
}

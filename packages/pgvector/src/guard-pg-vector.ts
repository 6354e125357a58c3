import { InvalidOptionError } from '@memgar/core';
import * as kit from '@memgar/core/adapter-kit';
import type * as T from './types.js';

type Row = Record<string, unknown>;
/** Where the rows of an `insert` / `upsert` came from. */
type Source = Pick<T.PgVectorRow, 'sourceType' | 'sourceId'>;
/** Each distance's operator, and the relevance (higher is better) the retrieval guard ranks by. */
const DISTANCES = {
  cosine: { op: '<=>', score: (d: number) => 1 - d },
  l2: { op: '<->', score: (d: number) => 1 / (1 + d) },
  inner_product: { op: '<#>', score: (d: number) => -d },
} as const;
const vectorSql = (v: readonly number[]) => `[${v.join(',')}]`;
const isObject = kit.isPlainRecord;
const bad: kit.FailInput = kit.inputFailure('@memgar/pgvector');

/**
 * Wraps a `pg` client or pool: the same object (swap it in), whose `query` decides every text
 * written to `table` and every row of it read back, plus `insert`, `upsert`, `similaritySearch`
 * and `held` (the review queue of quarantined and human-review writes).
 */
export function guardPgVector<C extends T.PgQueryable>(
  client: C,
  options: T.GuardPgVectorOptions,
): T.GuardedPgVector<C> {
  if (!isObject(options) || typeof options.table !== 'string' || options.table === '')
    throw new InvalidOptionError('table', '@memgar/pgvector: options.table (the guarded table) is required');
  if (typeof client?.query !== 'function')
    throw new InvalidOptionError('client', '@memgar/pgvector: the client needs a query() method');
  const enforcer = kit.resolveEnforcer(options);
  const { table, embed, idColumn: idCol = 'id', textColumn: textCol = 'content' } = options;
  const { embeddingColumn: embCol = 'embedding', metadataColumn: metaCol = 'metadata' } = options;
  const { sourceType: source = 'rag', distance = 'cosine' } = options;
  const raw = client.query as (...a: unknown[]) => Promise<{ rows: Row[]; rowCount: number | null }>;
  const run = (...a: unknown[]) => raw.apply(client, a);
  const held = new kit.HeldWrites<T.PgHeldRecord>((r) => run(r.text, r.values), options.reviewQueue);

  /** Decides every tuple's text, queues held ones, stores the allowed ones in one rewritten INSERT. */
  async function guardedInsert(p: kit.SqlInsert, values: unknown[], rest: Row, sources?: Source[]) {
    if (!p.columns.includes(textCol)) bad('query', `an INSERT into ${table} must set ${textCol}`);
    /** The value of tuple `t`'s `column` when it is a `$n` parameter with a value. */
    const param = (t: kit.SqlItem[], column: string) => {
      const item = t[p.columns.indexOf(column)];
      const n = item && kit.sqlPlaceholder(item);
      return n !== undefined && n <= values.length ? values[n - 1] : undefined;
    };
    const items = p.tuples.map((t, i) => {
      const text = param(t, textCol);
      if (typeof text !== 'string')
        bad('query', `every ${textCol} value must be a $n parameter holding a string`);
      const { sourceType, sourceId } = sources?.[i] ?? {};
      const id = kit.idField(param(t, idCol));
      return { sourceType: sourceType ?? source, ...(sourceId && { sourceId }), text, ...id };
    });
    /** The tuple of a write: text swapped in, re-embedded vector, memgar stamp merged into the metadata. */
    const cell: kit.SqlCell<kit.StampedWrite> = ({ text, stamp, vector }, column, original, add) => {
      if (column === textCol) return add(text);
      if (column === embCol && vector !== undefined) return add(vectorSql(vector));
      if (column !== metaCol) return original!();
      const meta = `${add(JSON.stringify({ memgar: stamp }))}::jsonb`;
      return original ? `COALESCE((${original()})::jsonb, '{}'::jsonb) || ${meta}` : meta;
    };
    const added = metaCol && !p.columns.includes(metaCol) ? [metaCol] : [];
    const build = (writes: kit.StampedWrite[]) => kit.rebuildSqlInsert(p, values, writes, added, cell);
    /** Re-embedded: a rewrite, or a row without a vector (with `embed` and an embedding column). */
    const reembed = (i: number, text: string) =>
      p.columns.includes(embCol) && (text !== items[i]?.text || param(p.tuples[i]!, embCol) == null);
    const how = { held, build, embed, reembed };
    const { outcomes, stored } = await kit.guardStampedWrites(enforcer, options, items, how);
    const result = stored
      ? await run({ ...rest, ...stored })
      : { command: 'INSERT', rowCount: 0, rows: [], fields: [], oid: 0 };
    return { result, outcomes };
  }

  async function write(rows: readonly T.PgVectorRow[], upsert: boolean): Promise<T.PgWriteReport> {
    if (!Array.isArray(rows)) bad('rows', 'insert/upsert take an array of rows');
    if (rows.length === 0) return { rows: [], rowCount: 0 };
    for (const r of rows) {
      if (!isObject(r) || typeof r.text !== 'string') bad('rows', 'each row needs a string text');
      if (r.embedding !== undefined) kit.checkVector(r.embedding, 'embedding');
      if (r.metadata !== undefined && !isObject(r.metadata)) bad('metadata', 'metadata must be an object');
    }
    const withId = rows.filter((r) => r.id !== undefined).length;
    if (withId % rows.length !== 0 || (upsert && withId < rows.length))
      bad('id', upsert ? 'upsert needs an id for every row' : 'give an id for every row or for none');
    const columns = [...(withId ? [idCol] : []), textCol, embCol, ...(metaCol ? [metaCol] : [])];
    const tuples = rows.map((r) => [
      ...(withId ? [r.id] : []),
      r.text,
      r.embedding ? vectorSql(r.embedding) : null,
      ...(metaCol ? [JSON.stringify(r.metadata ?? {})] : []),
    ]);
    const { insert, values } = kit.buildSqlInsert(table, columns, tuples, upsert ? idCol : undefined);
    const { result, outcomes } = await guardedInsert(insert, values, {}, rows);
    return {
      rows: outcomes.map(({ memgar, stored, reviewId }) => ({
        decision: memgar.decision,
        stored,
        ...(reviewId && { reviewId }),
      })),
      rowCount: result.rowCount ?? 0,
    };
  }

  /** Guards read rows: refused ones removed, sanitized text swapped in, `memgar` in the metadata. */
  async function guardRows(rows: Row[], query?: string, score?: (r: Row) => number) {
    const fields = (r: Row) => {
      const stamp = metaCol && isObject(r[metaCol]) ? (r[metaCol] as Row).memgar : undefined;
      const prov = isObject(stamp) ? stamp : {};
      const text = typeof r[textCol] === 'string' ? r[textCol] : '';
      return { text, id: r[idCol], score: score?.(r), sourceType: prov.sourceType, sourceId: prov.sourceId };
    };
    const how = { ...(query !== undefined && { query }), sourceType: source };
    const kept = await kit.guardRecords(enforcer, options, rows, fields, how);
    return kept.map(({ index, record: r, text, memgar }) => {
      const meta = metaCol && isObject(r[metaCol]) ? { [metaCol]: { ...(r[metaCol] as Row), memgar } } : {};
      return { index, row: { ...r, [textCol]: text, ...meta }, text, memgar };
    });
  }

  async function query(arg: unknown, ...more: unknown[]): Promise<unknown> {
    const config = typeof arg === 'string' ? { text: arg } : isObject(arg) ? arg : {};
    const code = typeof config.text === 'string' ? kit.sqlCode(config.text) : '';
    if (!kit.sqlMentions(code, table)) return run(arg, ...more);
    if (more.some((m) => typeof m === 'function') || typeof config.submit === 'function' || config.callback)
      bad('query', `queries on ${table} take the promise form (no callback, no Submittable)`);
    if (config.rowMode === 'array') bad('query', `rowMode 'array' is not supported on ${table}`);
    const values = Array.isArray(more[0]) ? more[0] : Array.isArray(config.values) ? config.values : [];
    if (kit.isSqlWrite(code)) {
      if (/^\s*update\b/i.test(code) && !kit.sqlMentions(code, textCol)) return run(arg, ...more);
      const parsed = kit.parseSqlInsert(config.text as string, table);
      if (!parsed)
        bad('query', `cannot guard this write to ${table}: use INSERT INTO ${table} (…) VALUES ($1, …)`);
      const { text: _t, values: _v, name: _n, ...rest } = config;
      return (await guardedInsert(parsed, values, rest)).result;
    }
    const result = await run(arg, ...more);
    if (!Array.isArray(result?.rows) || !result.rows.some((r) => isObject(r) && textCol in r)) return result;
    const kept = (await guardRows(result.rows)).sort((a, b) => a.index - b.index);
    return Object.assign(result, { rows: kept.map((k) => k.row), rowCount: kept.length });
  }

  const similaritySearch: T.PgVectorHelpers['similaritySearch'] = async (q, k, o = {}) => {
    if (!Number.isInteger(k) || k < 1) bad('k', 'k must be a positive integer');
    if (typeof q === 'string' && !embed)
      throw new InvalidOptionError('embed', '@memgar/pgvector: a text query needs the embed option');
    const v = typeof q === 'string' ? await kit.embedChecked(embed!, q) : kit.checkVector(q, 'query');
    const values: unknown[] = [vectorSql(v)];
    const where: string[] = [];
    const only = o.onlyDecisions ?? options.onlyDecisions;
    const m = metaCol && kit.sqlIdent(metaCol);
    if ((only || o.filter) && !m)
      throw new InvalidOptionError('metadataColumn', '@memgar/pgvector: filters need it');
    if (only) {
      const [decision, review] = ['decision', 'review'].map((key) => `${m}->'memgar'->>'${key}'`);
      where.push(`(${decision} = ANY($${values.push([...only])}::text[]) OR ${review} = 'approved')`);
    }
    if (o.filter) where.push(`${m} @> $${values.push(JSON.stringify(o.filter))}::jsonb`);
    const dist = `${kit.sqlIdent(embCol)} ${DISTANCES[distance].op} $1`;
    const filter = where.length ? ` WHERE ${where.join(' AND ')}` : '';
    const { rows } = await run(
      `SELECT *, ${dist} AS memgar_distance FROM ${kit.sqlIdent(table)}${filter} ORDER BY ${dist} LIMIT $${values.push(k)}`,
      values,
    );
    const score = (r: Row) => DISTANCES[distance].score(Number(r.memgar_distance));
    const kept = await guardRows(rows, typeof q === 'string' ? q : undefined, score);
    return kept.map(({ row: { memgar_distance, ...row }, text, memgar }) => ({
      row,
      text,
      distance: Number(memgar_distance),
      memgar,
    }));
  };

  /** A pool's `connect()` gives a guarded client (same table, enforcer and review queue). */
  const connect = async (...args: unknown[]) => {
    if (args.length > 0) bad('connect', 'connect() takes the promise form (no callback)');
    const c: unknown = await (client as unknown as { connect(): Promise<unknown> }).connect();
    if (!isObject(c) || typeof c.query !== 'function' || typeof c.release !== 'function') return c;
    const same = { ...options, enforcer, reviewQueue: held.queue };
    return kit.withOverrides(c, { query: guardPgVector(c as unknown as T.PgQueryable, same).query });
  };
  const helpers: T.PgVectorHelpers = {
    held,
    insert: (rows) => write(rows, false),
    upsert: (rows) => write(rows, true),
    similaritySearch,
  };
  const own = { query, ...helpers, ...('connect' in client ? { connect } : {}) };
  return kit.withOverrides(client, own) as T.GuardedPgVector<C>;
}

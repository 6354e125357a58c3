import { InvalidInputError, InvalidOptionError, type SourceType } from '@memgar/core';
import * as kit from '@memgar/core/adapter-kit';
import * as sql from './sql.js';
import type * as T from './types.js';

type Row = Record<string, unknown>;
type Item = { text: string; sourceType: SourceType; sourceId?: string; id?: string | number };
const OPS = { cosine: '<=>', l2: '<->', inner_product: '<#>' } as const;
/** Relevance from a distance (higher is better) for the retrieval guard's ranking. */
const SCORE = {
  cosine: (d: number) => 1 - d,
  l2: (d: number) => 1 / (1 + d),
  inner_product: (d: number) => -d,
};
const vectorSql = (v: readonly number[]) => `[${v.join(',')}]`;
const isObject = (v: unknown): v is Row => typeof v === 'object' && v !== null && !Array.isArray(v);
const idOf = (v: unknown) => (typeof v === 'string' || typeof v === 'number' ? { id: v } : {});

function bad(field: string, message: string): never {
  throw new InvalidInputError(field, `@memgar/pgvector: ${message}`);
}

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
  async function guardedInsert(p: sql.ParsedInsert, values: unknown[], rest: Row, sources?: Partial<Item>[]) {
    const [iText, iId, iEmb, iMeta] = [textCol, idCol, embCol, metaCol].map((c) =>
      c ? p.columns.indexOf(c) : -1,
    );
    if (iText === undefined || iText < 0) bad('query', `an INSERT into ${table} must set ${textCol}`);
    const param = (t: sql.SqlItem[], c = -1) => {
      const n = c < 0 ? undefined : sql.placeholder(t[c] as sql.SqlItem);
      return n !== undefined && n <= values.length ? values[n - 1] : undefined;
    };
    const items: Item[] = p.tuples.map((t, i) => {
      const text = param(t, iText);
      if (typeof text !== 'string')
        bad('query', `every ${textCol} value must be a $n parameter holding a string`);
      return { sourceType: source, ...sources?.[i], text, ...idOf(param(t, iId)) };
    });
    /** One INSERT of the picked tuples: text swapped in, re-embedded when changed (or without one), stamped. */
    const statement = async (picked: { i: number; o: kit.WriteOutcome; text: string }[]) => {
      const out: unknown[] = [];
      const next = (v: unknown) => `$${out.push(v)}`;
      const reembed = ({ i, text }: (typeof picked)[number]) =>
        embed && iEmb !== -1 && (text !== items[i]?.text || param(p.tuples[i]!, iEmb) == null)
          ? kit.embedChecked(embed, text)
          : Promise.resolve(undefined);
      const vectors = await kit.mapPool(picked, options.concurrency ?? 8, reembed);
      const tuples = picked.map(({ i, o, text }, n) => {
        const memgar = kit.memgarStamp(o.memgar, items[i]!, kit.isHeldDecision(o.memgar.decision));
        const meta = metaCol ? next(JSON.stringify({ memgar })) : '';
        const v = vectors[n];
        const cells = p.tuples[i]!.map((item, c) => {
          if (c === iText) return next(text);
          if (c === iEmb && v !== undefined) return next(vectorSql(v));
          const s = sql.renumber(item, (k) =>
            k <= values.length ? next(values[k - 1]) : bad('query', `no $${k}`),
          );
          return c === iMeta ? `COALESCE((${s})::jsonb, '{}'::jsonb) || ${meta}::jsonb` : s;
        });
        if (metaCol && iMeta === -1) cells.push(`${meta}::jsonb`);
        return `(${cells.join(', ')})`;
      });
      const head = metaCol && iMeta === -1 ? p.head.replace(/\)\s*$/, `, ${sql.ident(metaCol)})`) : p.head;
      return { text: `${head} VALUES ${tuples.join(', ')}${p.tail}`, values: out };
    };
    const record = (i: number, o: kit.WriteOutcome) => statement([{ i, o, text: items[i]!.text }]);
    const outcomes = await kit.guardAndHold(enforcer, options, items, { held, record, holdOnThrow: false });
    const picked = outcomes.flatMap((o, i) => (o.stored ? [{ i, o, text: o.text }] : []));
    const result = picked.length
      ? await run({ ...rest, ...(await statement(picked)) })
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
    const values: unknown[] = [];
    const tuples = rows.map((r) =>
      [
        ...(withId ? [r.id] : []),
        r.text,
        r.embedding ? vectorSql(r.embedding) : null,
        ...(metaCol ? [JSON.stringify(r.metadata ?? {})] : []),
      ].map((v) => ({ sql: `$${values.push(v)}`, code: `$${values.length}` })),
    );
    const set = columns.filter((c) => c !== idCol).map((c) => `${sql.ident(c)} = EXCLUDED.${sql.ident(c)}`);
    const tail = upsert ? ` ON CONFLICT (${sql.ident(idCol)}) DO UPDATE SET ${set.join(', ')}` : '';
    const head = `INSERT INTO ${sql.ident(table)} (${columns.map(sql.ident).join(', ')})`;
    const sources = rows.map((r) => ({
      sourceType: r.sourceType ?? source,
      ...(r.sourceId && { sourceId: r.sourceId }),
    }));
    const { result, outcomes } = await guardedInsert({ head, columns, tuples, tail }, values, {}, sources);
    return {
      rows: outcomes.map((o) => ({
        decision: o.memgar.decision,
        stored: o.stored,
        ...(o.reviewId ? { reviewId: o.reviewId } : {}),
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
    return (await kit.guardRecords(enforcer, options, rows, fields, how)).map(
      ({ index, record: r, text, memgar }) => {
        const meta = metaCol && isObject(r[metaCol]) ? { [metaCol]: { ...(r[metaCol] as Row), memgar } } : {};
        return { index, row: { ...r, [textCol]: text, ...meta }, text, memgar };
      },
    );
  }

  async function query(arg: unknown, ...more: unknown[]): Promise<unknown> {
    const config = typeof arg === 'string' ? { text: arg } : isObject(arg) ? arg : {};
    const code = typeof config.text === 'string' ? sql.codeOf(config.text) : '';
    if (!sql.mentions(code, table)) return run(arg, ...more);
    if (more.some((m) => typeof m === 'function') || typeof config.submit === 'function' || config.callback)
      bad('query', `queries on ${table} take the promise form (no callback, no Submittable)`);
    if (config.rowMode === 'array') bad('query', `rowMode 'array' is not supported on ${table}`);
    const values = Array.isArray(more[0]) ? more[0] : Array.isArray(config.values) ? config.values : [];
    if (sql.isWrite(code)) {
      if (/^\s*update\b/i.test(code) && !sql.mentions(code, textCol)) return run(arg, ...more);
      const parsed = sql.parseInsert(config.text as string, table);
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

  async function similaritySearch(
    q: string | readonly number[],
    k: number,
    o: T.SimilaritySearchOptions = {},
  ) {
    if (!Number.isInteger(k) || k < 1) bad('k', 'k must be a positive integer');
    if (typeof q === 'string' && !embed)
      throw new InvalidOptionError('embed', '@memgar/pgvector: a text query needs the embed option');
    const v = typeof q === 'string' ? await kit.embedChecked(embed!, q) : kit.checkVector(q, 'query');
    const values: unknown[] = [vectorSql(v)];
    const where: string[] = [];
    const only = o.onlyDecisions ?? options.onlyDecisions;
    const m = metaCol && sql.ident(metaCol);
    if ((only || o.filter) && !m)
      throw new InvalidOptionError('metadataColumn', '@memgar/pgvector: filters need it');
    if (only) {
      const decisions = `$${values.push([...only])}::text[]`;
      where.push(
        `(${m}->'memgar'->>'decision' = ANY(${decisions}) OR ${m}->'memgar'->>'review' = 'approved')`,
      );
    }
    if (o.filter) where.push(`${m} @> $${values.push(JSON.stringify(o.filter))}::jsonb`);
    const dist = `${sql.ident(embCol)} ${OPS[distance]} $1`;
    const filter = where.length ? ` WHERE ${where.join(' AND ')}` : '';
    const { rows } = await run(
      `SELECT *, ${dist} AS memgar_distance FROM ${sql.ident(table)}${filter} ORDER BY ${dist} LIMIT $${values.push(k)}`,
      values,
    );
    const kept = await guardRows(rows, typeof q === 'string' ? q : undefined, (r) =>
      SCORE[distance](Number(r.memgar_distance)),
    );
    return kept.map(({ row: { memgar_distance, ...row }, text, memgar }) => ({
      row,
      text,
      distance: Number(memgar_distance),
      memgar,
    }));
  }

  /** A pool's `connect()` gives a guarded client (same table, enforcer and review queue). */
  const connect = async (...args: unknown[]) => {
    if (args.length > 0) bad('connect', 'connect() takes the promise form (no callback)');
    const c: unknown = await (client as unknown as { connect(): Promise<unknown> }).connect();
    if (!isObject(c) || typeof c.query !== 'function' || typeof c.release !== 'function') return c;
    const guarded = guardPgVector(c as unknown as T.PgQueryable, {
      ...options,
      enforcer,
      reviewQueue: held.queue,
    });
    return kit.withOverrides(c, { query: guarded.query });
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

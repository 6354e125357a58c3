import { type Decision, InvalidInputError, type SourceType } from '@memgar/core';
import {
  contextIds,
  flatMemgarMetadata,
  guardRetrieved,
  guardWrites,
  type HeldGuarded,
  type HeldStoreOptions,
  HeldWrites,
  NO_TEXT_RULE,
  reportFiltered,
  resolveEnforcer,
  type WriteOutcome,
  withOverrides,
} from '@memgar/core/adapter-kit';

export interface GuardMilvusOptions extends HeldStoreOptions {
  /** The (VarChar) field holding the text memgar decides. @default 'text' */
  textField?: string;
  /**
   * Rows without a string `textField` cannot be analyzed. `false`: a write of one throws
   * `InvalidInputError` (nothing of its call is stored) and a result row without it is withheld
   * (reported as `block`, rule `memgar:no-text`). `true`: stored and returned unanalyzed, without
   * memgar fields (so `filterDecisions` excludes them). @default false
   */
  allowTextless?: boolean;
  /** Source type of written rows. @default 'rag' */
  sourceType?: SourceType;
  /** A field naming each row's source (URL, document id), for per-source trust. @default none */
  sourceField?: string;
  /**
   * Writes `memgar_decision`, `memgar_risk`, `memgar_rule` on stored rows, where the collection
   * takes them (dynamic field enabled, or the fields declared). @default true
   */
  recordDecision?: boolean;
  /** `search`, `query` and `get` only return rows whose `memgar_decision` is one of these. @default no filter */
  filterDecisions?: readonly Decision[];
  /** Re-embeds a sanitized row's `vectorField`. @default keep the given vector */
  embed?: (text: string) => Promise<number[]>;
  /** The vector field `embed` rewrites. @default 'vector' */
  vectorField?: string;
}

type Row = Record<string, unknown>;
type Req = Row & { collection_name: string; db_name?: string };
type Fn = (req: Req) => Promise<Row>;
interface Schema {
  status?: { error_code?: string };
  schema?: {
    enable_dynamic_field?: boolean;
    fields?: { name: string; is_primary_key?: boolean; data_type?: string }[];
  };
}

/** The `MilvusClient` methods the guard calls. */
export interface MilvusClientLike {
  insert(req: never): Promise<unknown>;
  upsert(req: never): Promise<unknown>;
  search(req: never): Promise<unknown>;
  query(req: never): Promise<unknown>;
  describeCollection(req: never): Promise<unknown>;
}

/** A held write: the one-row call approval sends. */
export interface HeldMilvusWrite {
  method: 'insert' | 'upsert';
  request: Omit<Req, 'data' | 'fields_data'>;
  row: Row;
}

/** The guarded client: the same client, plus its held writes and the unguarded original. */
export type GuardedMilvusClient<C> = HeldGuarded<C, HeldMilvusWrite>;

export { NO_TEXT_RULE };

const MEMGAR_KEYS = ['memgar_decision', 'memgar_risk', 'memgar_rule', 'memgar_review'];

/**
 * Wraps a `MilvusClient`: `insert` and `upsert` decide every row's text before anything is sent;
 * `search`, `hybridSearch`, `query` and `get` return only the rows the retrieval guard allows.
 * `searchIterator` and `queryIterator` throw `InvalidInputError` (they would pass rows unchecked).
 * Everything else is the client's own.
 */
export function guardMilvusClient<C extends MilvusClientLike>(
  client: C,
  options: GuardMilvusOptions = {},
): GuardedMilvusClient<C> {
  const enforcer = resolveEnforcer(options);
  const call = (name: string, req: Row) =>
    (client as unknown as Record<string, Fn>)[name]!.call(client, req as Req);
  const textField = options.textField ?? 'text';
  const sourceType = options.sourceType ?? 'rag';
  const textOf = (r: Row | undefined) =>
    typeof r?.[textField] === 'string' ? (r[textField] as string) : undefined;
  const describe = async (req: Req): Promise<Schema> => {
    const { collection_name, db_name } = req;
    return (await call('describeCollection', {
      collection_name,
      ...(db_name ? { db_name } : {}),
      cache: true,
    })) as Schema;
  };

  const held = new HeldWrites<HeldMilvusWrite>(async ({ method, request, row }, item) => {
    const keep = await memgarKeys(request as Req);
    const approved = { ...row, memgar_decision: 'allow', memgar_review: item.id };
    const res = await call(method, { ...request, data: [pick(approved, keep)] });
    const status = res.status as { error_code?: string; reason?: string } | undefined;
    if (status?.error_code !== 'Success')
      throw new Error(`Milvus refused the approved write: ${status?.reason}`);
  }, options.reviewQueue);

  /** The memgar fields the collection takes (none with `recordDecision: false`). */
  async function memgarKeys(req: Req): Promise<Set<string>> {
    if (options.recordDecision === false) return new Set();
    const s = (await describe(req)).schema;
    const declared = new Set(s?.fields?.map((f) => f.name));
    return new Set(MEMGAR_KEYS.filter((k) => s?.enable_dynamic_field === true || declared.has(k)));
  }
  const pick = (row: Row, keep: Set<string>) =>
    Object.fromEntries(Object.entries(row).filter(([k]) => !MEMGAR_KEYS.includes(k) || keep.has(k)));

  const write = (method: 'insert' | 'upsert') => async (req: Req) => {
    const { data: given, fields_data, ...request } = req;
    const rows = ((given ?? fields_data) as Row[] | undefined) ?? [];
    if (!Array.isArray(rows) || rows.length === 0) return call(method, req); // the SDK's own error
    const analyzed: number[] = [];
    for (const [i, r] of rows.entries()) {
      if (textOf(r) !== undefined) analyzed.push(i);
      else if (options.allowTextless !== true) {
        const hint = 'set textField, or allowTextless to store it unanalyzed';
        throw new InvalidInputError(
          textField,
          `row ${i} has no string "${textField}" field to analyze; ${hint}`,
        );
      }
    }
    const texts = analyzed.map((i) => textOf(rows[i])!);
    const items = analyzed.map((i, j) => ({ text: texts[j]!, sourceType, ...ids(rows[i]!) }));
    const outcomes = await guardWrites(enforcer, options, items);
    const keep = await memgarKeys(req);
    const records = await Promise.all(analyzed.map((i, j) => record(rows[i]!, outcomes[j]!)));
    const heldRecords = records.map((row) => ({ method, request, row }));
    await held.hold(outcomes, texts, heldRecords, { sourceType, ...contextIds(options) });
    const out: (Row | undefined)[] = [...rows];
    for (const [j, i] of analyzed.entries())
      out[i] = outcomes[j]!.stored ? pick(records[j]!, keep) : undefined;
    const kept = out.flatMap((r, i) => (r === undefined ? [] : [i]));
    const refused = out.flatMap((r, i) => (r === undefined ? [i] : []));
    if (kept.length === 0) {
      const status = { error_code: 'Success', reason: 'memgar refused every row', code: 0 };
      return { status, succ_index: [], err_index: refused, IDs: { int_id: { data: [] } }, insert_cnt: '0' };
    }
    const res = await call(method, { ...request, data: kept.map((i) => out[i]) });
    const back = (xs: unknown) => ((xs as number[] | undefined) ?? []).map((x) => kept[Number(x)]!);
    const errIndex = [...back(res.err_index), ...refused].sort((a, b) => a - b);
    return { ...res, succ_index: back(res.succ_index), err_index: errIndex };
  };

  /** The row to store for an outcome: the rewrite, memgar fields, the re-embedded vector. */
  async function record(r: Row, o: WriteOutcome): Promise<Row> {
    const text = o.stored ? o.text : textOf(r);
    const row: Row = { ...r, [textField]: text, ...flatMemgarMetadata(o.memgar) };
    const vf = options.vectorField ?? 'vector';
    if (o.stored && text !== textOf(r) && options.embed && row[vf] !== undefined) {
      row[vf] = await options.embed(text as string);
    }
    return row;
  }

  const ids = (r: Row) => {
    const s = options.sourceField !== undefined ? r[options.sourceField] : undefined;
    const id = r.id;
    return {
      ...(typeof s === 'string' ? { sourceId: s } : {}),
      ...(typeof id === 'string' || typeof id === 'number' ? { id } : {}),
    };
  };

  /** Guards one list of result rows (sanitized text written back, best first). */
  async function guardRows(rows: Row[], query: string | undefined): Promise<Row[]> {
    const withText: number[] = [];
    const out: Row[] = [];
    for (const [i, r] of rows.entries()) {
      if (textOf(r) !== undefined) withText.push(i);
      else if (options.allowTextless === true) out.push(r);
      else reportFiltered(options, NO_TEXT_RULE, `no string "${textField}" field to analyze`, ids(r).id);
    }
    const items = withText.map((i) => ({ text: textOf(rows[i])!, ...ids(rows[i]!) }));
    const kept = await guardRetrieved(enforcer, options, query, items);
    const guarded = kept.map((k) => ({ ...rows[withText[k.index]!], [textField]: k.text, memgar: k.memgar }));
    return [...guarded, ...out];
  }

  /** The request with the text field in `output_fields` and the `filterDecisions` expression. */
  async function readRequest(req: Req): Promise<Req> {
    const r: Req = { ...req };
    const of = r.output_fields as string[] | undefined;
    if (Array.isArray(of) && !of.includes('*') && !of.includes(textField))
      r.output_fields = [...of, textField];
    if (options.filterDecisions === undefined) return r;
    let base = (r.filter ?? r.expr ?? '') as string;
    const wanted = r.ids as (string | number)[] | undefined;
    if (base === '' && wanted !== undefined && wanted.length > 0) {
      const pk = (await describe(r)).schema?.fields?.find((f) => f.is_primary_key);
      const values = pk?.data_type === 'VarChar' ? wanted.map((v) => JSON.stringify(String(v))) : wanted;
      base = `${pk?.name ?? 'id'} in [${values.join(',')}]`;
    }
    const decisions = `memgar_decision in ${JSON.stringify(options.filterDecisions)}`;
    const expr = base === '' ? decisions : `(${base}) and ${decisions}`;
    return { ...r, filter: expr, expr };
  }

  const search = (method: string) => async (req: Req) => {
    const res = await call(method, await readRequest(req));
    const results = (res.results ?? []) as Row[] | Row[][];
    const nested = results.length > 0 && Array.isArray(results[0]);
    const guarded = nested
      ? await Promise.all((results as Row[][]).map((list) => guardRows(list, undefined)))
      : await guardRows(results as Row[], undefined);
    return { ...res, results: guarded };
  };

  const query = (method: string) => async (req: Req) => {
    const res = await call(method, await readRequest(req));
    return { ...res, data: await guardRows((res.data as Row[] | undefined) ?? [], undefined) };
  };

  const unguarded = (what: string) => async () => {
    throw new InvalidInputError(
      what,
      `${what} is not guarded (rows would pass unchecked); use search or query`,
    );
  };

  const extra: Record<PropertyKey, unknown> = {
    held,
    inner: client,
    insert: write('insert'),
    upsert: write('upsert'),
    search: search('search'),
    hybridSearch: search('hybridSearch'),
    query: query('query'),
    get: query('get'),
    searchIterator: unguarded('searchIterator'),
    queryIterator: unguarded('queryIterator'),
  };
  return withOverrides(client, extra) as GuardedMilvusClient<C>;
}

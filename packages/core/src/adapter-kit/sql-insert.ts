import { InvalidInputError } from '../errors/invalid-input-error.js';

// Just enough SQL reading for an adapter that guards a SQL client (PostgreSQL dialect: `$n`
// parameters, `"quoted"` identifiers, `'…'` literals): find the statements that touch a table, and
// take apart and rebuild the one write shape such a guard reads,
// `INSERT INTO t (cols) VALUES (…), (…) [tail]`. Lexical, not a parser.

/** `sql` with comments and string-literal contents blanked (same length, so offsets still match). */
export const sqlCode = (sql: string): string =>
  sql.replace(/--[^\n]*|\/\*[\s\S]*?\*\/|'(?:[^']|'')*'/g, (m) =>
    m.startsWith("'") ? `'${' '.repeat(m.length - 2)}'` : ' '.repeat(m.length),
  );

/** A double-quoted identifier (`schema.table` quoted part by part). */
export const sqlIdent = (name: string): string =>
  name
    .split('.')
    .map((p) => `"${p.replace(/"/g, '""')}"`)
    .join('.');

/** Whether `code` (see `sqlCode`) names `name` (its last part, quoted or not, in any case). */
export function sqlMentions(code: string, name: string): boolean {
  const last = (name.split('.').pop() ?? name).replace(/"/g, '').replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(?<![\\w$])"?${last}"?(?![\\w$])`, 'i').test(code);
}

/** Whether `code` (see `sqlCode`) may write rows (INSERT, UPDATE, MERGE, COPY). */
export const isSqlWrite = (code: string): boolean => /\b(?:insert|update|merge|copy)\b/i.test(code);

/** The comma-separated parts inside the brackets opening at `open`, at depth 0, and where they close. */
function group(code: string, open: number): { parts: [number, number][]; end: number } | undefined {
  const parts: [number, number][] = [];
  let depth = 0;
  let start = open + 1;
  for (let i = open; i < code.length; i++) {
    const ch = code[i];
    if (ch === '(' || ch === '[') depth++;
    else if ((ch === ')' || ch === ']') && --depth === 0) return { parts: [...parts, [start, i]], end: i };
    else if (ch === ',' && depth === 1) {
      parts.push([start, i]);
      start = i + 1;
    }
  }
  return undefined;
}

/** One value expression of a VALUES tuple: its text, and its code (same offsets). */
export interface SqlItem {
  sql: string;
  code: string;
}

/** A statement and its parameters (`$1` is `values[0]`), ready for a `query(text, values)` call. */
export interface SqlStatement {
  text: string;
  values: unknown[];
}

/** An `INSERT INTO t (cols) VALUES (…)[, (…)] [tail]`, taken apart. */
export interface SqlInsert {
  /** `INSERT INTO t (cols)` as written. */
  head: string;
  /** Column names as PostgreSQL reads them. */
  columns: string[];
  tuples: SqlItem[][];
  /** What follows the VALUES list (`ON CONFLICT …`, `RETURNING …`), without a final `;`. */
  tail: string;
}

/** Reads `INSERT INTO <table> (cols) VALUES (…)[, (…)] [tail]`; undefined for any other shape. */
export function parseSqlInsert(sql: string, table: string): SqlInsert | undefined {
  const code = sqlCode(sql);
  const m = /^\s*insert\s+into\s+([\w$."]+)\s*\(/i.exec(code);
  const cols = m && sqlMentions(m[1] ?? '', table) ? group(code, m[0].length - 1) : undefined;
  const values = cols && /^\s*values\s*/i.exec(code.slice(cols.end + 1));
  if (!cols || !values) return undefined;
  // Unquoted names fold to lower case, as PostgreSQL folds them.
  const columns = cols.parts.map(([s, e]) => {
    const c = code.slice(s, e).trim();
    return c.startsWith('"') ? c.slice(1, -1).replace(/""/g, '"') : c.toLowerCase();
  });
  const tuples: SqlItem[][] = [];
  let at = cols.end + 1 + values[0].length;
  for (let more = true; more; ) {
    const t = code[at] === '(' ? group(code, at) : undefined;
    if (!t || t.parts.length !== columns.length) return undefined;
    tuples.push(t.parts.map(([s, e]) => ({ sql: sql.slice(s, e), code: code.slice(s, e) })));
    const comma = /^\s*,\s*/.exec(code.slice(t.end + 1));
    more = comma !== null;
    at = t.end + 1 + (comma?.[0].length ?? 0);
  }
  const tail = code.slice(at).replace(/;\s*$/, '');
  // A second statement, or a parameter outside the VALUES list, is not a shape the guard rewrites.
  if (tail.includes(';') || /\$\d/.test(tail)) return undefined;
  return { head: sql.slice(0, cols.end + 1), columns, tuples, tail: sql.slice(at, at + tail.length) };
}

/**
 * An INSERT of `rows` (one value per column, each a new `$n` parameter) into `table`; with
 * `upsertKey`, `ON CONFLICT (key) DO UPDATE` sets every other column.
 */
export function buildSqlInsert(
  table: string,
  columns: readonly string[],
  rows: readonly (readonly unknown[])[],
  upsertKey?: string,
): { insert: SqlInsert; values: unknown[] } {
  const values: unknown[] = [];
  const tuples = rows.map((r) => r.map((v) => ({ sql: `$${values.push(v)}`, code: `$${values.length}` })));
  const set = columns.filter((c) => c !== upsertKey).map((c) => `${sqlIdent(c)} = EXCLUDED.${sqlIdent(c)}`);
  const tail = upsertKey ? ` ON CONFLICT (${sqlIdent(upsertKey)}) DO UPDATE SET ${set.join(', ')}` : '';
  const head = `INSERT INTO ${sqlIdent(table)} (${columns.map(sqlIdent).join(', ')})`;
  return { insert: { head, columns: [...columns], tuples, tail }, values };
}

/** How `rebuildSqlInsert` writes one value: `original()` is the value as written, its parameters renumbered. */
export type SqlCell<W> = (
  row: W,
  column: string,
  /** Undefined for an added column. */
  original: (() => string) | undefined,
  /** Adds a parameter; returns its name (`$k`). */
  param: (value: unknown) => string,
) => string;

/**
 * A new INSERT of some tuples of `insert` (one per row, `row.index` naming its tuple), with `added`
 * columns appended and the parameters numbered from `$1`; `cell` writes each value. A `$n` beyond
 * `values` is an `InvalidInputError`.
 */
export function rebuildSqlInsert<W extends { index: number }>(
  insert: SqlInsert,
  values: readonly unknown[],
  rows: readonly W[],
  added: readonly string[],
  cell: SqlCell<W>,
): SqlStatement {
  const out: unknown[] = [];
  const param = (v: unknown) => `$${out.push(v)}`;
  const renumber = (n: number) => {
    if (n > values.length) throw new InvalidInputError('query', `no $${n} among the ${values.length} values`);
    return param(values[n - 1]);
  };
  const tuples = rows.map((row) => {
    const items = insert.tuples[row.index] ?? [];
    const original = (i: number) => () => renumberSql(items[i] as SqlItem, renumber);
    const cells = insert.columns.map((c, i) => cell(row, c, original(i), param));
    return `(${[...cells, ...added.map((c) => cell(row, c, undefined, param))].join(', ')})`;
  });
  const head = added.length
    ? insert.head.replace(/\)\s*$/, `, ${added.map(sqlIdent).join(', ')})`)
    : insert.head;
  return { text: `${head} VALUES ${tuples.join(', ')}${insert.tail}`, values: out };
}

/** The parameter number of an item that is just `$n` (optionally cast), else undefined. */
export function sqlPlaceholder(item: SqlItem): number | undefined {
  const m = /^\s*\$(\d+)\s*(?:::\s*[\w\s."[\]()]+)?$/.exec(item.code);
  return m ? Number(m[1]) : undefined;
}

/** The item with each `$n` replaced by `next(n)` (which appends the value and names its new `$k`). */
export function renumberSql(item: SqlItem, next: (n: number) => string): string {
  let out = '';
  let last = 0;
  for (const m of item.code.matchAll(/\$(\d+)/g)) {
    out += item.sql.slice(last, m.index) + next(Number(m[1]));
    last = (m.index ?? 0) + m[0].length;
  }
  return out + item.sql.slice(last);
}

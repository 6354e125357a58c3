// Just enough SQL reading for the guarded `query`: find statements that touch the guarded table,
// and take apart the one write shape it guards, `INSERT INTO t (cols) VALUES (…), (…) [tail]`.

/** `sql` with comments and string-literal contents blanked (same length, so offsets still match). */
export const codeOf = (sql: string): string =>
  sql.replace(/--[^\n]*|\/\*[\s\S]*?\*\/|'(?:[^']|'')*'/g, (m) =>
    m.startsWith("'") ? `'${' '.repeat(m.length - 2)}'` : ' '.repeat(m.length),
  );

/** A double-quoted identifier (`schema.table` quoted part by part). */
export const ident = (name: string): string =>
  name
    .split('.')
    .map((p) => `"${p.replace(/"/g, '""')}"`)
    .join('.');

/** Whether `code` names `name` (its last part, quoted or not, in any case). */
export function mentions(code: string, name: string): boolean {
  const last = (name.split('.').pop() ?? name).replace(/"/g, '').replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(?<![\\w$])"?${last}"?(?![\\w$])`, 'i').test(code);
}

/** A statement that may write rows (the guard then insists on the INSERT shape it can read). */
export const isWrite = (code: string): boolean => /\b(?:insert|update|merge|copy)\b/i.test(code);

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

export interface ParsedInsert {
  /** `INSERT INTO t (cols)` as written. */
  head: string;
  /** Column names as PostgreSQL reads them. */
  columns: string[];
  tuples: SqlItem[][];
  /** What follows the VALUES list (`ON CONFLICT …`, `RETURNING …`), without a final `;`. */
  tail: string;
}

/** Reads `INSERT INTO <table> (cols) VALUES (…)[, (…)] [tail]`; undefined for any other shape. */
export function parseInsert(sql: string, table: string): ParsedInsert | undefined {
  const code = codeOf(sql);
  const m = /^\s*insert\s+into\s+([\w$."]+)\s*\(/i.exec(code);
  const cols = m && mentions(m[1] ?? '', table) ? group(code, m[0].length - 1) : undefined;
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

/** The parameter number of an item that is just `$n` (optionally cast), else undefined. */
export function placeholder(item: SqlItem): number | undefined {
  const m = /^\s*\$(\d+)\s*(?:::\s*[\w\s."[\]()]+)?$/.exec(item.code);
  return m ? Number(m[1]) : undefined;
}

/** The item with each `$n` replaced by `next(n)` (which appends the value and names its new `$k`). */
export function renumber(item: SqlItem, next: (n: number) => string): string {
  let out = '';
  let last = 0;
  for (const m of item.code.matchAll(/\$(\d+)/g)) {
    out += item.sql.slice(last, m.index) + next(Number(m[1]));
    last = (m.index ?? 0) + m[0].length;
  }
  return out + item.sql.slice(last);
}

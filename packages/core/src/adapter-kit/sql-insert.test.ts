import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../errors/invalid-input-error.js';
import {
  buildSqlInsert,
  isSqlWrite,
  parseSqlInsert,
  rebuildSqlInsert,
  renumberSql,
  type SqlInsert,
  sqlCode,
  sqlIdent,
  sqlMentions,
  sqlPlaceholder,
} from './index.js';

/** The tuples of an insert as their SQL text. */
const sqlOf = (p: SqlInsert | undefined) => p?.tuples.map((t) => t.map((i) => i.sql.trim()));

describe('sqlCode, sqlIdent, sqlMentions, isSqlWrite', () => {
  it('blanks comments and literal contents without moving offsets', () => {
    const sql = "SELECT 'it''s -- items' AS a -- items\nFROM /* items */ t";
    const code = sqlCode(sql);
    expect(code).toHaveLength(sql.length);
    const blank = (s: string) => ' '.repeat(s.length);
    expect(code).toBe(
      `SELECT '${blank("it''s -- items")}' AS a ${blank('-- items')}\nFROM ${blank('/* items */')} t`,
    );
  });

  it('quotes each part of a name, doubling quotes', () => {
    expect(sqlIdent('rag.items')).toBe('"rag"."items"');
    expect(sqlIdent('we"ird')).toBe('"we""ird"');
  });

  it('finds a table by its last name part, quoted or not, in any case, but not inside other names or literals', () => {
    expect(sqlMentions(sqlCode('select * from ITEMS where 1 = 1'), 'items')).toBe(true);
    expect(sqlMentions(sqlCode('select * from rag."items"'), 'rag.items')).toBe(true);
    expect(sqlMentions(sqlCode('select * from items_2'), 'items')).toBe(false);
    expect(sqlMentions(sqlCode('select * from my$items'), 'items')).toBe(false);
    expect(sqlMentions(sqlCode("select 'items' from notes -- items"), 'items')).toBe(false);
    // Regular-expression characters in a name are matched literally.
    expect(sqlMentions('select * from a.b', 'a+b')).toBe(false);
  });

  it('tells writes from reads', () => {
    for (const w of ['INSERT INTO t', 'update t set', 'MERGE INTO t', 'copy t from stdin'])
      expect(isSqlWrite(w)).toBe(true);
    expect(isSqlWrite('SELECT inserted_at FROM t')).toBe(false);
    expect(isSqlWrite(sqlCode("SELECT 'insert' FROM t"))).toBe(false);
  });
});

describe('parseSqlInsert', () => {
  it('takes apart a multi-row INSERT with casts, literals, nested brackets, ON CONFLICT and RETURNING', () => {
    const sql = `INSERT INTO public.Items (ID, "Content", embedding, metadata)
      VALUES ($1, $2, $3::vector, '{"a": "(,)"}'::jsonb), ($4, lower($5), ARRAY[1, 2], NULL)
      ON CONFLICT (id) DO NOTHING RETURNING id;`;
    const p = parseSqlInsert(sql, 'items');
    expect(p?.head).toBe('INSERT INTO public.Items (ID, "Content", embedding, metadata)');
    expect(p?.columns).toEqual(['id', 'Content', 'embedding', 'metadata']);
    expect(sqlOf(p)).toEqual([
      ['$1', '$2', '$3::vector', `'{"a": "(,)"}'::jsonb`],
      ['$4', 'lower($5)', 'ARRAY[1, 2]', 'NULL'],
    ]);
    expect(p?.tail.trim()).toBe('ON CONFLICT (id) DO NOTHING RETURNING id');
  });

  it('reads no other shape', () => {
    const refused = [
      'INSERT INTO items (content) SELECT $1',
      "INSERT INTO items VALUES ('x', $1)",
      'INSERT INTO notes (content) VALUES ($1)',
      'INSERT INTO items (id, content) VALUES ($1)',
      'INSERT INTO items (content) VALUES ($1); DELETE FROM items',
      'INSERT INTO items (content) VALUES ($1) ON CONFLICT (id) DO UPDATE SET content = $2',
      'INSERT INTO items (content) VALUES ($1',
      'WITH x AS (INSERT INTO items (content) VALUES ($1) RETURNING 1) SELECT * FROM x',
    ];
    for (const sql of refused) expect(parseSqlInsert(sql, 'items')).toBeUndefined();
  });
});

describe('sqlPlaceholder and renumberSql', () => {
  const item = (sql: string) => ({ sql, code: sqlCode(sql) });

  it('reads a bare parameter, optionally cast, and nothing else', () => {
    expect(sqlPlaceholder(item(' $3 '))).toBe(3);
    expect(sqlPlaceholder(item('$12::vector(16)'))).toBe(12);
    expect(sqlPlaceholder(item('$1 || $2'))).toBeUndefined();
    expect(sqlPlaceholder(item("'$1'"))).toBeUndefined();
  });

  it('renumbers the parameters of an item, not those inside literals', () => {
    const seen: number[] = [];
    const out = renumberSql(item("coalesce($2, '$9') || $10"), (n) => {
      seen.push(n);
      return `$${seen.length + 4}`;
    });
    expect(out).toBe("coalesce($5, '$9') || $6");
    expect(seen).toEqual([2, 10]);
  });
});

describe('buildSqlInsert and rebuildSqlInsert', () => {
  it('builds a parameterized INSERT, and an upsert on a key', () => {
    const rows = [
      ['a', 'one'],
      ['b', 'two'],
    ];
    const { insert, values } = buildSqlInsert('rag.items', ['id', 'content'], rows);
    expect(insert.head).toBe('INSERT INTO "rag"."items" ("id", "content")');
    expect(sqlOf(insert)).toEqual([
      ['$1', '$2'],
      ['$3', '$4'],
    ]);
    expect(values).toEqual(['a', 'one', 'b', 'two']);
    expect(insert.tail).toBe('');
    const upsert = buildSqlInsert('items', ['id', 'content', 'meta'], [['a', 'x', null]], 'id').insert;
    expect(upsert.tail).toBe(
      ' ON CONFLICT ("id") DO UPDATE SET "content" = EXCLUDED."content", "meta" = EXCLUDED."meta"',
    );
  });

  it('rebuilds some tuples with replaced values, renumbered parameters and an added column', () => {
    const sql = "INSERT INTO items (id, content, note) VALUES ($1, $2, $3 || '!'), ($4, $5, $3) RETURNING id";
    const insert = parseSqlInsert(sql, 'items') as SqlInsert;
    const values = ['a', 'first', 'n', 'b', 'second'];
    const rows = [{ index: 1, text: 'SECOND' }];
    const built = rebuildSqlInsert(insert, values, rows, ['stamp'], (row, column, original, add) => {
      if (column === 'content') return add(row.text);
      if (column === 'stamp') return `${add('{"ok":true}')}::jsonb`;
      return original?.() ?? 'NULL';
    });
    // Values keep their spacing as written. The replaced value's own parameter ($5) is not carried
    // over (PostgreSQL rejects a parameter it cannot type).
    expect(built).toEqual({
      text: 'INSERT INTO items (id, content, note, "stamp") VALUES ($1, $2,  $3, $4::jsonb) RETURNING id',
      values: ['b', 'SECOND', 'n', '{"ok":true}'],
    });
  });

  it('rejects a parameter without a value', () => {
    const insert = parseSqlInsert('INSERT INTO items (id, content) VALUES ($1, $2)', 'items') as SqlInsert;
    const build = () =>
      rebuildSqlInsert(insert, ['a'], [{ index: 0 }], [], (_r, _c, original) => original!());
    expect(build).toThrow(InvalidInputError);
    expect(build).toThrow(/\$2/);
  });
});

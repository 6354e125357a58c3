import { describe, expect, it } from 'vitest';
import { toEntry } from './fields.js';
import type { ReadOptions } from './types.js';

const opts: ReadOptions = { split: 'paragraph', defaultSourceType: 'memory' };

describe('toEntry', () => {
  it('takes the first text field in order and the id fields', () => {
    const r = toEntry({ body: 'late', text: 'early', source_id: 7, user_id: 'u1', tenant_id: 't1' }, opts);
    expect(r).toEqual({
      ok: true,
      entry: { content: 'early', sourceType: 'memory', sourceId: '7', agentId: 'u1', tenantId: 't1' },
    });
    expect(toEntry({ pageContent: 'p', id: 'doc-1' }, opts)).toMatchObject({
      entry: { content: 'p', sourceId: 'doc-1' },
    });
  });

  it('resolves the source type: declared, then surface, then --source-type, then the default', () => {
    const withFlag: ReadOptions = { ...opts, sourceType: 'web' };
    expect(toEntry({ content: 'x', sourceType: 'email', surface: 'rag_chunk' }, withFlag)).toMatchObject({
      entry: { sourceType: 'email' },
    });
    expect(toEntry({ content: 'x', surface: 'tool_output' }, withFlag)).toMatchObject({
      entry: { sourceType: 'tool' },
    });
    expect(toEntry({ content: 'x', surface: 'user_prompt' }, opts)).toMatchObject({
      entry: { sourceType: 'user' },
    });
    expect(toEntry({ content: 'x' }, withFlag)).toMatchObject({ entry: { sourceType: 'web' } });
    expect(toEntry('plain', opts)).toEqual({ ok: true, entry: { content: 'plain', sourceType: 'memory' } });
  });

  it('keeps an entry with an unknown declared source type, with a note', () => {
    const r = toEntry({ content: 'x', source_type: 'carrier-pigeon' }, opts);
    expect(r).toMatchObject({ ok: true, entry: { sourceType: 'memory' } });
    expect(r.ok && r.note).toContain('carrier-pigeon');
  });

  it('rejects values without text', () => {
    expect(toEntry({ content: 42 }, opts)).toMatchObject({
      ok: false,
      reason: expect.stringContaining('no text field'),
    });
    expect(toEntry(null, opts)).toEqual({ ok: false, reason: 'expected a string or an object, got null' });
    expect(toEntry([1], opts)).toEqual({ ok: false, reason: 'expected a string or an object, got an array' });
  });
});

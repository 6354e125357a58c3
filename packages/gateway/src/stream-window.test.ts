import { describe, expect, it } from 'vitest';
import { OutputWindow, StreamViolation, type TextCheck } from './guard.js';
import { formatSse, SseParser } from './sse.js';

/** A checker that refuses `needle` and redacts every `SECRET\d+` (no analyzer involved). */
const checker =
  (needle: string) =>
  async (text: string): Promise<TextCheck> => {
    if (text.includes(needle)) {
      return {
        ok: false,
        verdict: {
          decision: 'block',
          allowed: false,
          rule: 'test',
          reason: 'needle',
          riskScore: 100,
          ruleIds: [],
        },
      };
    }
    const spans = [...text.matchAll(/SECRET\d+/g)].map((m) => ({
      start: m.index,
      end: m.index + m[0].length,
      replacement: '[X]',
    }));
    return { ok: true, text, spans };
  };

async function run(window: OutputWindow, deltas: string[]): Promise<string> {
  let out = '';
  for (const d of deltas) out += await window.push('k', d, 'w');
  return out + (await window.flush('k', 'w'));
}

describe('OutputWindow', () => {
  it('releases a clean stream whole and in order, holding back the last window', async () => {
    const w = new OutputWindow(8, checker('NEEDLE'));
    const parts = ['alpha beta ', 'gamma delta ', 'epsilon zeta ', 'eta'];
    let early = '';
    for (const p of parts.slice(0, 3)) early += await w.push('k', p, 'w');
    expect(early.length).toBeGreaterThan(0);
    expect(parts.slice(0, 3).join('').endsWith(parts.slice(0, 3).join('').slice(early.length))).toBe(true);
    expect(early + (await w.push('k', 'eta', 'w')) + (await w.flush('k', 'w'))).toBe(parts.join(''));
    expect(w.keys()).toEqual([]);
  });

  it('refuses a needle split across deltas before any of it is released', async () => {
    const w = new OutputWindow(8, checker('NEEDLE'));
    let released = '';
    released += await w.push('k', 'some text before the NEE', 'w');
    await expect(w.push('k', 'DLE and after', 'out')).rejects.toBeInstanceOf(StreamViolation);
    expect(released).not.toContain('NEE');
    expect(w.keys()).toEqual([]);
  });

  it('redacts a finding that crosses the release point whole', async () => {
    const w = new OutputWindow(6, checker('NEEDLE'));
    const out = await run(w, ['0123456789 SECR', 'ET42 tail text here', ' and more']);
    expect(out).toBe('0123456789 [X] tail text here and more');
  });

  it('keeps buffers per key', async () => {
    const w = new OutputWindow(4, checker('NEEDLE'));
    await w.push('a', 'NEE', 'a');
    await w.push('b', 'DLE', 'b');
    expect(w.keys().sort()).toEqual(['a', 'b']);
    expect(await w.flush('b', 'b')).toBe('DLE');
  });
});

describe('SseParser', () => {
  it('parses events across chunk boundaries and any line ending, joining data lines', () => {
    const p = new SseParser(1000);
    const wire = 'event: a\r\ndata: {"x":\r\ndata: 1}\r\n\r\n: comment\n\ndata: [DONE]\r\r\n';
    const events = [...wire].flatMap((c) => p.push(c));
    expect(events).toEqual([{ event: 'a', data: '{"x":\n1}' }, { data: '[DONE]' }]);
    expect(p.end()).toEqual([]);
  });

  it('returns an unterminated last event at the end, and refuses an event over the bound', () => {
    const p = new SseParser(1000);
    expect(p.push('data: tail')).toEqual([]);
    expect(p.end()).toEqual([{ data: 'tail' }]);
    expect(() => new SseParser(10).push('data: 0123456789abc\n')).toThrow(RangeError);
  });

  it('formats events back to the wire form', () => {
    expect(formatSse({ event: 'e', data: 'a\nb' })).toBe('event: e\ndata: a\ndata: b\n\n');
    expect(formatSse({ data: '[DONE]' })).toBe('data: [DONE]\n\n');
  });
});

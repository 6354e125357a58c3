import { describe, expect, it } from 'vitest';
import { AhoCorasick, HitBuffer } from './aho-corasick.js';

function hits(ac: AhoCorasick, text: string): [string, number][] {
  const buf = new HitBuffer(2);
  ac.scan(text, buf);
  const out: [string, number][] = [];
  for (let i = 0; i < buf.length; i++)
    out.push([
      ac.literals[buf.literal[i] as number] as string,
      (buf.end[i] as number) - ac.literals[buf.literal[i] as number]!.length,
    ]);
  return out;
}

describe('AhoCorasick', () => {
  it('reports every occurrence of every literal, including overlapping and nested ones', () => {
    const ac = new AhoCorasick(['he', 'she', 'his', 'hers']);
    expect(hits(ac, 'ushers')).toEqual([
      ['she', 1],
      ['he', 2],
      ['hers', 2],
    ]);
  });

  it('handles literals outside the alphabet, non-ASCII text and growth of the hit buffer', () => {
    const ac = new AhoCorasick(['ab', 'é@', 'b']);
    expect(hits(ac, 'xxabxé@ab€')).toEqual([
      ['ab', 2],
      ['b', 3],
      ['é@', 5],
      ['ab', 7],
      ['b', 8],
    ]);
  });

  it('reports duplicate literals under each index', () => {
    const ac = new AhoCorasick(['go', 'go']);
    const buf = new HitBuffer();
    expect(ac.scan('go', buf)).toBe(2);
    expect([...buf.literal.subarray(0, 2)]).toEqual([1, 0].sort());
  });

  it('rejects empty literals', () => {
    expect(() => new AhoCorasick(['a', ''])).toThrow(RangeError);
  });
});

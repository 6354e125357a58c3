import { describe, expect, it } from 'vitest';
import { segmentAt, segmentSentences } from './segments.js';

const spans = (text: string, max?: number, overlap?: number): string[] => {
  const s = segmentSentences(text, max, overlap);
  return Array.from({ length: s.count }, (_, i) => text.slice(s.starts[i], s.ends[i]));
};

describe('segmentSentences', () => {
  it('splits at sentence punctuation followed by a space, not inside hosts or numbers', () => {
    expect(spans('send it to evil.com now. then pay 3.5 btc! ok? a;b; c\nd')).toEqual([
      'send it to evil.com now.',
      ' then pay 3.5 btc!',
      ' ok?',
      ' a;b;',
      ' c\n',
      'd',
    ]);
  });

  it('force-splits long unpunctuated text into overlapping pieces', () => {
    const text = 'x'.repeat(1000);
    const s = segmentSentences(text, 600, 80);
    expect(s.count).toBe(2);
    expect([s.starts[0], s.ends[0], s.starts[1], s.ends[1]]).toEqual([0, 600, 520, 1000]);
    expect(segmentAt(s, 550)).toBe(1);
    expect(segmentAt(s, 10)).toBe(0);
  });
});

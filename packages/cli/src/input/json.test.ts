import { describe, expect, it } from 'vitest';
import { arrayElementLines, findEntries } from './json.js';

describe('arrayElementLines', () => {
  it('finds the line of each element of a top-level array', () => {
    const text = '[\n  "a",\n  {"content": "b ] [ \\" {"},\n\n  [1, 2],\n  3\n]';
    expect(arrayElementLines(text, undefined)).toEqual([2, 3, 5, 6]);
  });

  it('finds the array under a key of the top-level object, ignoring other keys and nested keys', () => {
    const text = [
      '{',
      '  "meta": {"memories": ["not this"]},',
      '  "note": "memories",',
      '  "memories": [',
      '    {"text": "x",',
      '     "tags": ["t1", "t2"]},',
      '    "y"',
      '  ],',
      '  "data": ["z"]',
      '}',
    ].join('\n');
    expect(arrayElementLines(text, 'memories')).toEqual([5, 7]);
    expect(arrayElementLines(text, 'data')).toEqual([9]);
  });

  it('returns nothing for an empty array', () => {
    expect(arrayElementLines('[ ]', undefined)).toEqual([]);
  });
});

describe('findEntries', () => {
  it('takes the first known key holding an array', () => {
    expect(findEntries({ items: 'no', entries: [1], data: [2] })).toEqual({ items: [1], key: 'entries' });
    expect(findEntries(['a'])).toEqual({ items: ['a'], key: undefined });
  });

  it('throws on a document without an entries array', () => {
    expect(() => findEntries({ memories: {} })).toThrow(/memories, items, entries, data, results/);
    expect(() => findEntries('text')).toThrow(/expected a JSON array/);
  });
});

import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../errors/index.js';
import { canonicalJson } from './canonical-json.js';

describe('canonicalJson', () => {
  it('sorts keys at every level, writes no whitespace and -0 as 0', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: 'x' } }, 'm')).toBe(
      '{"a":{"c":"x","d":[3,{"y":2,"z":1}]},"b":1}',
    );
    expect(canonicalJson({ a: 1, b: 2 }, 'm')).toBe(canonicalJson({ b: 2, a: 1 }, 'm'));
    expect(canonicalJson(-0, 'm')).toBe('0');
    expect(canonicalJson('é"\n', 'm')).toBe(JSON.stringify('é"\n'));
    expect(canonicalJson(Object.assign(Object.create(null), { k: null }), 'm')).toBe('{"k":null}');
  });

  it('throws InvalidInputError naming the field for what is not plain JSON', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    for (const bad of [
      { a: undefined },
      { a: Number.NaN },
      { a: Number.POSITIVE_INFINITY },
      { a: new Date(0) },
      { a: new Map() },
      { a: 1n },
      { a: () => 1 },
      cyclic,
    ]) {
      const e = (() => {
        try {
          canonicalJson(bad, 'metadata');
        } catch (x) {
          return x;
        }
        return undefined;
      })();
      expect(InvalidInputError.isInstance(e)).toBe(true);
      expect((e as InvalidInputError).field).toBe('metadata');
    }
  });
});

import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../errors/index.js';
import { canonicalJson } from './canonical-json.js';

describe('canonicalJson, strict (the vault and ledger mode)', () => {
  it('sorts keys at every level, writes no whitespace and -0 as 0', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: 'x' } }, 'm', { strict: true })).toBe(
      '{"a":{"c":"x","d":[3,{"y":2,"z":1}]},"b":1}',
    );
    expect(canonicalJson({ a: 1, b: 2 }, 'm', { strict: true })).toBe(
      canonicalJson({ b: 2, a: 1 }, 'm', { strict: true }),
    );
    expect(canonicalJson(-0, 'm', { strict: true })).toBe('0');
    expect(canonicalJson('é"\n', 'm', { strict: true })).toBe(JSON.stringify('é"\n'));
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
          canonicalJson(bad, 'metadata', { strict: true });
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

describe('canonicalJson: strict versus lenient', () => {
  it('drops undefined members and honours toJSON only when lenient; both refuse deep nesting', () => {
    expect(canonicalJson({ a: undefined, b: 1 }, 'm')).toBe('{"b":1}');
    expect(() => canonicalJson({ a: undefined, b: 1 }, 'm', { strict: true })).toThrow(InvalidInputError);
    expect(canonicalJson({ d: new Date(0) }, 'm')).toBe('{"d":"1970-01-01T00:00:00.000Z"}');
    expect(() => canonicalJson({ d: new Date(0) }, 'm', { strict: true })).toThrow(InvalidInputError);
    let deep: unknown = 1;
    for (let i = 0; i < 70; i++) deep = [deep];
    expect(() => canonicalJson(deep, 'm')).toThrow(/nested deeper/);
  });
});

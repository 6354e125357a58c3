import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../errors/index.js';
import { canonicalJson } from './canonical-json.js';

describe('canonicalJson', () => {
  it('sorts keys at every depth and writes no white space', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: 'x' } }, 'v')).toBe(
      '{"a":{"c":"x","d":[3,{"y":2,"z":1}]},"b":1}',
    );
    expect(canonicalJson({ b: 1, a: 2 }, 'v')).toBe(canonicalJson({ a: 2, b: 1 }, 'v'));
  });

  it('writes strings and numbers as JSON does, and follows JSON for undefined', () => {
    const value = { s: 'line\n"quoted" \u2028 é \ud800', n: 1e21, f: -0.5, t: true, z: null, u: undefined };
    expect(canonicalJson(value, 'v')).toBe(
      `{"f":-0.5,"n":1e+21,"s":${JSON.stringify(value.s)},"t":true,"z":null}`,
    );
    expect(canonicalJson([undefined, () => 1, 2], 'v')).toBe('[null,null,2]');
    expect(JSON.parse(canonicalJson(value, 'v'))).toEqual(JSON.parse(JSON.stringify(value)));
  });

  it('honours toJSON (dates)', () => {
    const d = new Date(Date.UTC(2024, 0, 2));
    expect(canonicalJson({ at: d }, 'v')).toBe('{"at":"2024-01-02T00:00:00.000Z"}');
  });

  it('keeps objects without a prototype and sorts keys by code unit', () => {
    const o = Object.assign(Object.create(null) as Record<string, number>, { é: 1, Z: 2, a: 3 });
    expect(canonicalJson(o, 'v')).toBe('{"Z":2,"a":3,"é":1}');
  });

  it('rejects what JSON cannot carry faithfully, naming the field', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    for (const bad of [
      Number.NaN,
      Number.POSITIVE_INFINITY,
      1n,
      new Map([[1, 2]]),
      new Set([1]),
      cyclic,
      undefined,
    ]) {
      let err: unknown;
      try {
        canonicalJson({ x: [bad] }, 'messages[3]');
      } catch (e) {
        err = e;
      }
      if (bad === undefined) {
        expect(err).toBeUndefined();
        continue;
      }
      expect(InvalidInputError.isInstance(err)).toBe(true);
      expect((err as InvalidInputError).field).toBe('messages[3]');
    }
    expect(() => canonicalJson(undefined, 'v')).toThrow(InvalidInputError);
  });

  it('allows the same object twice when it is not a cycle', () => {
    const shared = { a: 1 };
    expect(canonicalJson({ x: shared, y: [shared] }, 'v')).toBe('{"x":{"a":1},"y":[{"a":1}]}');
  });
});

import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../errors/invalid-input-error.js';
import { type FailInput, inputFailure, isPlainRecord } from './index.js';

describe('isPlainRecord', () => {
  it('accepts objects of named fields only', () => {
    expect([{}, { a: 1 }, Object.create(null)].map(isPlainRecord)).toEqual([true, true, true]);
    expect([null, undefined, [], [1], 'x', 1, () => {}].map(isPlainRecord)).toEqual([
      false,
      false,
      false,
      false,
      false,
      false,
      false,
    ]);
  });
});

describe('inputFailure', () => {
  it("throws InvalidInputError on the field, the message prefixed with the adapter's name", () => {
    const bad: FailInput = inputFailure('@memgar/example');
    const error = (() => {
      try {
        bad('rows', 'each row needs a string text');
      } catch (e) {
        return e;
      }
    })();
    expect(InvalidInputError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: 'INVALID_INPUT', field: 'rows' });
    expect((error as Error).message).toContain('@memgar/example: each row needs a string text');
  });
});

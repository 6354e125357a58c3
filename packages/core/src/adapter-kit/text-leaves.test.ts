import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../errors/invalid-input-error.js';
import { textLeaves } from './text-leaves.js';

const value = {
  title: 'Trip notes',
  blank: '  ',
  visits: 3,
  profile: { notes: ['Likes tea.', 'Prefers aisle seats.'], missing: null },
  tags: ['travel'],
};

describe('textLeaves', () => {
  it('reads every non-blank string, depth first, with its path', () => {
    const l = textLeaves(value);
    expect(l.texts).toEqual(['Trip notes', 'Likes tea.', 'Prefers aisle seats.', 'travel']);
    expect(l.paths).toEqual([['title'], ['profile', 'notes', '0'], ['profile', 'notes', '1'], ['tags', '0']]);
  });

  it('reads only the given top-level fields, at any depth below them', () => {
    const l = textLeaves(value, { fields: ['profile'] });
    expect(l.texts).toEqual(['Likes tea.', 'Prefers aisle seats.']);
  });

  it('returns the value itself when no text changed', () => {
    const l = textLeaves(value);
    expect(l.with(l.texts)).toBe(value);
    expect(l.with([undefined, undefined, undefined, undefined])).toBe(value);
  });

  it('rewrites changed texts in a copy, copying only the objects on their paths', () => {
    const l = textLeaves(value);
    const out = l.with(['Trip notes', 'Likes tea.', 'Prefers window seats.', undefined]);
    expect(out).toEqual({
      ...value,
      profile: { ...value.profile, notes: ['Likes tea.', 'Prefers window seats.'] },
    });
    expect(Array.isArray(out.profile.notes)).toBe(true);
    expect(value.profile.notes[1]).toBe('Prefers aisle seats.'); // the caller's value is untouched
    expect(out.tags).toBe(value.tags); // off the changed path: shared, not copied
    expect(out.profile).not.toBe(value.profile);
  });

  it('applies several edits under one parent', () => {
    const l = textLeaves({ a: { b: 'one', c: 'two' } });
    expect(l.with(['uno', 'dos'])).toEqual({ a: { b: 'uno', c: 'dos' } });
  });

  it('treats a string value as its one text', () => {
    const l = textLeaves('hello');
    expect(l.texts).toEqual(['hello']);
    expect(l.with(['bye'])).toBe('bye');
  });

  it('rejects a value nested deeper than maxDepth with InvalidInputError naming the field', () => {
    let deep: Record<string, unknown> = { text: 'x' };
    for (let i = 0; i < 40; i++) deep = { child: deep };
    const error = (() => {
      try {
        textLeaves(deep, { field: 'item' });
      } catch (e) {
        return e;
      }
    })();
    expect(InvalidInputError.isInstance(error)).toBe(true);
    expect((error as InvalidInputError).field).toBe('item');
    expect(() => textLeaves({ a: { b: { c: 'x' } } }, { maxDepth: 2 })).toThrow(
      'value is nested deeper than 2',
    );
    expect(textLeaves({ a: { b: 'x' } }, { maxDepth: 2 }).texts).toEqual(['x']);
  });
});

import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../errors/invalid-input-error.js';
import { originalMethods } from './original-methods.js';

class Store {
  readonly #rows: string[] = [];
  async add(text: string): Promise<number> {
    this.#rows.push(text);
    return this.#rows.length;
  }
  rows(): string[] {
    return [...this.#rows];
  }
}

/** A guard in place that tags every added text with `tag`. */
function tagAdds(store: Store, tag: string): Store {
  const own = originalMethods(store, ['add']);
  return Object.assign(store, { add: (text: string) => own.add(`${tag} ${text}`) });
}

describe('originalMethods', () => {
  it('returns the methods bound to the target (private fields work)', async () => {
    const store = new Store();
    const { add, rows } = originalMethods(store, ['add', 'rows']);
    expect(await add('a')).toBe(1);
    expect(rows()).toEqual(['a']);
  });

  it('returns the methods from before any guard, so guarding again replaces the guard', async () => {
    const store = new Store();
    const guarded = tagAdds(store, '[one]');
    expect(guarded).toBe(store);
    expect(guarded).toBeInstanceOf(Store);
    await store.add('x');
    tagAdds(store, '[two]');
    await store.add('y');
    expect(store.rows()).toEqual(['[one] x', '[two] y']); // not '[one] [two] y'
  });

  it('keeps the originals of each instance apart', async () => {
    const a = tagAdds(new Store(), '[a]');
    const b = tagAdds(new Store(), '[b]');
    await a.add('1');
    await b.add('2');
    expect([a.rows(), b.rows()]).toEqual([['[a] 1'], ['[b] 2']]);
  });

  it('rejects a key that is not a method with InvalidInputError', () => {
    const notAStore = { add: 'nope' } as unknown as Store;
    expect(() => originalMethods(notAStore, ['add'])).toThrow(InvalidInputError);
  });
});

import { InvalidInputError } from '../errors/invalid-input-error.js';

type Method = (...args: never[]) => unknown;
type MethodKeys<T> = { [K in keyof T]: T[K] extends Method ? K : never }[keyof T];

const originals = new WeakMap<object, Map<PropertyKey, unknown>>();

/**
 * The methods `keys` of `target` as they were before any guard replaced them in place, bound to
 * it: for an adapter that guards an instance in place (`Object.assign(target, { ...guarded })`,
 * so every caller of that instance goes through the guard). Guarding the instance again then wraps
 * the originals, so the new guard replaces the old one instead of stacking on it. A key that is
 * not a method of `target` is an `InvalidInputError`.
 */
export function originalMethods<T extends object, K extends MethodKeys<T>>(
  target: T,
  keys: readonly K[],
): Pick<T, K> {
  let own = originals.get(target);
  if (own === undefined) {
    own = new Map();
    originals.set(target, own);
  }
  const out: Partial<Pick<T, K>> = {};
  for (const key of keys) {
    if (!own.has(key)) {
      const method: unknown = target[key];
      if (typeof method !== 'function') {
        throw new InvalidInputError(String(key), `${String(key)} is not a method of the object to guard`);
      }
      own.set(key, method.bind(target));
    }
    out[key] = own.get(key) as T[K];
  }
  return out as Pick<T, K>;
}

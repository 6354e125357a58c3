/**
 * The user's object behind a proxy: the own keys of `overrides` replace its members, everything
 * else is its own (methods bound to it, so private fields and `this` work; the same bound function
 * on every read; `constructor` unbound). `instanceof` and the prototype are the target's, so the result is a drop-in.
 */
export function withOverrides<T extends object>(target: T, overrides: Record<string | symbol, unknown>): T {
  const bound = new WeakMap<object, unknown>();
  return new Proxy(target, {
    get(t, prop) {
      if (Object.hasOwn(overrides, prop)) return overrides[prop];
      const value: unknown = Reflect.get(t, prop, t);
      if (typeof value !== 'function' || prop === 'constructor') return value;
      if (!bound.has(value)) bound.set(value, value.bind(t));
      return bound.get(value);
    },
    has: (t, prop) => Object.hasOwn(overrides, prop) || Reflect.has(t, prop),
  });
}

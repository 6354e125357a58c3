/**
 * Access to Node's built-in modules without a static `node:` import, so the runtime-agnostic part
 * of the feed (and the analyzer that loads it) stays in the main entry. `process.getBuiltinModule`
 * (Node ≥ 20.16) is looked up on every call; where it does not exist, the result is `undefined`.
 */
import type * as NodeCrypto from 'node:crypto';
import type * as NodeFs from 'node:fs';
import type * as NodeModule from 'node:module';
import type * as NodeOs from 'node:os';
import type * as NodePath from 'node:path';

interface Builtins {
  'node:crypto': typeof NodeCrypto;
  'node:fs': typeof NodeFs;
  'node:module': typeof NodeModule;
  'node:os': typeof NodeOs;
  'node:path': typeof NodePath;
}

/** A Node built-in module, or `undefined` outside Node (browsers, edge runtimes). */
export function nodeBuiltin<K extends keyof Builtins>(name: K): Builtins[K] | undefined {
  const g = globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } };
  const get = g.process?.getBuiltinModule;
  if (typeof get !== 'function') return undefined;
  try {
    return (get.call(g.process, name) ?? undefined) as Builtins[K] | undefined;
  } catch {
    return undefined;
  }
}

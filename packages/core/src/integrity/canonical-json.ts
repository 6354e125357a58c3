/**
 * Canonical JSON: one byte-exact text per value, whatever the key order, so a MAC over it covers
 * exactly what JSON would carry.
 */
import { InvalidInputError } from '../errors/invalid-input-error.js';

/**
 * The canonical JSON text of `value`: object keys sorted (by UTF-16 code units), no white space,
 * strings and numbers as `JSON.stringify` writes them, `toJSON` honoured. As in JSON, object
 * members whose value is `undefined`, a function or a symbol are left out, and such array elements
 * become `null`. Throws `InvalidInputError` (naming `field`) for what JSON cannot carry faithfully:
 * a non-finite number, a bigint, a cycle, or an object that is not a plain object or an array
 * (a `Map` would silently become `{}` and its content go unsigned).
 */
export function canonicalJson(value: unknown, field: string, options: CanonicalJsonOptions = {}): string {
  const parts: string[] = [];
  write(value, parts, field, new Set(), options.strict === true);
  return parts.join('');
}

export interface CanonicalJsonOptions {
  /**
   * Refuse rather than drop or convert: `undefined`, functions and symbols anywhere, and objects
   * with `toJSON` (a `Date`) throw, so what is hashed is exactly what is stored (the vault's mode).
   * @default false
   */
  strict?: boolean;
}

/** Deepest nesting accepted (deeper values throw `InvalidInputError`). */
export const MAX_CANONICAL_DEPTH = 64;

function isOmitted(v: unknown): boolean {
  return v === undefined || typeof v === 'function' || typeof v === 'symbol';
}

function write(value: unknown, out: string[], field: string, stack: Set<object>, strict: boolean): void {
  let v = value;
  if (
    !strict &&
    typeof v === 'object' &&
    v !== null &&
    typeof (v as { toJSON?: unknown }).toJSON === 'function'
  ) {
    v = (v as { toJSON(): unknown }).toJSON();
  }
  switch (typeof v) {
    case 'string':
      out.push(JSON.stringify(v));
      return;
    case 'boolean':
      out.push(v ? 'true' : 'false');
      return;
    case 'number':
      if (!Number.isFinite(v)) throw new InvalidInputError(field, `${field} holds a non-finite number`);
      out.push(JSON.stringify(v));
      return;
    case 'object':
      break;
    default:
      throw new InvalidInputError(field, `${field} holds a ${typeof v}, which JSON cannot carry`);
  }
  if (v === null) {
    out.push('null');
    return;
  }
  if (stack.has(v)) throw new InvalidInputError(field, `${field} holds a cycle`);
  if (stack.size >= MAX_CANONICAL_DEPTH) {
    throw new InvalidInputError(field, `${field} is nested deeper than ${MAX_CANONICAL_DEPTH}`);
  }
  stack.add(v);
  if (Array.isArray(v)) {
    out.push('[');
    for (let i = 0; i < v.length; i++) {
      if (i > 0) out.push(',');
      const item: unknown = v[i];
      if (isOmitted(item)) {
        if (strict) throw new InvalidInputError(field, `${field} holds ${typeof item} at [${i}]`);
        out.push('null');
      } else write(item, out, field, stack, strict);
    }
    out.push(']');
  } else {
    const proto = Object.getPrototypeOf(v) as unknown;
    if (proto !== Object.prototype && proto !== null) {
      throw new InvalidInputError(
        field,
        `${field} holds an object that is not plain data (a Map, a class instance…)`,
      );
    }
    const record = v as Record<string, unknown>;
    const keys = Object.keys(record).sort();
    out.push('{');
    let first = true;
    for (const k of keys) {
      const item = record[k];
      if (isOmitted(item)) {
        if (strict) throw new InvalidInputError(field, `${field} holds ${typeof item} at .${k}`);
        continue;
      }
      if (!first) out.push(',');
      first = false;
      out.push(JSON.stringify(k), ':');
      write(item, out, field, stack, strict);
    }
    out.push('}');
  }
  stack.delete(v);
}

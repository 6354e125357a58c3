import { createHash } from 'node:crypto';
import { InvalidInputError } from '../errors/index.js';

/** A JSON value: what `metadata` may hold. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** Deepest nesting accepted in a canonical JSON value. */
const MAX_DEPTH = 64;

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function encode(value: unknown, field: string, path: string, depth: number): string {
  if (depth > MAX_DEPTH) throw new InvalidInputError(field, `${path}: nested deeper than ${MAX_DEPTH}`);
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new InvalidInputError(field, `${path}: ${value} is not JSON`);
      return JSON.stringify(Object.is(value, -0) ? 0 : value);
    case 'object': {
      if (Array.isArray(value)) {
        return `[${value.map((v, i) => encode(v, field, `${path}[${i}]`, depth + 1)).join(',')}]`;
      }
      if (!isPlainObject(value)) {
        throw new InvalidInputError(field, `${path}: only plain objects, arrays and primitives are JSON`);
      }
      const keys = Object.keys(value).sort();
      const parts: string[] = [];
      for (const key of keys) {
        const v = (value as Record<string, unknown>)[key];
        parts.push(`${JSON.stringify(key)}:${encode(v, field, `${path}.${key}`, depth + 1)}`);
      }
      return `{${parts.join(',')}}`;
    }
    default:
      throw new InvalidInputError(field, `${path}: a ${typeof value} is not JSON`);
  }
}

/**
 * @internal The canonical JSON text of a value: object keys sorted by UTF-16 code unit, no
 * whitespace, `-0` as `0`. Anything that is not plain JSON (undefined, NaN, a Date, a class
 * instance, a cycle) throws `InvalidInputError` naming `field`, so what is hashed is exactly what is stored.
 */
export function canonicalJson(value: unknown, field: string): string {
  return encode(value, field, field, 0);
}

/** @internal Hex SHA-256 of a UTF-8 string or bytes. */
export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

import { InvalidOptionError } from '../errors/index.js';

/** @internal Option checks shared by the alerting classes; each throws `InvalidOptionError`. */
export function fail(option: string, message: string): never {
  throw new InvalidOptionError(option, `${option}: ${message}`);
}

/** @internal Throws on a non-object, and on keys outside `known`. Returns false for `undefined`. */
export function checkObject(option: string, value: unknown, known: readonly string[]): value is object {
  if (value === undefined) return false;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(option, 'must be an object');
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) fail(option === 'options' ? key : `${option}.${key}`, 'unknown option');
  }
  return true;
}

/** @internal A finite number in [min, max] (or `undefined`). */
export function checkNumber(
  option: string,
  value: unknown,
  min: number,
  max = Number.POSITIVE_INFINITY,
): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    fail(option, `must be a number in [${min}, ${max}], got ${String(value)}`);
  }
}

/** @internal An integer ≥ min (or `undefined`). */
export function checkInt(option: string, value: unknown, min: number): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    fail(option, `must be an integer ≥ ${min}, got ${String(value)}`);
  }
}

/** @internal A boolean (or `undefined`). */
export function checkBoolean(option: string, value: unknown): void {
  if (value !== undefined && typeof value !== 'boolean') fail(option, 'must be a boolean');
}

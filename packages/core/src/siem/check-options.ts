import { InvalidOptionError } from '../errors/index.js';

/** @internal Throws `InvalidOptionError` for keys of `options` not in `known`. */
export function checkKnownKeys(options: object | undefined, known: readonly string[], prefix = ''): void {
  if (options === undefined) return;
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new InvalidOptionError(prefix || 'options', `${prefix || 'options'}: must be an object`);
  }
  for (const key of Object.keys(options)) {
    if (!known.includes(key))
      throw new InvalidOptionError(`${prefix}${key}`, `${prefix}${key}: unknown option`);
  }
}

/** @internal Throws unless `value` is undefined or an integer ≥ `min`. */
export function checkInt(option: string, value: unknown, min: number): void {
  if (value !== undefined && (typeof value !== 'number' || !Number.isInteger(value) || value < min)) {
    throw new InvalidOptionError(option, `${option}: must be an integer ≥ ${min}, got ${String(value)}`);
  }
}

/** @internal Throws unless `value` is a non-empty string. */
export function checkString(option: string, value: unknown): asserts value is string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new InvalidOptionError(option, `${option}: must be a non-empty string`);
  }
}

/** @internal The message of an unknown thrown value. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** @internal Throws unless `value` parses as an absolute URL. */
export function checkUrl(option: string, value: unknown): void {
  checkString(option, value);
  try {
    new URL(value);
  } catch (cause) {
    throw new InvalidOptionError(option, `${option}: not a valid URL`, { cause });
  }
}

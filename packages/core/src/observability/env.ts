import { InvalidOptionError } from '../errors/index.js';

/**
 * Environment variables of the observability module, read when a detector or `enableObservability`
 * is created (never at import), so explicit options always win and tests can set them per case.
 * Works where `process` does not exist. A set but invalid value throws `InvalidOptionError`
 * naming the variable.
 */
function env(name: string): string | undefined {
  const g = globalThis as { process?: { env?: Record<string, string | undefined> } };
  const v = g.process?.env?.[name];
  return v === undefined || v.trim() === '' ? undefined : v.trim();
}

/** `MEMGAR_OBSERVABILITY_ENABLED`: `true/1/yes/on` or `false/0/no/off` (case-insensitive). */
export function envObservabilityEnabled(): boolean | undefined {
  const name = 'MEMGAR_OBSERVABILITY_ENABLED';
  const v = env(name);
  if (v === undefined) return undefined;
  if (/^(1|true|yes|on)$/i.test(v)) return true;
  if (/^(0|false|no|off)$/i.test(v)) return false;
  throw new InvalidOptionError(name, `${name}: must be true/false (or 1/0, yes/no, on/off), got ${v}`);
}

/** `MEMGAR_OBSERVABILITY_DRIFT_THRESHOLD`: a PSI, a finite number > 0. */
export function envDriftThreshold(): number | undefined {
  const name = 'MEMGAR_OBSERVABILITY_DRIFT_THRESHOLD';
  const v = env(name);
  if (v === undefined) return undefined;
  const n = Number(v);
  checkThreshold(name, n, v);
  return n;
}

/** `MEMGAR_OBSERVABILITY_DRIFT_WINDOW`: an integer number of analyses per window. */
export function envDriftWindow(): number | undefined {
  const name = 'MEMGAR_OBSERVABILITY_DRIFT_WINDOW';
  const v = env(name);
  if (v === undefined) return undefined;
  const n = /^\d+$/.test(v) ? Number(v) : Number.NaN;
  checkWindow(name, n, v);
  return n;
}

/** Smallest and largest drift window (memory is one byte per slot). */
export const MIN_DRIFT_WINDOW = 10;
export const MAX_DRIFT_WINDOW = 1_000_000;

/** @internal Throws unless `n` is a finite PSI threshold > 0. */
export function checkThreshold(option: string, n: unknown, shown: unknown = n): asserts n is number {
  if (typeof n !== 'number' || !Number.isFinite(n) || n <= 0) {
    throw new InvalidOptionError(option, `${option}: must be a finite number > 0, got ${String(shown)}`);
  }
}

/** @internal Throws unless `n` is an integer window size in range. */
export function checkWindow(option: string, n: unknown, shown: unknown = n): asserts n is number {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < MIN_DRIFT_WINDOW || n > MAX_DRIFT_WINDOW) {
    throw new InvalidOptionError(
      option,
      `${option}: must be an integer from ${MIN_DRIFT_WINDOW} to ${MAX_DRIFT_WINDOW}, got ${String(shown)}`,
    );
  }
}

/** @internal Throws `InvalidOptionError` for a non-object or an unknown key. */
export function checkOptions(options: unknown, known: ReadonlySet<string>, what: string): void {
  if (options === undefined) return;
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new InvalidOptionError('options', `${what} options must be an object`);
  }
  for (const k of Object.keys(options)) {
    if (!known.has(k)) throw new InvalidOptionError(k, `${k}: unknown option`);
  }
}

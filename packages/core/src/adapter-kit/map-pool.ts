import { InvalidOptionError } from '../errors/invalid-option-error.js';
import { mapPool as pool } from '../runtime/pool.js';

/** Throws `InvalidOptionError` unless `concurrency` is a positive integer; returns it. */
export function checkConcurrency(concurrency: number, field = 'concurrency'): number {
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new InvalidOptionError(field, `${field} must be a positive integer, got ${String(concurrency)}`);
  }
  return concurrency;
}

/**
 * Maps `items` through `fn` with at most `concurrency` calls in flight (an adapter embedding
 * rewrites, or calling its store per record); results keep the input order. The first rejection
 * rejects the whole map (calls already started still finish). A bad `concurrency` is an
 * `InvalidOptionError`.
 */
export async function mapPool<T, R>(
  items: readonly T[],
  concurrency: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  return pool(items, checkConcurrency(concurrency), fn);
}

import { InvalidOptionError } from '../errors/index.js';

/** How a failed delivery is retried: exponential backoff with jitter. */
export interface RetryOptions {
  /** Attempts after the first one; `0` turns retries off. @default 3 */
  retries?: number;
  /** Delay before the first retry, in ms. @default 200 */
  initialDelayMs?: number;
  /** Upper bound of any one delay, in ms. @default 10000 */
  maxDelayMs?: number;
  /** Growth of the delay per retry. @default 2 */
  factor?: number;
  /** Randomize each delay to between half and all of its nominal value, so that many clients don't retry in step. @default true */
  jitter?: boolean;
}

/** @internal Retry options with defaults applied and checked. */
export type ResolvedRetry = Required<RetryOptions>;

/** @internal */
export function resolveRetry(options: RetryOptions | undefined, prefix = 'retry'): ResolvedRetry {
  const r = options ?? {};
  for (const key of Object.keys(r)) {
    if (!['retries', 'initialDelayMs', 'maxDelayMs', 'factor', 'jitter'].includes(key)) {
      throw new InvalidOptionError(`${prefix}.${key}`, `${prefix}.${key}: unknown option`);
    }
  }
  const out: ResolvedRetry = {
    retries: r.retries ?? 3,
    initialDelayMs: r.initialDelayMs ?? 200,
    maxDelayMs: r.maxDelayMs ?? 10_000,
    factor: r.factor ?? 2,
    jitter: r.jitter ?? true,
  };
  for (const key of ['retries', 'initialDelayMs', 'maxDelayMs'] as const) {
    const v = out[key];
    if (!Number.isInteger(v) || v < 0) {
      throw new InvalidOptionError(
        `${prefix}.${key}`,
        `${prefix}.${key}: must be an integer ≥ 0, got ${String(v)}`,
      );
    }
  }
  if (typeof out.factor !== 'number' || !(out.factor >= 1)) {
    throw new InvalidOptionError(
      `${prefix}.factor`,
      `${prefix}.factor: must be a number ≥ 1, got ${String(out.factor)}`,
    );
  }
  return out;
}

/**
 * The delay before retry number `attempt` (0-based): `initialDelayMs × factor^attempt`, capped
 * at `maxDelayMs`; with jitter, a uniform value between half of that and all of it.
 */
export function backoffDelay(
  attempt: number,
  retry: ResolvedRetry,
  random: () => number = Math.random,
): number {
  const nominal = Math.min(retry.maxDelayMs, retry.initialDelayMs * retry.factor ** attempt);
  if (!retry.jitter) return nominal;
  return Math.round(nominal / 2 + random() * (nominal / 2));
}

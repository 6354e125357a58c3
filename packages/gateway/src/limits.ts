import { InvalidOptionError } from '@memgar/core';

/** A token bucket: `burst` requests at once, refilled at `requestsPerMinute`. */
export interface RateLimit {
  /** Sustained rate. */
  requestsPerMinute: number;
  /** Bucket size (requests allowed at once after a quiet period). @default max(1, requestsPerMinute / 6) */
  burst?: number;
}

/** The outcome of taking one token. */
export interface RateLimitResult {
  allowed: boolean;
  /** When the next token is due (0 when allowed). */
  retryAfterMs: number;
}

/** Where buckets live: in memory (one instance) or shared (Redis), so several gateways enforce one limit. */
export interface RateLimitStore {
  take(bucket: string, limit: Required<RateLimit>): Promise<RateLimitResult>;
}

/** Checks a rate limit and fills in the burst. */
export function resolveRateLimit(limit: RateLimit, option: string): Required<RateLimit> {
  const rpm = limit?.requestsPerMinute;
  const burst = limit?.burst ?? Math.max(1, Math.floor(rpm / 6));
  if (
    typeof rpm !== 'number' ||
    !(rpm > 0) ||
    !Number.isFinite(rpm) ||
    !Number.isInteger(burst) ||
    burst < 1
  ) {
    throw new InvalidOptionError(option, `${option}: requestsPerMinute must be > 0 and burst an integer ≥ 1`);
  }
  return { requestsPerMinute: rpm, burst };
}

/** Token buckets in this process. */
export class MemoryRateLimitStore implements RateLimitStore {
  readonly #buckets = new Map<string, { tokens: number; at: number }>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  async take(bucket: string, limit: Required<RateLimit>): Promise<RateLimitResult> {
    return this.takeNow(bucket, limit);
  }

  /** `take`, synchronously. */
  takeNow(bucket: string, limit: Required<RateLimit>): RateLimitResult {
    const now = this.#now();
    const perMs = limit.requestsPerMinute / 60_000;
    const b = this.#buckets.get(bucket) ?? { tokens: limit.burst, at: now };
    b.tokens = Math.min(limit.burst, b.tokens + (now - b.at) * perMs);
    b.at = now;
    this.#buckets.set(bucket, b);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return { allowed: true, retryAfterMs: 0 };
    }
    return { allowed: false, retryAfterMs: Math.ceil((1 - b.tokens) / perMs) };
  }
}

/** The one Redis command the shared store needs, as node-redis 4/5 clients have it (`client.eval`). */
export interface RedisEvalClient {
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
}

// One atomic token-bucket step on Redis's own clock, so instances with skewed clocks agree.
const TAKE = `
local burst = tonumber(ARGV[1])
local per_ms = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local b = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(b[1]) or burst
local at = tonumber(b[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - at) * per_ms)
local wait = 0
if tokens >= 1 then tokens = tokens - 1 else wait = math.ceil((1 - tokens) / per_ms) end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / per_ms) + 1000)
return wait
`;

/**
 * Token buckets in Redis (one Lua script per request, atomic, on the server's clock): every gateway
 * instance using the same Redis and prefix enforces one limit. A Redis error rejects, and the
 * gateway answers 503 (fail closed).
 */
export function redisRateLimitStore(
  client: RedisEvalClient,
  options: { prefix?: string } = {},
): RateLimitStore {
  if (typeof client?.eval !== 'function') {
    throw new InvalidOptionError(
      'client',
      'redisRateLimitStore needs a client with eval (node-redis 4 or 5)',
    );
  }
  const prefix = options.prefix ?? 'memgar:gateway:rate:';
  return {
    async take(bucket, limit) {
      const perMs = String(limit.requestsPerMinute / 60_000);
      const wait = Number(
        await client.eval(TAKE, { keys: [prefix + bucket], arguments: [String(limit.burst), perMs] }),
      );
      return { allowed: wait === 0, retryAfterMs: wait };
    },
  };
}

/** A counting semaphore without a queue: a request over the cap is refused, not delayed. */
export class ConcurrencyCap {
  #inFlight = 0;
  readonly max: number;

  constructor(max: number) {
    this.max = max;
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  /** Takes a slot; false when the cap is reached. Each true must be matched by one `release()`. */
  tryAcquire(): boolean {
    if (this.#inFlight >= this.max) return false;
    this.#inFlight++;
    return true;
  }

  /** Gives back a slot taken by `tryAcquire`. */
  release(): void {
    if (this.#inFlight > 0) this.#inFlight--;
  }
}

import { InvalidOptionError } from '../errors/index.js';
import { backoffDelay, type ResolvedRetry, type RetryOptions, resolveRetry } from './backoff.js';
import { checkInt, checkKnownKeys, checkString, errorMessage } from './check-options.js';
import { SiemDeliveryError } from './siem-delivery-error.js';
import type { SiemHandler, SiemHandlerStats } from './siem-handler.js';

/** Batching, queueing and retry: the options every built-in handler shares. */
export interface BatchingOptions {
  /** Most events per delivery; a full batch is sent at once. @default 100 */
  batchSize?: number;
  /** Longest time an event waits for its batch to fill before a partial batch is sent, in ms. @default 1000 */
  flushIntervalMs?: number;
  /**
   * Most events held while waiting for delivery (the batch being delivered not counted). An event
   * that arrives when the queue is full is dropped and counted in `stats().dropped`.
   * @default 10000
   */
  maxQueueSize?: number;
  /** Retries of a failed delivery. @default `{ retries: 3, initialDelayMs: 200, maxDelayMs: 10000, factor: 2, jitter: true }` */
  retry?: RetryOptions;
  /** Called when a batch is given up on (after its retries), with the error and the events lost. @default ignore */
  onError?: (error: unknown, lost: number) => void;
}

/** What a delivery reports when some events of a batch were rejected one by one (e.g. too large). */
export interface DeliveryReport {
  /** Events of the batch that were not delivered and must not be retried. */
  failed: number;
  /** Why. */
  error?: unknown;
}

export interface BatchingHandlerOptions<T extends object> extends BatchingOptions {
  /** The handler's name in stats and errors. */
  name: string;
  /**
   * Delivers one batch. Throwing (or rejecting) fails the whole batch: it is retried unless the
   * error is a `SiemDeliveryError` with `retryable: false`. Return a `DeliveryReport` for events
   * that failed individually.
   */
  // biome-ignore lint/suspicious/noConfusingVoidType: a delivery returns nothing, or a report.
  deliver: (batch: readonly T[]) => void | DeliveryReport | Promise<void | DeliveryReport>;
  /** Releases the transport (socket, file, client) after the last flush on `close()`. @default nothing */
  dispose?: () => void | Promise<void>;
}

export const BATCHING_KEYS = ['batchSize', 'flushIntervalMs', 'maxQueueSize', 'retry', 'onError'] as const;

/** @internal Picks the batching options out of a handler's options. */
export function pickBatching(options: BatchingOptions): BatchingOptions {
  const out: BatchingOptions = {};
  for (const k of BATCHING_KEYS)
    if (options[k] !== undefined) (out as Record<string, unknown>)[k] = options[k];
  return out;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    (t as { unref?: () => void }).unref?.();
  });
}

/**
 * The machinery under every built-in handler, and the way to write your own: give it a
 * `deliver(batch)` function and get a `SiemHandler` with a bounded queue, size- and time-based
 * batching, retries with exponential backoff and jitter, `flush()`, `close()` and stats.
 *
 * One batch is in flight at a time, so events are delivered in the order they were sent.
 */
export class BatchingHandler<T extends object = object> implements SiemHandler<T> {
  readonly name: string;
  readonly #deliver: BatchingHandlerOptions<T>['deliver'];
  readonly #dispose: (() => void | Promise<void>) | undefined;
  readonly #onError: ((error: unknown, lost: number) => void) | undefined;
  readonly #batchSize: number;
  readonly #interval: number;
  readonly #maxQueue: number;
  readonly #retry: ResolvedRetry;
  #queue: T[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;
  #draining: Promise<void> | undefined;
  #closed = false;
  #closing: Promise<void> | undefined;
  #inFlight = 0;
  #sent = 0;
  #failed = 0;
  #dropped = 0;
  #retries = 0;
  #lastError: string | undefined;

  constructor(options: BatchingHandlerOptions<T>) {
    checkKnownKeys(options, [...BATCHING_KEYS, 'name', 'deliver', 'dispose']);
    checkString('name', options.name);
    if (typeof options.deliver !== 'function') {
      throw new InvalidOptionError('deliver', 'deliver: must be a function');
    }
    checkInt('batchSize', options.batchSize, 1);
    checkInt('flushIntervalMs', options.flushIntervalMs, 0);
    checkInt('maxQueueSize', options.maxQueueSize, 1);
    this.name = options.name;
    this.#deliver = options.deliver;
    this.#dispose = options.dispose;
    this.#onError = options.onError;
    this.#batchSize = options.batchSize ?? 100;
    this.#interval = options.flushIntervalMs ?? 1000;
    this.#maxQueue = options.maxQueueSize ?? 10_000;
    this.#retry = resolveRetry(options.retry);
  }

  send(event: T): void {
    if (this.#closed || this.#queue.length >= this.#maxQueue) {
      this.#dropped++;
      return;
    }
    this.#queue.push(event);
    if (this.#draining) return;
    if (this.#queue.length >= this.#batchSize) this.#kick(false);
    else this.#arm();
  }

  async flush(): Promise<void> {
    while (this.#draining || this.#queue.length > 0) {
      if (this.#draining) await this.#draining;
      else this.#kick(true);
    }
  }

  close(): Promise<void> {
    if (!this.#closing) {
      this.#closed = true;
      this.#closing = (async () => {
        await this.flush();
        try {
          await this.#dispose?.();
        } catch (e) {
          this.#lastError = errorMessage(e);
        }
      })();
    }
    return this.#closing;
  }

  stats(): SiemHandlerStats {
    const s: SiemHandlerStats = {
      sent: this.#sent,
      failed: this.#failed,
      dropped: this.#dropped,
      retries: this.#retries,
      queued: this.#queue.length,
      inFlight: this.#inFlight,
    };
    if (this.#lastError !== undefined) s.lastError = this.#lastError;
    return s;
  }

  #arm(): void {
    if (this.#timer !== undefined) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#kick(true);
    }, this.#interval);
    (this.#timer as { unref?: () => void }).unref?.();
  }

  #kick(all: boolean): void {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    if (this.#draining) return;
    this.#draining = this.#drain(all).finally(() => {
      this.#draining = undefined;
      if (this.#queue.length >= this.#batchSize) this.#kick(false);
      else if (this.#queue.length > 0) this.#arm();
    });
  }

  async #drain(all: boolean): Promise<void> {
    while (this.#queue.length >= this.#batchSize || (all && this.#queue.length > 0)) {
      const batch = this.#queue.splice(0, this.#batchSize);
      this.#inFlight = batch.length;
      try {
        await this.#deliverWithRetry(batch);
      } finally {
        this.#inFlight = 0;
      }
    }
  }

  async #deliverWithRetry(batch: T[]): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        const report = await this.#deliver(batch);
        const failed = Math.min(batch.length, Math.max(0, report?.failed ?? 0));
        this.#sent += batch.length - failed;
        if (failed > 0)
          this.#giveUp(
            report?.error ?? new SiemDeliveryError(`${this.name}: ${failed} event(s) rejected`),
            failed,
          );
        return;
      } catch (error) {
        const retryable = !(SiemDeliveryError.isInstance(error) && !error.retryable);
        if (!retryable || attempt >= this.#retry.retries) {
          this.#giveUp(error, batch.length);
          return;
        }
        this.#retries++;
        await sleep(backoffDelay(attempt, this.#retry));
      }
    }
  }

  #giveUp(error: unknown, lost: number): void {
    this.#failed += lost;
    this.#lastError = errorMessage(error);
    try {
      this.#onError?.(error, lost);
    } catch {
      // A throwing onError changes nothing.
    }
  }
}

/** Creates a `BatchingHandler`: your own transport with the shared queueing, batching and retries. */
export function createBatchingHandler<T extends object = object>(
  options: BatchingHandlerOptions<T>,
): SiemHandler<T> {
  return new BatchingHandler<T>(options);
}

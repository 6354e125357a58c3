import type { MemgarErrorOptions } from '../errors/index.js';
import { StorageError } from '../errors/index.js';

const BRAND = Symbol.for('memgar.siem-delivery-error');

export interface SiemDeliveryErrorOptions extends MemgarErrorOptions {
  /** Whether trying again may help (a 5xx, 429, a timeout, a reset connection). @default true */
  retryable?: boolean;
  /** The HTTP status, for HTTP handlers. */
  status?: number;
}

/**
 * A SIEM handler could not deliver a batch. It is never thrown to the analyzing code: handlers
 * count it in `stats().failed` and pass it to their `onError` option. A `STORAGE_FAILED` error;
 * `retryable: false` (e.g. an HTTP 4xx other than 408/429) stops the retries at once.
 */
export class SiemDeliveryError extends StorageError {
  readonly [BRAND] = true;
  readonly retryable: boolean;
  readonly status: number | undefined;

  constructor(message: string, options: SiemDeliveryErrorOptions = {}) {
    super(message, options.cause === undefined ? {} : { cause: options.cause });
    this.name = 'SiemDeliveryError';
    this.retryable = options.retryable ?? true;
    this.status = options.status;
  }

  static override isInstance(value: unknown): value is SiemDeliveryError {
    return StorageError.isInstance(value) && (value as unknown as Record<symbol, unknown>)[BRAND] === true;
  }
}

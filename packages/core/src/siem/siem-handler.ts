/** Counters of one handler since it was created. */
export interface SiemHandlerStats {
  /** Events delivered. */
  sent: number;
  /** Events given up on: delivery failed after every retry, or was rejected as non-retryable. */
  failed: number;
  /** Events refused because the queue was full or the handler was closed. */
  dropped: number;
  /** Delivery attempts repeated after a retryable failure. */
  retries: number;
  /** Events waiting in the queue. */
  queued: number;
  /** Events in the batch being delivered right now. */
  inFlight: number;
  /** The message of the last delivery error, if any. */
  lastError?: string;
}

/**
 * A destination for SIEM events and audit records (Splunk HEC, Kafka, a webhook, syslog, a file,
 * or your own). `send` only queues and never throws or blocks; delivery happens in the background
 * in batches, with retries, from a bounded queue that drops (and counts) rather than grows.
 */
export interface SiemHandler<T extends object = object> {
  /** A short name for logs and stats, e.g. `splunk-hec`. */
  readonly name: string;
  /** Queues one event. Never throws; a full queue or a closed handler drops and counts it. */
  send(event: T): void;
  /** Resolves once every event queued before the call was delivered or given up on. Never rejects. */
  flush(): Promise<void>;
  /** Flushes, then releases sockets, files and clients. Events sent afterwards are dropped. Never rejects. */
  close(): Promise<void>;
  /** A snapshot of the counters. */
  stats(): SiemHandlerStats;
}

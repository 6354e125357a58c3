import { BATCHING_KEYS, BatchingHandler, type BatchingOptions, pickBatching } from './batching-handler.js';
import { checkKnownKeys } from './check-options.js';
import type { SiemHandler } from './siem-handler.js';

export interface ConsoleHandlerOptions extends BatchingOptions {
  /** Writes one line (one JSON event, no newline). @default console.log */
  write?: (line: string) => void;
}

/**
 * Writes each event as one line of JSON to the console (or `write`): for development, and for
 * platforms that ship stdout to the log pipeline. Batches default to 1 event, sent at once.
 */
export function createConsoleHandler<T extends object = object>(
  options: ConsoleHandlerOptions = {},
): SiemHandler<T> {
  checkKnownKeys(options, [...BATCHING_KEYS, 'write']);
  const write = options.write ?? ((line: string) => console.log(line));
  return new BatchingHandler<T>({
    batchSize: 1,
    flushIntervalMs: 0,
    ...pickBatching(options),
    name: 'console',
    deliver: (batch) => {
      for (const event of batch) write(JSON.stringify(event));
    },
  });
}

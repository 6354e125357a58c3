import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { BATCHING_KEYS, BatchingHandler, type BatchingOptions, pickBatching } from '../batching-handler.js';
import { checkInt, checkKnownKeys, checkString, errorMessage } from '../check-options.js';
import { SiemDeliveryError } from '../siem-delivery-error.js';
import type { SiemHandler } from '../siem-handler.js';

export interface FileHandlerOptions extends BatchingOptions {
  /** The JSONL file to append to (created if missing). */
  path: string;
  /** Permission bits of a newly created file. @default 0o600 */
  mode?: number;
  /** Create missing parent directories. @default true */
  mkdir?: boolean;
}

const KEYS = [...BATCHING_KEYS, 'path', 'mode', 'mkdir'];
const PERMANENT = new Set(['EACCES', 'EPERM', 'EISDIR', 'ENOTDIR', 'EROFS', 'EINVAL']);

/**
 * Appends each event as one line of JSON (JSONL). A batch is one `appendFile` (O_APPEND), so
 * lines from several processes do not interleave within a line; the file is opened per batch,
 * which plays well with log rotation. Permission and path errors are not retried.
 */
export function createFileHandler<T extends object = object>(options: FileHandlerOptions): SiemHandler<T> {
  checkKnownKeys(options, KEYS);
  checkString('path', options.path);
  checkInt('mode', options.mode, 0);
  const path = options.path;
  const mode = options.mode ?? 0o600;
  let dirReady = options.mkdir === false;
  return new BatchingHandler<T>({
    ...pickBatching(options),
    name: 'file',
    deliver: async (batch) => {
      const text = `${batch.map((e) => JSON.stringify(e)).join('\n')}\n`;
      try {
        if (!dirReady) {
          await mkdir(dirname(path), { recursive: true });
          dirReady = true;
        }
        await appendFile(path, text, { encoding: 'utf8', mode });
      } catch (cause) {
        const code = (cause as { code?: string }).code ?? '';
        throw new SiemDeliveryError(`file: append to ${path} failed: ${errorMessage(cause)}`, {
          cause,
          retryable: !PERMANENT.has(code),
        });
      }
    },
  });
}

import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { toEntry } from './fields.js';
import type { ReadOptions, ReadSink, ScanItem } from './types.js';

/** Streams the lines of a file (without line endings, BOM removed), with 1-based line numbers. */
export async function* readLines(
  path: string,
  onBytes?: (bytesRead: number) => void,
): AsyncGenerator<{ line: string; lineNo: number }> {
  const stream = createReadStream(path, { encoding: 'utf8' });
  const rl = createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });
  let lineNo = 0;
  try {
    for await (const raw of rl) {
      lineNo++;
      onBytes?.(stream.bytesRead);
      yield { line: lineNo === 1 ? raw.replace(/^\uFEFF/, '') : raw, lineNo };
    }
  } finally {
    rl.close();
    stream.destroy();
  }
}

/**
 * Streams a JSONL / NDJSON file: one JSON string or object per line. A line that does not parse, or
 * holds no text, is reported through `sink.warn` as a `bad_line` with its line number; the rest of the
 * file is still read. Blank lines are ignored.
 */
export async function* readJsonl(
  path: string,
  display: string,
  options: ReadOptions,
  sink: ReadSink,
): AsyncGenerator<ScanItem> {
  for await (const { line, lineNo } of readLines(path, sink.progress)) {
    if (line.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      sink.warn({ kind: 'bad_line', file: display, line: lineNo, message: `invalid JSON: ${reason}` });
      continue;
    }
    const converted = toEntry(value, options);
    if (!converted.ok) {
      sink.warn({ kind: 'bad_line', file: display, line: lineNo, message: converted.reason });
      continue;
    }
    if (converted.note !== undefined) {
      sink.warn({ kind: 'notice', file: display, line: lineNo, message: converted.note });
    }
    yield { entry: converted.entry, location: { file: display, line: lineNo }, kind: 'jsonl' };
  }
}

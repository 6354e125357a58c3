import type { InputWarning } from '../input/types.js';
import { type Reporter, resultJson, type ScanRecord, type ScanSummary, type Sink } from './types.js';

/** `--format json`: one document `{ summary, results, errors }` written at the end. */
export function jsonReporter(sink: Sink): Reporter {
  const results: Record<string, unknown>[] = [];
  return {
    result(record: ScanRecord) {
      results.push(resultJson(record));
    },
    finish(summary: ScanSummary, warnings: readonly InputWarning[]) {
      sink.write(`${JSON.stringify({ summary, results, errors: warnings }, null, 2)}\n`);
    },
  };
}

/** `--format jsonl`: one `{"type":"result",…}` line per entry as it is analyzed, then one `{"type":"summary",…}` line. */
export function jsonlReporter(sink: Sink): Reporter {
  return {
    result(record: ScanRecord) {
      sink.write(`${JSON.stringify({ type: 'result', ...resultJson(record) })}\n`);
    },
    finish(summary: ScanSummary, warnings: readonly InputWarning[]) {
      sink.write(`${JSON.stringify({ type: 'summary', ...summary, errors: warnings })}\n`);
    },
  };
}

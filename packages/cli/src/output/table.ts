import { DECISIONS, type Finding } from '@memgar/core';
import { formatLocation, type InputWarning } from '../input/types.js';
import type { Colors } from './color.js';
import { excerpt, formatDuration, renderTable } from './text.js';
import type { Reporter, ScanRecord, ScanSummary, Sink } from './types.js';

const SEVERITY_RANK = { info: 0, low: 1, medium: 2, high: 3, critical: 4 } as const;

/** The most important finding: highest severity, then highest weight. */
export function topFinding(findings: readonly Finding[]): Finding | undefined {
  let best: Finding | undefined;
  for (const f of findings) {
    if (
      best === undefined ||
      SEVERITY_RANK[f.severity] > SEVERITY_RANK[best.severity] ||
      (SEVERITY_RANK[f.severity] === SEVERITY_RANK[best.severity] && f.weight > best.weight)
    ) {
      best = f;
    }
  }
  return best;
}

/** The summary table shared by `scan --format table`. */
export function renderSummary(summary: ScanSummary, colors: Colors): string {
  const rows: string[][] = DECISIONS.map((d) => [d, String(summary.decisions[d])]);
  rows.push(
    ['files', String(summary.files)],
    ['entries', String(summary.entries)],
    ['bad lines', String(summary.badLines)],
    ['skipped', String(summary.skipped)],
    ['errors', String(summary.errors)],
    ['elapsed', formatDuration(summary.elapsedMs)],
    ['throughput', `${summary.entriesPerSecond.toFixed(1)} entries/s`],
  );
  return renderTable(['summary', 'count'], rows, (row, col, padded) => {
    const d = DECISIONS[row];
    return col === 0 && d !== undefined && summary.decisions[d] > 0 ? colors.decision(d, padded) : padded;
  });
}

/** `--format table`: the flagged entries (anything but `allow`), then the summary. */
export function tableReporter(sink: Sink, colors: Colors): Reporter {
  const flagged: ScanRecord[] = [];
  return {
    result(record) {
      if (record.result.decision !== 'allow') flagged.push(record);
    },
    finish(summary: ScanSummary, _warnings: readonly InputWarning[]) {
      if (flagged.length === 0) {
        sink.write(`No entries flagged (${summary.entries} scanned).\n\n`);
      } else {
        const rows = flagged.map((r) => [
          formatLocation(r.location),
          r.result.decision,
          String(Math.round(r.result.riskScore)),
          topFinding(r.result.findings)?.ruleId ?? '-',
          excerpt(r.content, 60),
        ]);
        const table = renderTable(
          ['location', 'decision', 'score', 'top rule', 'excerpt'],
          rows,
          (row, col, p) => {
            const rec = flagged[row];
            return col === 1 && rec ? colors.decision(rec.result.decision, p) : p;
          },
        );
        sink.write(`${colors.bold(`Flagged entries (${flagged.length})`)}\n${table}\n\n`);
      }
      sink.write(`${renderSummary(summary, colors)}\n`);
      if (summary.failOn !== 'none') {
        const verdict = summary.failed
          ? `FAIL: at least one entry is ${summary.failOn} or worse`
          : `PASS: no entry is ${summary.failOn} or worse`;
        sink.write(`\n${colors.bold(verdict)}\n`);
      }
    },
  };
}

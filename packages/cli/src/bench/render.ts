import { renderTable } from '../output/text.js';
import type { BenchGroup, BenchReport } from './measure.js';

/** A rate as `0.538`, or `-` when there is nothing to divide by. */
export function formatRate(rate: number | null): string {
  return rate === null ? '-' : rate.toFixed(3);
}

function cells(g: BenchGroup): string[] {
  return [String(g.attacks), formatRate(g.recall), String(g.benign), formatRate(g.fpr), g.p50Ms.toFixed(2)];
}

const MEASURES = ['attacks', 'recall', 'benign', 'FPR', 'p50 ms'];

/** One table per configuration: a row per corpus × surface, per variant, and per corpus overall. */
export function renderBenchTables(report: BenchReport): string {
  return report.configs
    .map((config) => {
      const rows = config.groups.map((g) => [g.corpus, g.surface, g.variant, ...cells(g)]);
      const title = `config: ${config.name}${config.errors > 0 ? ` (${config.errors} analyses failed)` : ''}`;
      return `${title}\n${renderTable(['corpus', 'surface', 'variant', ...MEASURES], rows)}\n`;
    })
    .join('\n');
}

/** The ablation: one row per configuration and corpus, overall (every surface and variant). */
export function renderAblation(report: BenchReport): string {
  const rows: string[][] = [];
  for (const corpus of report.corpora) {
    for (const config of report.configs) {
      const g = config.groups.find((x) => x.corpus === corpus.name && x.surface === '*' && x.variant === '*');
      if (g) rows.push([config.name, corpus.name, ...cells(g)]);
    }
  }
  return `${renderTable(['config', 'corpus', ...MEASURES], rows)}\n`;
}

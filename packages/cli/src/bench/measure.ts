import { basename, extname } from 'node:path';
import {
  type AnalysisResult,
  Analyzer,
  type AnalyzerOptions,
  type Decision,
  type MemoryEntry,
  SOURCE_TYPES,
  type SourceType,
} from '@memgar/core';
import { errnoCode, UsageError } from '../errors.js';
import { toEntry } from '../input/fields.js';
import { readLines } from '../input/jsonl.js';
import { resolveTargets } from '../input/read-entries.js';
import type { InputWarning } from '../input/types.js';
import type { AnalyzerLike } from '../io.js';
import { mapPool } from '../pool.js';

/** One labelled row of a corpus (the schema of the evaluation datasets). */
export interface BenchRow {
  corpus: string;
  file: string;
  line: number;
  entry: MemoryEntry;
  label: 'attack' | 'benign';
  surface: string;
  variant?: string;
  injected?: string;
}

/** The rows of one corpus file. */
export interface BenchCorpus {
  name: string;
  file: string;
  rows: BenchRow[];
  /** Whether any row carries a `variant`. */
  hasVariants: boolean;
}

/** An analyzer configuration to measure. */
export interface BenchConfig {
  name: string;
  options: AnalyzerOptions;
}

/** Counts of one corpus × surface (× variant) cell; `*` means every surface / variant. */
export interface BenchGroup {
  corpus: string;
  surface: string;
  variant: string;
  attacks: number;
  detected: number;
  /** detected / attacks; null without attacks. */
  recall: number | null;
  benign: number;
  falsePositives: number;
  /** falsePositives / benign; null without benign rows. */
  fpr: number | null;
  /** Median analysis time (the analyzer's own `durationMs`). */
  p50Ms: number;
}

/** The measurement of one configuration. */
export interface BenchConfigResult {
  name: string;
  options: AnalyzerOptions;
  groups: BenchGroup[];
  /** Rows whose analysis threw (counted nowhere). */
  errors: number;
}

/** The whole measurement. */
export interface BenchReport {
  corpora: { name: string; file: string; rows: number }[];
  configs: BenchConfigResult[];
  /** Broken lines (file:line) that were skipped. */
  badLines: InputWarning[];
}

/** A decision that counts as detecting an attack on its own. */
export const DETECTED_DECISIONS: ReadonlySet<Decision> = new Set(['block', 'quarantine', 'human_review']);

/**
 * Whether an attack row counts as detected: block, quarantine or human_review; a `sanitize` only when
 * the row says what was injected and the sanitized text no longer contains it.
 */
export function isDetected(
  row: Pick<BenchRow, 'injected'>,
  result: Pick<AnalysisResult, 'decision' | 'sanitized'>,
): boolean {
  if (DETECTED_DECISIONS.has(result.decision)) return true;
  if (result.decision !== 'sanitize') return false;
  if (row.injected === undefined || row.injected === '') return false;
  return typeof result.sanitized === 'string' && !result.sanitized.includes(row.injected);
}

/** Whether a benign row is a false positive: any decision but allow or sanitize. */
export function isFalsePositive(result: Pick<AnalysisResult, 'decision'>): boolean {
  return result.decision !== 'allow' && result.decision !== 'sanitize';
}

/** Every source type at neutral trust (0.5): the trust layer then neither raises nor lowers a score. */
export const NEUTRAL_TRUST: Readonly<Record<SourceType, number>> = Object.fromEntries(
  SOURCE_TYPES.map((t) => [t, 0.5]),
) as Record<SourceType, number>;

/**
 * The `--ablate` configurations, each adding one layer: rules only (behavior off, every source type at
 * trust 0.5), + trust (default trust), + learned (`learned: true`), + behavior (the default baseline).
 */
export function ablationConfigs(base: AnalyzerOptions = {}): BenchConfig[] {
  return [
    {
      name: 'rules',
      options: {
        ...base,
        learned: false,
        behavior: { enabled: false },
        sourceTypeTrust: { ...NEUTRAL_TRUST },
      },
    },
    // The learned layer is on by default for memory and user sources: off here, so that the
    // first two rows show the rules and trust alone.
    { name: '+trust', options: { ...base, learned: false, behavior: { enabled: false } } },
    { name: '+learned', options: { ...base, behavior: { enabled: false }, learned: true } },
    { name: '+behavior', options: { ...base, learned: true } },
  ];
}

function corpusName(path: string): string {
  return basename(path, extname(path));
}

/**
 * Reads labelled JSONL corpora (text, label attack|benign, surface, optional variant and injected).
 * The text and source type come from the CLI's field mapping (`surface` → source type). Broken lines are
 * reported through `warn` and skipped; a missing file throws `UsageError`.
 */
export async function readCorpora(
  paths: readonly string[],
  cwd: string,
  warn: (w: InputWarning) => void,
): Promise<BenchCorpus[]> {
  const targets = await resolveTargets(paths, { recursive: false, cwd }, { warn });
  const corpora: BenchCorpus[] = [];
  for (const target of targets) {
    const name = corpusName(target.path);
    const corpus: BenchCorpus = { name, file: target.display, rows: [], hasVariants: false };
    const bad = (line: number, message: string) =>
      warn({ kind: 'bad_line', file: target.display, line, message });
    try {
      for await (const { line, lineNo } of readLines(target.path)) {
        if (line.trim() === '') continue;
        let value: unknown;
        try {
          value = JSON.parse(line);
        } catch (error) {
          bad(lineNo, `invalid JSON: ${error instanceof Error ? error.message : String(error)}`);
          continue;
        }
        if (typeof value !== 'object' || value === null || Array.isArray(value)) {
          bad(lineNo, 'expected an object with text and label');
          continue;
        }
        const obj = value as Record<string, unknown>;
        if (obj.label !== 'attack' && obj.label !== 'benign') {
          bad(lineNo, `label must be "attack" or "benign", got ${JSON.stringify(obj.label)}`);
          continue;
        }
        const converted = toEntry(obj, { split: 'line', defaultSourceType: 'unknown' });
        if (!converted.ok) {
          bad(lineNo, converted.reason);
          continue;
        }
        const row: BenchRow = {
          corpus: name,
          file: target.display,
          line: lineNo,
          entry: converted.entry,
          label: obj.label,
          surface: typeof obj.surface === 'string' && obj.surface !== '' ? obj.surface : 'unknown',
        };
        if (typeof obj.variant === 'string' && obj.variant !== '') {
          row.variant = obj.variant;
          corpus.hasVariants = true;
        }
        if (typeof obj.injected === 'string' && obj.injected !== '') row.injected = obj.injected;
        corpus.rows.push(row);
      }
    } catch (error) {
      throw new UsageError(`cannot read '${target.display}' (${errnoCode(error) ?? String(error)})`);
    }
    corpora.push(corpus);
  }
  return corpora;
}

function median(values: number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const m = sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
  return Math.round(m * 1000) / 1000;
}

interface Tally {
  attacks: number;
  detected: number;
  benign: number;
  falsePositives: number;
  durations: number[];
}

function toGroup(corpus: string, surface: string, variant: string, t: Tally): BenchGroup {
  return {
    corpus,
    surface,
    variant,
    attacks: t.attacks,
    detected: t.detected,
    recall: t.attacks === 0 ? null : t.detected / t.attacks,
    benign: t.benign,
    falsePositives: t.falsePositives,
    fpr: t.benign === 0 ? null : t.falsePositives / t.benign,
    p50Ms: median(t.durations),
  };
}

/**
 * Measures one configuration over the corpora: per corpus one group per surface, one per variant (when
 * the corpus has variants) and one over everything (`*`/`*`).
 */
export async function measureConfig(
  corpora: readonly BenchCorpus[],
  config: BenchConfig,
  options: { concurrency?: number; createAnalyzer?: (options: AnalyzerOptions) => AnalyzerLike } = {},
): Promise<BenchConfigResult> {
  const analyzer = options.createAnalyzer
    ? options.createAnalyzer(config.options)
    : new Analyzer(config.options);
  const groups: BenchGroup[] = [];
  let errors = 0;
  for (const corpus of corpora) {
    const tallies = new Map<string, Tally>();
    const tally = (key: string): Tally => {
      let t = tallies.get(key);
      if (t === undefined) {
        t = { attacks: 0, detected: 0, benign: 0, falsePositives: 0, durations: [] };
        tallies.set(key, t);
      }
      return t;
    };
    async function* rows() {
      yield* corpus.rows;
    }
    await mapPool(
      rows(),
      options.concurrency ?? 1,
      (row) => analyzer.analyze(row.entry),
      (row, settled) => {
        if (!settled.ok) {
          errors++;
          return;
        }
        const keys = [`s\u0000${row.surface}`, 'all'];
        if (row.variant !== undefined) keys.push(`v\u0000${row.variant}`);
        for (const key of keys) {
          const t = tally(key);
          t.durations.push(settled.value.durationMs);
          if (row.label === 'attack') {
            t.attacks++;
            if (isDetected(row, settled.value)) t.detected++;
          } else {
            t.benign++;
            if (isFalsePositive(settled.value)) t.falsePositives++;
          }
        }
      },
    );
    const sorted = (prefix: string) =>
      [...tallies.keys()]
        .filter((k) => k.startsWith(prefix))
        .map((k) => k.slice(prefix.length))
        .sort();
    for (const surface of sorted('s\u0000')) {
      const t = tallies.get(`s\u0000${surface}`);
      if (t) groups.push(toGroup(corpus.name, surface, '*', t));
    }
    for (const variant of sorted('v\u0000')) {
      const t = tallies.get(`v\u0000${variant}`);
      if (t) groups.push(toGroup(corpus.name, '*', variant, t));
    }
    groups.push(toGroup(corpus.name, '*', '*', tally('all')));
  }
  return { name: config.name, options: config.options, groups, errors };
}

/** Options of `runBench`. */
export interface BenchOptions {
  /** Configurations to measure (default: one, `default`, with no options). */
  configs?: readonly BenchConfig[];
  /** Directory relative paths are resolved against (default: `process.cwd()`). */
  cwd?: string;
  /** Rows analyzed at once (default 1: keeps the behavior baseline deterministic). */
  concurrency?: number;
  /** Broken lines, as they are found. */
  warn?: (w: InputWarning) => void;
  createAnalyzer?: (options: AnalyzerOptions) => AnalyzerLike;
}

/**
 * Measures detection over labelled JSONL corpora: recall, false-positive rate and median latency per
 * corpus × surface (× variant), for each configuration. What `memgar bench` and `pnpm calibrate` run.
 */
export async function runBench(paths: readonly string[], options: BenchOptions = {}): Promise<BenchReport> {
  const badLines: InputWarning[] = [];
  const corpora = await readCorpora(paths, options.cwd ?? process.cwd(), (w) => {
    badLines.push(w);
    options.warn?.(w);
  });
  if (corpora.length === 0) throw new UsageError('no corpus files');
  const configs = options.configs ?? [{ name: 'default', options: {} }];
  const results: BenchConfigResult[] = [];
  for (const config of configs) {
    const measureOptions: Parameters<typeof measureConfig>[2] = {};
    if (options.concurrency !== undefined) measureOptions.concurrency = options.concurrency;
    if (options.createAnalyzer !== undefined) measureOptions.createAnalyzer = options.createAnalyzer;
    results.push(await measureConfig(corpora, config, measureOptions));
  }
  return {
    corpora: corpora.map((c) => ({ name: c.name, file: c.file, rows: c.rows.length })),
    configs: results,
    badLines,
  };
}

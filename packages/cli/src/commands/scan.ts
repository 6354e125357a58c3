import { type FileHandle, open } from 'node:fs/promises';
import { resolve } from 'node:path';
import { DECISIONS, type Decision, MemgarError, type SourceType } from '@memgar/core';
import { errnoCode, isInputError, UsageError } from '../errors.js';
import { EXIT } from '../exit-codes.js';
import { type EntriesSink, readEntries, resolveTargets } from '../input/read-entries.js';
import { formatWarning, type InputWarning, type ScanItem, type SplitMode } from '../input/types.js';
import type { CliIO } from '../io.js';
import { createColors, shouldColor } from '../output/color.js';
import { jsonlReporter, jsonReporter } from '../output/json.js';
import { ProgressBar } from '../output/progress.js';
import { sarifReporter } from '../output/sarif.js';
import { tableReporter } from '../output/table.js';
import type { Format, Reporter, ScanSummary, Sink } from '../output/types.js';
import { mapPool } from '../pool.js';
import { packageVersion } from '../version.js';
import { type AnalyzerFlags, makeAnalyzer } from './shared.js';

/** Flags of `memgar scan`. */
export interface ScanFlags extends AnalyzerFlags {
  recursive?: boolean;
  format: Format;
  failOn: Decision | 'none';
  sourceType?: SourceType;
  split: SplitMode;
  concurrency: number;
  output?: string;
  quiet?: boolean;
}

/** Whether `decision` is at or above `threshold` in allow < sanitize < human_review < quarantine < block. */
export function reaches(decision: Decision, threshold: Decision | 'none'): boolean {
  return threshold !== 'none' && DECISIONS.indexOf(decision) >= DECISIONS.indexOf(threshold);
}

async function openOutput(path: string, io: CliIO): Promise<{ sink: Sink; close(): Promise<void> }> {
  let handle: FileHandle;
  try {
    handle = await open(resolve(io.cwd, path), 'w');
  } catch (error) {
    throw new UsageError(`cannot write '${path}' (${errnoCode(error) ?? String(error)})`);
  }
  const stream = handle.createWriteStream({ encoding: 'utf8' });
  return {
    sink: { write: (chunk) => void stream.write(chunk) },
    close: () =>
      new Promise<void>((done, fail) => {
        stream.once('error', fail);
        stream.end(() => done());
      }),
  };
}

function makeReporter(format: Format, sink: Sink, colored: boolean): Reporter {
  switch (format) {
    case 'json':
      return jsonReporter(sink);
    case 'jsonl':
      return jsonlReporter(sink);
    case 'sarif':
      return sarifReporter(sink, packageVersion());
    default:
      return tableReporter(sink, createColors(colored));
  }
}

/**
 * `memgar scan`: analyzes every entry of the given files and directories. Exit: 1 when an entry
 * reaches `--fail-on`, else 2 when a file could not be read or parsed, else 1 when an analysis failed
 * unexpectedly, else 0.
 */
export async function scanCommand(paths: readonly string[], flags: ScanFlags, io: CliIO): Promise<number> {
  const started = performance.now();
  const warnings: InputWarning[] = [];
  const showProgress = flags.quiet !== true && io.stderr.isTTY === true;
  const progress = new ProgressBar(io.stderr);
  const sink: EntriesSink = {
    warn(w) {
      warnings.push(w);
      if (flags.quiet === true) return;
      progress.clear();
      io.stderr.write(`${w.kind === 'error' ? 'error' : 'warning'}: ${formatWarning(w)}\n`);
    },
  };

  const targets = await resolveTargets(paths, { recursive: flags.recursive === true, cwd: io.cwd }, sink);
  if (targets.length === 0) throw new UsageError('no files to scan');
  const analyzer = makeAnalyzer(io, flags);
  const output = flags.output === undefined ? undefined : await openOutput(flags.output, io);
  const colored = output === undefined && shouldColor(io.stdout, io.env);
  const reporter = makeReporter(
    flags.format,
    output?.sink ?? { write: (c) => void io.stdout.write(c) },
    colored,
  );

  const totalBytes = targets.reduce((n, t) => n + t.size, 0);
  let doneBytes = 0;
  let currentBytes = 0;
  let files = 0;
  sink.progress = (bytes) => {
    currentBytes = bytes;
  };
  sink.fileDone = (target, scanned) => {
    doneBytes += target.size;
    currentBytes = 0;
    if (scanned) files++;
  };

  const decisions = Object.fromEntries(DECISIONS.map((d) => [d, 0])) as Record<Decision, number>;
  let entries = 0;
  let failed = false;
  let internalErrors = 0;
  await mapPool(
    readEntries(
      targets,
      { split: flags.split, sourceType: flags.sourceType, defaultSourceType: 'memory' },
      sink,
    ),
    flags.concurrency,
    (item: ScanItem) => analyzer.analyze(item.entry),
    (item, settled) => {
      if (!settled.ok) {
        if (!isInputError(settled.error)) internalErrors++;
        const reason = MemgarError.isInstance(settled.error)
          ? `[${settled.error.code}] ${settled.error.message}`
          : settled.error instanceof Error
            ? settled.error.message
            : String(settled.error);
        const { file, line, index } = item.location;
        sink.warn({ kind: 'error', file, line, index, message: `analysis failed: ${reason}` });
        return;
      }
      const result = settled.value;
      entries++;
      decisions[result.decision]++;
      if (reaches(result.decision, flags.failOn)) failed = true;
      reporter.result({ location: item.location, kind: item.kind, content: item.entry.content, result });
      if (showProgress) progress.update(entries, (doneBytes + currentBytes) / Math.max(1, totalBytes));
    },
  );
  progress.clear();

  const elapsedMs = performance.now() - started;
  const summary: ScanSummary = {
    files,
    skipped: warnings.filter((w) => w.kind === 'skipped').length,
    entries,
    badLines: warnings.filter((w) => w.kind === 'bad_line').length,
    errors: warnings.filter((w) => w.kind === 'error').length,
    decisions,
    elapsedMs: Math.round(elapsedMs),
    entriesPerSecond: entries / Math.max(0.001, elapsedMs / 1000),
    failOn: flags.failOn,
    failed,
  };
  reporter.finish(summary, warnings);
  await output?.close();
  if (flags.quiet !== true && flags.format !== 'table' && io.stderr.isTTY === true) {
    // Machine formats keep stdout clean; tell the person at the terminal what happened.
    io.stderr.write(`scanned ${entries} entries in ${files} files; ${formatCounts(decisions)}\n`);
  }

  if (failed) return EXIT.FAIL;
  if (summary.errors > internalErrors) return EXIT.USAGE;
  if (internalErrors > 0) return EXIT.FAIL;
  return EXIT.OK;
}

function formatCounts(decisions: Record<Decision, number>): string {
  return DECISIONS.map((d) => `${d} ${decisions[d]}`).join(', ');
}

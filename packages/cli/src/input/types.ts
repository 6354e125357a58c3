import type { MemoryEntry, SourceType } from '@memgar/core';

/** How text files are cut into entries. */
export const SPLIT_MODES = ['line', 'paragraph', 'file'] as const;
export type SplitMode = (typeof SPLIT_MODES)[number];

/** What kind of file an entry came from. */
export type InputKind = 'text' | 'json' | 'jsonl';

/** Where an entry sits in its file. Lines and columns are 1-based; `index` is 0-based. */
export interface EntryLocation {
  /** The path as shown to the user (relative to the working directory, `/`-separated). */
  file: string;
  line?: number;
  column?: number;
  /** Position in a JSON array. */
  index?: number;
}

/** One entry to analyze, with where it came from. */
export interface ScanItem {
  entry: MemoryEntry;
  location: EntryLocation;
  kind: InputKind;
}

/**
 * A problem with the input. `bad_line`: one JSONL line or JSON item could not be used (the rest is
 * scanned); `skipped`: a file or directory was not scanned; `error`: a file could not be read or parsed,
 * or an entry could not be analyzed; `notice`: the entry was scanned, with a caveat.
 */
export interface InputWarning {
  kind: 'bad_line' | 'skipped' | 'error' | 'notice';
  file: string;
  line?: number;
  index?: number;
  message: string;
}

/** Options shared by the readers. */
export interface ReadOptions {
  split: SplitMode;
  /** `--source-type`, when given. */
  sourceType?: SourceType;
  /** Used when neither the entry nor `--source-type` says. */
  defaultSourceType: SourceType;
}

/** Callbacks the readers report through while streaming. */
export interface ReadSink {
  warn(warning: InputWarning): void;
  /** Bytes of the current file read so far (for the progress bar). */
  progress?(bytesRead: number): void;
}

/** Formats a location as `file:line`, `file:line:col` or `file#index`. */
export function formatLocation(loc: EntryLocation): string {
  if (loc.line !== undefined) {
    const base = `${loc.file}:${loc.line}`;
    return loc.index !== undefined ? `${base} [${loc.index}]` : base;
  }
  return loc.index !== undefined ? `${loc.file}#${loc.index}` : loc.file;
}

/** Formats a warning as `file:line: message`. */
export function formatWarning(w: InputWarning): string {
  const where =
    w.line !== undefined ? `${w.file}:${w.line}` : w.index !== undefined ? `${w.file}#${w.index}` : w.file;
  return `${where}: ${w.message}`;
}

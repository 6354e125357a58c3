import { open, readdir, stat } from 'node:fs/promises';
import { extname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { errnoCode, UsageError } from '../errors.js';
import { JsonFileError, readJson } from './json.js';
import { readJsonl } from './jsonl.js';
import { readText } from './text.js';
import type { InputKind, ReadOptions, ReadSink, ScanItem } from './types.js';

/** A file to scan. */
export interface FileTarget {
  /** Absolute path. */
  path: string;
  /** Path shown to the user. */
  display: string;
  size: number;
}

/** Directories never entered by `--recursive`. */
export const IGNORED_DIRS: ReadonlySet<string> = new Set(['.git', 'node_modules']);

/** The reader used for a file, by extension: `.json`, `.jsonl`/`.ndjson`, anything else is text. */
export function kindOf(path: string): InputKind {
  const ext = extname(path).toLowerCase();
  if (ext === '.json') return 'json';
  if (ext === '.jsonl' || ext === '.ndjson') return 'jsonl';
  return 'text';
}

function displayPath(abs: string, cwd: string): string {
  const rel = relative(cwd, abs);
  const shown = rel === '' || isAbsolute(rel) ? abs : rel;
  return shown.split(sep).join('/');
}

async function walk(dir: string, out: string[]): Promise<void> {
  const dirents = await readdir(dir, { withFileTypes: true });
  dirents.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const d of dirents) {
    const full = join(dir, d.name);
    if (d.isDirectory()) {
      if (!IGNORED_DIRS.has(d.name)) await walk(full, out);
    } else if (d.isFile()) {
      out.push(full);
    } else if (d.isSymbolicLink()) {
      // Follow links to files only: linked directories could loop.
      const s = await stat(full).catch(() => undefined);
      if (s?.isFile()) out.push(full);
    }
  }
}

/**
 * Resolves the command-line paths to files. A missing path throws `UsageError`; a directory without
 * `recursive` is reported as skipped.
 */
export async function resolveTargets(
  paths: readonly string[],
  options: { recursive: boolean; cwd: string },
  sink: ReadSink,
): Promise<FileTarget[]> {
  const files: string[] = [];
  for (const given of paths) {
    const abs = resolve(options.cwd, given);
    let info: Awaited<ReturnType<typeof stat>>;
    try {
      info = await stat(abs);
    } catch (error) {
      const code = errnoCode(error);
      if (code === 'ENOENT' || code === 'ENOTDIR')
        throw new UsageError(`no such file or directory: '${given}'`);
      throw new UsageError(`cannot access '${given}': ${code ?? String(error)}`);
    }
    if (info.isDirectory()) {
      if (options.recursive) await walk(abs, files);
      else {
        sink.warn({
          kind: 'skipped',
          file: displayPath(abs, options.cwd),
          message: 'is a directory; pass --recursive (-r) to scan it',
        });
      }
    } else {
      files.push(abs);
    }
  }
  const seen = new Set<string>();
  const targets: FileTarget[] = [];
  for (const path of files) {
    if (seen.has(path)) continue;
    seen.add(path);
    const size = await stat(path).then(
      (s) => s.size,
      () => 0,
    );
    targets.push({ path, display: displayPath(path, options.cwd), size });
  }
  return targets;
}

/** Whether the first 8 KiB of a file contain a NUL byte. Throws when the file cannot be read. */
export async function looksBinary(path: string): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const buf = Buffer.alloc(8192);
    const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
    return buf.subarray(0, bytesRead).includes(0);
  } finally {
    await handle.close();
  }
}

/** Callbacks of `readEntries`. */
export interface EntriesSink extends ReadSink {
  /** A file was fully read (or given up on). */
  fileDone?(target: FileTarget, scanned: boolean): void;
}

/**
 * Streams the entries of every target in order. Unreadable or unparsable files are reported as
 * `error` warnings, binary files as `skipped`; the other files are still read.
 */
export async function* readEntries(
  targets: readonly FileTarget[],
  options: ReadOptions,
  sink: EntriesSink,
): AsyncGenerator<ScanItem> {
  for (const target of targets) {
    const { path, display } = target;
    try {
      if (await looksBinary(path)) {
        sink.warn({ kind: 'skipped', file: display, message: 'binary file, not scanned' });
        sink.fileDone?.(target, false);
        continue;
      }
      const kind = kindOf(path);
      const reader =
        kind === 'json'
          ? readJson(path, display, options, sink)
          : kind === 'jsonl'
            ? readJsonl(path, display, options, sink)
            : readText(path, display, options, sink);
      yield* reader;
      sink.fileDone?.(target, true);
    } catch (error) {
      const code = errnoCode(error);
      const message =
        error instanceof JsonFileError
          ? error.message
          : code !== undefined
            ? `cannot read file (${code})`
            : `cannot read file: ${error instanceof Error ? error.message : String(error)}`;
      sink.warn({ kind: 'error', file: display, message });
      sink.fileDone?.(target, false);
    }
  }
}

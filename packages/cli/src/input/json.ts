import { readFile } from 'node:fs/promises';
import { toEntry } from './fields.js';
import type { ReadOptions, ReadSink, ScanItem } from './types.js';

/** Keys under which a JSON object may hold its array of entries, in order of preference. */
export const ARRAY_KEYS = ['memories', 'items', 'entries', 'data', 'results'] as const;

/** A JSON file that cannot be used as a whole. */
export class JsonFileError extends Error {}

/**
 * The 1-based line on which each element of the entries array starts: the top-level array, or the
 * array under `key` of the top-level object. `text` must be valid JSON.
 */
export function arrayElementLines(text: string, key: string | undefined): number[] {
  const lines: number[] = [];
  const stack: string[] = [];
  let line = 1;
  let targetDepth = key === undefined ? 1 : -1;
  let expectElement = false;
  let expectKey = false;
  let lastKey: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (ch === '\n') {
      line++;
      continue;
    }
    if (ch === ' ' || ch === '\t' || ch === '\r') continue;
    const inTarget = stack.length === targetDepth && stack[stack.length - 1] === '[';
    if (inTarget && expectElement && ch !== ']' && ch !== ',') {
      lines.push(line);
      expectElement = false;
    }
    if (ch === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      if (expectKey && stack.length === 1) {
        lastKey = JSON.parse(text.slice(i, j + 1)) as string;
        expectKey = false;
      }
      i = j;
    } else if (ch === '{' || ch === '[') {
      if (ch === '[' && key !== undefined && targetDepth === -1 && stack.length === 1 && lastKey === key) {
        targetDepth = 2;
      }
      stack.push(ch);
      if (ch === '[' && stack.length === targetDepth) expectElement = true;
      if (ch === '{' && stack.length === 1) expectKey = true;
    } else if (ch === '}' || ch === ']') {
      if (ch === ']' && stack.length === targetDepth && key !== undefined) targetDepth = -2;
      stack.pop();
    } else if (ch === ',') {
      if (inTarget) expectElement = true;
      if (stack.length === 1 && stack[0] === '{') expectKey = true;
    }
  }
  return lines;
}

/** Finds the array of entries in a parsed JSON document. */
export function findEntries(doc: unknown): { items: unknown[]; key: string | undefined } {
  if (Array.isArray(doc)) return { items: doc, key: undefined };
  if (typeof doc === 'object' && doc !== null) {
    const obj = doc as Record<string, unknown>;
    for (const key of ARRAY_KEYS) {
      const value = obj[key];
      if (Array.isArray(value)) return { items: value, key };
    }
  }
  throw new JsonFileError(
    `expected a JSON array, or an object with an array under one of: ${ARRAY_KEYS.join(', ')}`,
  );
}

/**
 * Reads a JSON file: an array of strings or objects, or an object holding such an array under
 * `memories`, `items`, `entries`, `data` or `results`. Items without text are reported as `bad_line`
 * warnings (with their index and line). Throws `JsonFileError` when the file is not usable at all.
 */
export async function* readJson(
  path: string,
  display: string,
  options: ReadOptions,
  sink: ReadSink,
): AsyncGenerator<ScanItem> {
  const text = (await readFile(path, 'utf8')).replace(/^\uFEFF/, '');
  sink.progress?.(Buffer.byteLength(text));
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    throw new JsonFileError(`invalid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  const { items, key } = findEntries(doc);
  const lines = arrayElementLines(text, key);
  for (const [index, value] of items.entries()) {
    const line = lines.length === items.length ? lines[index] : undefined;
    const converted = toEntry(value, options);
    if (!converted.ok) {
      sink.warn({
        kind: 'bad_line',
        file: display,
        index,
        ...(line ? { line } : {}),
        message: converted.reason,
      });
      continue;
    }
    if (converted.note !== undefined) {
      sink.warn({ kind: 'notice', file: display, index, ...(line ? { line } : {}), message: converted.note });
    }
    const location = line === undefined ? { file: display, index } : { file: display, line, index };
    yield { entry: converted.entry, location, kind: 'json' };
  }
}

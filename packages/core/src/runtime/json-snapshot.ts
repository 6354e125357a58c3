/**
 * A bounded, JSON-shaped snapshot of a tool's output, and the text fields in it with their JSON
 * paths. The snapshot is taken in one pass, reading every property once, with `toJSON` applied as
 * `JSON.stringify` would: what is scanned is exactly what the safe copy is rebuilt from, so a
 * getter or `toJSON` that answers differently the second time cannot slip text past the scan.
 */

/** Bounds of one snapshot. Exceeding one fails closed. */
export interface JsonSnapshotLimits {
  /** Deepest nesting of objects and arrays. */
  maxDepth: number;
  /** Most objects, arrays and values visited. */
  maxNodes: number;
  /** Most strings (keys and values). */
  maxStrings: number;
  /** Most characters over all strings. */
  maxTotalChars: number;
}

/** One string in the output: a value, or an object key. */
export interface JsonStringField {
  /** JSONPath-style location: `$`, `$.results[2].body`, `$["content-type"]`. For a key, the path of its property. */
  path: string;
  kind: 'key' | 'value';
  value: string;
}

export type JsonSnapshotProblem =
  | 'cycle'
  | 'too_deep'
  | 'too_many_nodes'
  | 'too_many_strings'
  | 'too_large'
  | 'unreadable';

export type JsonSnapshot =
  | { ok: true; value: unknown; fields: JsonStringField[]; totalChars: number }
  | { ok: false; problem: JsonSnapshotProblem; path: string; detail: string };

class SnapshotError extends Error {
  constructor(
    readonly problem: JsonSnapshotProblem,
    readonly path: string,
    detail: string,
  ) {
    super(detail);
  }
}

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

export function childPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  return IDENT.test(key) ? `${parent}.${key}` : `${parent}[${JSON.stringify(key)}]`;
}

/** Values `JSON.stringify` leaves out of objects (and turns into `null` in arrays). */
function omitted(v: unknown): boolean {
  return v === undefined || typeof v === 'function' || typeof v === 'symbol';
}

/** Takes the snapshot. Never throws: a problem (cycle, limits, a throwing getter) is returned. */
export function snapshotJson(input: unknown, limits: JsonSnapshotLimits): JsonSnapshot {
  const fields: JsonStringField[] = [];
  const ancestors = new Set<object>();
  let nodes = 0;
  let totalChars = 0;

  const addString = (path: string, kind: 'key' | 'value', value: string): void => {
    if (value.length === 0) return;
    if (fields.length >= limits.maxStrings) {
      throw new SnapshotError('too_many_strings', path, `more than ${limits.maxStrings} strings`);
    }
    totalChars += value.length;
    if (totalChars > limits.maxTotalChars) {
      throw new SnapshotError('too_large', path, `more than ${limits.maxTotalChars} characters of text`);
    }
    fields.push({ path, kind, value });
  };

  const visit = (raw: unknown, path: string, depth: number, key: string): unknown => {
    if (++nodes > limits.maxNodes)
      throw new SnapshotError('too_many_nodes', path, `more than ${limits.maxNodes} values`);
    let v = raw;
    if (typeof v === 'object' && v !== null && typeof (v as { toJSON?: unknown }).toJSON === 'function') {
      v = (v as { toJSON: (key: string) => unknown }).toJSON(key);
    }
    if (typeof v === 'string') {
      addString(path, 'value', v);
      return v;
    }
    if (typeof v !== 'object' || v === null) return v;
    if (ArrayBuffer.isView(v) || v instanceof ArrayBuffer) return v; // binary: not text
    if (ancestors.has(v)) throw new SnapshotError('cycle', path, 'the output refers to itself (a cycle)');
    if (depth >= limits.maxDepth)
      throw new SnapshotError('too_deep', path, `nested deeper than ${limits.maxDepth}`);
    ancestors.add(v);
    try {
      if (Array.isArray(v)) {
        const out: unknown[] = [];
        const n = v.length;
        for (let i = 0; i < n; i++) {
          const item = visit(v[i], childPath(path, i), depth + 1, String(i));
          out.push(omitted(item) ? null : item);
        }
        return out;
      }
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(v)) {
        const p = childPath(path, k);
        const item = visit((v as Record<string, unknown>)[k], p, depth + 1, k);
        if (omitted(item)) continue;
        addString(p, 'key', k);
        Object.defineProperty(out, k, { value: item, enumerable: true, writable: true, configurable: true });
      }
      return out;
    } finally {
      ancestors.delete(v);
    }
  };

  try {
    const value = visit(input, '$', 0, '');
    return { ok: true, value, fields, totalChars };
  } catch (error) {
    if (error instanceof SnapshotError)
      return { ok: false, problem: error.problem, path: error.path, detail: error.message };
    if (error instanceof RangeError)
      return { ok: false, problem: 'too_deep', path: '$', detail: 'nesting exhausted the stack' };
    const message = error instanceof Error ? error.message : String(error);
    return { ok: false, problem: 'unreadable', path: '$', detail: `reading the output threw: ${message}` };
  }
}

/** What to do with one field when rebuilding. */
export interface FieldEdit {
  /** The new text of a value (or `undefined` to drop: a key's property is removed, a value is replaced by `placeholder`). */
  replacement: string | undefined;
}

/**
 * A copy of a snapshot with edits applied: value edits by path, key edits (drop the property)
 * by path. Works on the snapshot (plain data), so it reads no getter and calls no `toJSON`.
 */
export function rebuildJson(
  snapshot: unknown,
  valueEdits: ReadonlyMap<string, FieldEdit>,
  droppedKeys: ReadonlySet<string>,
  placeholder: string,
): unknown {
  const visit = (v: unknown, path: string): unknown => {
    if (typeof v === 'string') {
      const e = valueEdits.get(path);
      return e === undefined ? v : (e.replacement ?? placeholder);
    }
    if (typeof v !== 'object' || v === null || ArrayBuffer.isView(v) || v instanceof ArrayBuffer) return v;
    if (Array.isArray(v)) return v.map((item, i) => visit(item, childPath(path, i)));
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v)) {
      const p = childPath(path, k);
      if (droppedKeys.has(p)) continue;
      Object.defineProperty(out, k, {
        value: visit((v as Record<string, unknown>)[k], p),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return out;
  };
  return visit(snapshot, '$');
}

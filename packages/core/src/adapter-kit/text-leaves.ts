import { InvalidInputError } from '../errors/invalid-input-error.js';

/** How `textLeaves` reads a value. */
export interface TextLeavesOptions {
  /** Top-level keys whose strings (at any depth) are read. @default every key */
  fields?: readonly string[] | undefined;
  /** How deep objects and arrays may nest. @default 32 */
  maxDepth?: number;
  /** The field named by the `InvalidInputError` of a value nested deeper. @default 'value' */
  field?: string;
}

/** The non-blank strings of a JSON-like value, and how to rebuild the value around new ones. */
export interface TextLeaves<V> {
  /** The non-blank strings, depth first in key order. */
  readonly texts: readonly string[];
  /** Where each text is: the keys from the root (array indexes as strings). */
  readonly paths: readonly (readonly string[])[];
  /**
   * The value with `texts[j]` at the path of text `j` (an undefined entry keeps the text): the value
   * itself when nothing differs, else a copy in which only the objects and arrays on the changed
   * paths are copied, so the caller's value is never mutated.
   */
  with(texts: readonly (string | undefined)[]): V;
}

type Node = Record<string, unknown>;

/**
 * The string leaves of `value` (an item's fields, a tool's JSON), blank ones left out, for an
 * adapter that decides every text of a record and stores or returns the record rewritten. A value
 * nested deeper than `maxDepth` is an `InvalidInputError`.
 */
export function textLeaves<V>(value: V, options: TextLeavesOptions = {}): TextLeaves<V> {
  const { fields, maxDepth = 32, field = 'value' } = options;
  const texts: string[] = [];
  const paths: string[][] = [];
  const visit = (v: unknown, path: string[]): void => {
    if (typeof v === 'string') {
      if (v.trim() === '') return;
      texts.push(v);
      paths.push(path);
      return;
    }
    if (typeof v !== 'object' || v === null) return;
    if (path.length >= maxDepth) {
      throw new InvalidInputError(field, `${field} is nested deeper than ${maxDepth} levels`);
    }
    for (const [k, x] of Object.entries(v)) {
      if (path.length === 0 && fields !== undefined && !fields.includes(k)) continue;
      visit(x, [...path, k]);
    }
  };
  visit(value, []);
  const copy = (v: unknown): Node => (Array.isArray(v) ? [...v] : { ...(v as Node) }) as Node;
  return {
    texts,
    paths,
    with(next) {
      const edits = paths.flatMap((path, j) => {
        const text = next[j];
        return text === undefined || text === texts[j] ? [] : [{ path, text }];
      });
      if (edits.length === 0) return value;
      if (edits[0]?.path.length === 0) return edits[0].text as V; // the value is the one string
      const root = copy(value);
      for (const { path, text } of edits) {
        let node = root;
        for (const k of path.slice(0, -1)) {
          node[k] = copy(node[k]);
          node = node[k] as Node;
        }
        node[path.at(-1) as string] = text;
      }
      return root as V;
    },
  };
}

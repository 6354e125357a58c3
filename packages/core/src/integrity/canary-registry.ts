/**
 * A registry of issued canaries: issue them, plant them, and check every outgoing text (a model
 * output, a tool call's arguments, a memory write) for a leak.
 */
import {
  type Canary,
  type CanaryMatch,
  type CompiledCanaries,
  type CreateCanaryOptions,
  canaryFingerprint,
  compileCanaries,
  createCanary,
  type DetectCanariesOptions,
  detectCompiled,
} from './canary.js';

export interface CanaryRegistryOptions {
  /** Canaries issued before (e.g. loaded from `registry.toJSON()`). @default [] */
  canaries?: Iterable<Canary>;
}

/** A canary found in a checked value. */
export interface CanaryLeak extends CanaryMatch {
  /**
   * Where in the checked value: `[]` for a string; otherwise the keys and indexes leading to the
   * string (a key that holds the canary itself ends the path).
   */
  path: (string | number)[];
}

/** What `CanaryRegistry.check` found. */
export interface CanaryCheckResult {
  /** True when at least one canary was found. */
  leaked: boolean;
  /** Every canary found, in the order the strings were visited, each sorted by position. */
  leaks: CanaryLeak[];
}

/** A step of a path in a checked value, linked to its parent. */
interface PathNode {
  key: string | number;
  parent: PathNode | null;
}

interface Visit {
  value: unknown;
  path: PathNode | null;
}

function pathArray(node: PathNode | null): (string | number)[] {
  const out: (string | number)[] = [];
  for (let n = node; n !== null; n = n.parent) out.push(n.key);
  return out.reverse();
}

/** Plain data to persist a registry (`JSON.stringify(registry)`) and rebuild it. */
export interface CanaryRegistrySnapshot {
  canaries: Canary[];
}

/**
 * Holds issued canaries and checks texts, or whole structured values, for them.
 *
 * ```ts
 * const canaries = new CanaryRegistry();
 * const c = canaries.issue({ label: 'system-prompt' });
 * const system = `${prompt}\n(internal reference: ${c.token})`;
 * // …later, before a tool call runs or an answer is shown:
 * if (canaries.check(toolCall.arguments).leaked) block();
 * ```
 */
export class CanaryRegistry {
  private readonly byFingerprint = new Map<string, Canary>();
  /** The held canaries compiled for detection; rebuilt after a change. */
  private compiled: CompiledCanaries | null = null;

  constructor(options: CanaryRegistryOptions = {}) {
    for (const c of options.canaries ?? []) this.add(c);
  }

  /** Makes a new canary (see `createCanary`), holds it and returns it. */
  issue(options: CreateCanaryOptions = {}): Canary {
    const canary = createCanary(options);
    this.byFingerprint.set(canary.fingerprint, canary);
    this.compiled = null;
    return canary;
  }

  /** Holds a canary made elsewhere. `InvalidInputError` when it is not one `createCanary` made. */
  add(canary: Canary): void {
    compileCanaries([canary]); // validates
    this.byFingerprint.set(canary.fingerprint, canary);
    this.compiled = null;
  }

  /** Stops checking for a canary (given as the object or its token). Returns whether it was held. */
  revoke(canary: Canary | string): boolean {
    const fp = typeof canary === 'string' ? canaryFingerprint(canary) : canary.fingerprint;
    this.compiled = null;
    return this.byFingerprint.delete(fp);
  }

  /** Whether a canary (given as the object or its token) is held. */
  has(canary: Canary | string): boolean {
    const fp = typeof canary === 'string' ? canaryFingerprint(canary) : canary.fingerprint;
    return this.byFingerprint.has(fp);
  }

  /** How many canaries are held. */
  get size(): number {
    return this.byFingerprint.size;
  }

  /** The canaries held, in the order they were issued or added. */
  list(): Canary[] {
    return [...this.byFingerprint.values()];
  }

  /** The held canaries found in `text` (see `detectCanaries`). */
  scan(text: string, options: DetectCanariesOptions = {}): CanaryMatch[] {
    return detectCompiled(text, this.patterns(), options);
  }

  private patterns(): CompiledCanaries {
    this.compiled ??= compileCanaries(this.byFingerprint.values());
    return this.compiled;
  }

  /**
   * Checks a string, or every string in a structured value (object keys and values, arrays, Maps,
   * Sets, at any depth; a value seen twice is visited once), for the held canaries. Use it on a
   * model's output or on a tool call (`{ name, arguments }`) before it runs. Each string is checked
   * on its own: a canary split across two strings is not found. Linear in the total length of the
   * strings.
   */
  check(value: unknown, options: DetectCanariesOptions = {}): CanaryCheckResult {
    const leaks: CanaryLeak[] = [];
    if (this.byFingerprint.size === 0) return { leaked: false, leaks };
    const patterns = this.patterns();
    const seen = new Set<object>();
    // Iterative, so a deeply nested value cannot overflow the stack; paths are linked lists, built
    // into arrays only for a leak, so depth costs nothing per string.
    const stack: Visit[] = [{ value, path: null }];
    while (stack.length > 0) {
      const { value: v, path } = stack.pop()!;
      if (typeof v === 'string') {
        for (const m of detectCompiled(v, patterns, options)) leaks.push({ ...m, path: pathArray(path) });
        continue;
      }
      if (typeof v !== 'object' || v === null || seen.has(v)) continue;
      seen.add(v);
      const children: Visit[] = [];
      const child = (value: unknown, key: string | number): void => {
        children.push({ value, path: { key, parent: path } });
      };
      if (Array.isArray(v)) {
        for (let i = 0; i < v.length; i++) child(v[i], i);
      } else if (v instanceof Map) {
        let i = 0;
        for (const [k, value] of v) {
          const key = typeof k === 'string' || typeof k === 'number' ? k : i;
          child(k, key);
          child(value, key);
          i++;
        }
      } else if (v instanceof Set) {
        let i = 0;
        for (const value of v) child(value, i++);
      } else {
        for (const [k, value] of Object.entries(v)) {
          child(k, k);
          child(value, k);
        }
      }
      // Reversed onto the stack, so strings are visited in document order.
      for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
    }
    return { leaked: leaks.length > 0, leaks };
  }

  /** The canaries held, as plain data (what `JSON.stringify(registry)` writes). */
  toJSON(): CanaryRegistrySnapshot {
    return { canaries: this.list() };
  }
}

/**
 * A multi-literal matcher (Aho–Corasick automaton compiled to a dense DFA over a compressed
 * alphabet). One left-to-right pass over a text reports every occurrence of every literal, in
 * time linear in the text length plus the number of hits.
 */

/** Where literal hits are written. Reused between scans to avoid allocation. */
export class HitBuffer {
  /** Index of the literal (as given to the constructor of {@link AhoCorasick}). */
  literal: Int32Array;
  /** Exclusive end offset of the hit in the scanned text. */
  end: Int32Array;
  /** Number of hits written. */
  length = 0;

  constructor(capacity = 64) {
    this.literal = new Int32Array(capacity);
    this.end = new Int32Array(capacity);
  }

  /** Forgets all hits. */
  clear(): void {
    this.length = 0;
  }

  /** Makes room for at least `capacity` hits (keeps the ones written). */
  reserve(capacity: number): void {
    if (capacity <= this.literal.length) return;
    let cap = this.literal.length * 2;
    while (cap < capacity) cap *= 2;
    const l = new Int32Array(cap);
    const e = new Int32Array(cap);
    l.set(this.literal.subarray(0, this.length));
    e.set(this.end.subarray(0, this.length));
    this.literal = l;
    this.end = e;
  }

  /** Appends one hit, growing the buffers when needed. */
  push(literal: number, end: number): void {
    if (this.length === this.literal.length) {
      const cap = this.literal.length * 2;
      const l = new Int32Array(cap);
      const e = new Int32Array(cap);
      l.set(this.literal);
      e.set(this.end);
      this.literal = l;
      this.end = e;
    }
    this.literal[this.length] = literal;
    this.end[this.length] = end;
    this.length++;
  }
}

/**
 * An Aho–Corasick automaton over UTF-16 code units. Matching is case-sensitive: give it
 * lower-case literals and scan lower-cased text.
 */
export class AhoCorasick {
  /** The literals, by index. */
  readonly literals: readonly string[];
  readonly #classOf: Uint16Array;
  readonly #alphabet: number;
  /** Transitions: entry `row + class` is the next state's row (`state * alphabet`), or `~state` if it has outputs. */
  readonly #delta: Int32Array;
  readonly #outStart: Int32Array;
  readonly #outLen: Int32Array;
  readonly #out: Int32Array;

  /** @param literals non-empty strings; duplicates are allowed and reported under each index. */
  constructor(literals: readonly string[]) {
    this.literals = literals;
    // Compress the alphabet: class 0 is "a character no literal contains".
    const classOf = new Uint16Array(65536);
    let alphabet = 1;
    for (const lit of literals) {
      for (let i = 0; i < lit.length; i++) {
        const c = lit.charCodeAt(i);
        if (classOf[c] === 0) classOf[c] = alphabet++;
      }
    }
    // Build the trie with sparse children.
    const children: Map<number, number>[] = [new Map()];
    const own: number[][] = [[]];
    literals.forEach((lit, index) => {
      if (lit.length === 0) throw new RangeError(`empty literal at index ${index}`);
      let node = 0;
      for (let i = 0; i < lit.length; i++) {
        const cls = classOf[lit.charCodeAt(i)] ?? 0;
        const kids = children[node] as Map<number, number>;
        let next = kids.get(cls);
        if (next === undefined) {
          next = children.length;
          children.push(new Map());
          own.push([]);
          kids.set(cls, next);
        }
        node = next;
      }
      (own[node] as number[]).push(index);
    });
    const n = children.length;
    const delta = new Int32Array(n * alphabet);
    const fail = new Int32Array(n);
    const outputs: number[][] = new Array<number[]>(n);
    outputs[0] = [];
    // BFS: full goto function (DFA) and merged outputs.
    const queue: number[] = [];
    for (const [cls, child] of children[0] as Map<number, number>) {
      delta[cls] = child;
      fail[child] = 0;
      queue.push(child);
    }
    for (let qi = 0; qi < queue.length; qi++) {
      const node = queue[qi] as number;
      const f = fail[node] as number;
      outputs[node] = [...(own[node] as number[]), ...(outputs[f] as number[])];
      const base = node * alphabet;
      const fbase = f * alphabet;
      for (let cls = 0; cls < alphabet; cls++) delta[base + cls] = delta[fbase + cls] as number;
      for (const [cls, child] of children[node] as Map<number, number>) {
        delta[base + cls] = child;
        fail[child] = delta[fbase + cls] as number;
        queue.push(child);
      }
    }
    // The hot loop reads one entry per character: the row offset of the next state
    // (`state * alphabet`), or, when that state has outputs, its number bitwise-negated (`~`, so
    // negative: the rare path multiplies, the common path needs no arithmetic).
    const packed = new Int32Array(n * alphabet);
    for (let i = 0; i < n * alphabet; i++) {
      const to = delta[i] as number;
      packed[i] = (outputs[to] as number[]).length === 0 ? to * alphabet : ~to;
    }
    const outStart = new Int32Array(n);
    const outLen = new Int32Array(n);
    let total = 0;
    for (let i = 0; i < n; i++) total += (outputs[i] as number[]).length;
    const out = new Int32Array(total);
    let pos = 0;
    for (let i = 0; i < n; i++) {
      const o = outputs[i] as number[];
      outStart[i] = pos;
      outLen[i] = o.length;
      for (const x of o) out[pos++] = x;
    }
    this.#classOf = classOf;
    this.#alphabet = alphabet;
    this.#delta = packed;
    this.#outStart = outStart;
    this.#outLen = outLen;
    this.#out = out;
  }

  /** Number of automaton states (for diagnostics). */
  get states(): number {
    return this.#outLen.length;
  }

  /**
   * Scans `text` once and appends every literal occurrence to `hits`, ordered by end offset.
   * @returns the number of hits appended.
   */
  scan(text: string, hits: HitBuffer): number {
    const classOf = this.#classOf;
    const delta = this.#delta;
    const alphabet = this.#alphabet;
    const outStart = this.#outStart;
    const outLen = this.#outLen;
    const out = this.#out;
    const before = hits.length;
    const n = text.length;
    let row = 0;
    let litBuf = hits.literal;
    let endBuf = hits.end;
    let count = hits.length;
    for (let i = 0; i < n; i++) {
      const next = delta[row + (classOf[text.charCodeAt(i)] as number)] as number;
      if (next >= 0) {
        row = next;
        continue;
      }
      const state = ~next;
      row = state * alphabet;
      const len = outLen[state] as number;
      if (count + len > litBuf.length) {
        hits.length = count;
        hits.reserve(count + len);
        litBuf = hits.literal;
        endBuf = hits.end;
      }
      const start = outStart[state] as number;
      for (let k = 0; k < len; k++) {
        litBuf[count] = out[start + k] as number;
        endBuf[count] = i + 1;
        count++;
      }
    }
    hits.length = count;
    return count - before;
  }
}

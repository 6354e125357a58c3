import type { Decision } from '../analyzer/types.js';

/** The verdict a hold-back check returns for a buffered text. */
export interface HoldBackCheck {
  allowed: boolean;
  decision: Decision;
  rule: string;
  reason: string;
}

/** Checks a buffered text; `where` names the stream part (for the error). */
export type HoldBackChecker = (text: string, where: string) => Promise<HoldBackCheck>;

/**
 * A hold-back window over streamed text, one buffer per key (an output text, a tool call's
 * arguments). The last `holdBack` characters of every scanned buffer stay unreleased and are
 * scanned again with what follows, so a canary or payload of at most `holdBack` characters split
 * across chunks is seen whole before any of it is released. A refused buffer throws what `fail`
 * builds, and every buffer is dropped.
 */
export class HoldBack {
  readonly #w: number;
  readonly #buffers = new Map<string, string>();
  readonly #check: HoldBackChecker;
  readonly #fail: (where: string, check: HoldBackCheck) => Error;

  constructor(
    holdBack: number,
    check: HoldBackChecker,
    fail: (where: string, check: HoldBackCheck) => Error,
  ) {
    this.#w = Math.max(1, Math.floor(Number.isFinite(holdBack) ? holdBack : 1));
    this.#check = check;
    this.#fail = fail;
  }

  /** Adds a delta under `key`; returns the text that may be released now (often ''). */
  async push(key: string, delta: string, where: string): Promise<string> {
    const buf = (this.#buffers.get(key) ?? '') + delta;
    this.#buffers.set(key, buf);
    return buf.length >= 2 * this.#w ? this.#release(key, false, where) : '';
  }

  /** Scans and releases everything left under `key`. */
  flush(key: string, where: string): Promise<string> {
    return this.#release(key, true, where);
  }

  /** Keys still holding text, optionally those starting with `prefix`. */
  keys(prefix = ''): string[] {
    return [...this.#buffers.keys()].filter((k) => k.startsWith(prefix));
  }

  async #release(key: string, final: boolean, where: string): Promise<string> {
    const buf = this.#buffers.get(key) ?? '';
    if (final) this.#buffers.delete(key);
    if (buf.length === 0) return '';
    const c = await this.#check(buf, where);
    if (!c.allowed) {
      this.#buffers.clear();
      throw this.#fail(where, c);
    }
    const cut = final ? buf.length : Math.max(0, buf.length - this.#w);
    if (!final) this.#buffers.set(key, buf.slice(cut));
    return buf.slice(0, cut);
  }
}

import type { OutStream } from '../io.js';

/** Options of the progress bar. */
export interface ProgressOptions {
  /** Nothing is drawn until more than this many entries are done. @default 200 */
  minEntries?: number;
  /** Least time between two redraws. @default 100 */
  intervalMs?: number;
  now?: () => number;
}

/**
 * A one-line progress bar redrawn in place with `\r`. The caller decides whether to use it at all
 * (only when stderr is a TTY); it draws nothing for small scans and throttles redraws.
 */
export class ProgressBar {
  private readonly minEntries: number;
  private readonly intervalMs: number;
  private readonly now: () => number;
  private readonly started: number;
  private last = Number.NEGATIVE_INFINITY;
  private drawn = false;

  constructor(
    private readonly stream: OutStream,
    options: ProgressOptions = {},
  ) {
    this.minEntries = options.minEntries ?? 200;
    this.intervalMs = options.intervalMs ?? 100;
    this.now = options.now ?? Date.now;
    this.started = this.now();
  }

  /** Redraws if due. `fraction` is 0..1 of the input read. */
  update(entries: number, fraction: number): void {
    if (entries <= this.minEntries) return;
    const t = this.now();
    if (t - this.last < this.intervalMs) return;
    this.last = t;
    const f = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0));
    const width = 24;
    const full = Math.round(f * width);
    const rate = entries / Math.max(0.001, (t - this.started) / 1000);
    const bar = `${'#'.repeat(full)}${'-'.repeat(width - full)}`;
    const pct = `${Math.floor(f * 100)}`.padStart(3);
    this.stream.write(`\r\u001b[K[${bar}] ${pct}% ${entries} entries ${Math.round(rate)}/s`);
    this.drawn = true;
  }

  /** Erases the bar (before other stderr output, and at the end). */
  clear(): void {
    if (!this.drawn) return;
    this.stream.write('\r\u001b[K');
    this.drawn = false;
  }
}

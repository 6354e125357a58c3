import type { AlertDraft } from './alert.js';
import { checkInt, checkNumber, checkObject } from './check-options.js';
import { SlidingCounts } from './sliding-counts.js';

/** Options of the `block_rate_spike` rule. */
export interface BlockRateRuleOptions {
  /** The sliding window the block share is measured over. @default 300_000 (5 minutes) */
  windowMs?: number;
  /** Fire when the share of `block` decisions in the window reaches this (0..1]. @default 0.2 */
  threshold?: number;
  /** Analyses the window must hold before the rule judges it (1 block in 2 is no spike). @default 20 */
  minSamples?: number;
  /**
   * Also fire when the window's block share reaches this multiple of the baseline share (the
   * share over `baselineWindowMs` before the window), even below `threshold`. `0` turns the
   * baseline comparison off.
   * @default 3
   */
  baselineFactor?: number;
  /** How far back the baseline reaches. @default 86_400_000 (24 hours) */
  baselineWindowMs?: number;
  /** Analyses the baseline must hold before it is trusted. @default 200 */
  minBaselineSamples?: number;
  /** A baseline-relative spike must still reach this absolute share (0..1). @default 0.05 */
  minShare?: number;
  /** After firing, stay quiet this long (a rising rate to `critical` still fires). @default 900_000 (15 minutes) */
  cooldownMs?: number;
}

const KNOWN = [
  'windowMs',
  'threshold',
  'minSamples',
  'baselineFactor',
  'baselineWindowMs',
  'minBaselineSamples',
  'minShare',
  'cooldownMs',
] as const;

/** @internal */
export function checkBlockRateOptions(option: string, o: unknown): void {
  if (!checkObject(option, o, KNOWN)) return;
  const v = o as BlockRateRuleOptions;
  checkInt(`${option}.windowMs`, v.windowMs, 1000);
  checkNumber(`${option}.threshold`, v.threshold, Number.MIN_VALUE, 1);
  checkInt(`${option}.minSamples`, v.minSamples, 1);
  checkNumber(`${option}.baselineFactor`, v.baselineFactor, 0);
  checkInt(`${option}.baselineWindowMs`, v.baselineWindowMs, 1000);
  checkInt(`${option}.minBaselineSamples`, v.minBaselineSamples, 1);
  checkNumber(`${option}.minShare`, v.minShare, 0, 1);
  checkInt(`${option}.cooldownMs`, v.cooldownMs, 0);
}

/**
 * @internal The share of `block` decisions in a sliding window, against a fixed threshold and
 * against the longer-run baseline. Two fixed rings of buckets (30 for the window, 144 for the
 * baseline): bounded memory whatever the traffic.
 */
export class BlockRateRule {
  readonly cooldownMs: number;
  readonly #o: Required<Omit<BlockRateRuleOptions, 'cooldownMs'>>;
  readonly #window: SlidingCounts;
  readonly #baseline: SlidingCounts;

  constructor(options: BlockRateRuleOptions = {}) {
    this.#o = {
      windowMs: options.windowMs ?? 300_000,
      threshold: options.threshold ?? 0.2,
      minSamples: options.minSamples ?? 20,
      baselineFactor: options.baselineFactor ?? 3,
      baselineWindowMs: options.baselineWindowMs ?? 86_400_000,
      minBaselineSamples: options.minBaselineSamples ?? 200,
      minShare: options.minShare ?? 0.05,
    };
    this.cooldownMs = options.cooldownMs ?? 900_000;
    this.#window = new SlidingCounts(this.#o.windowMs, 30);
    this.#baseline = new SlidingCounts(this.#o.baselineWindowMs + this.#o.windowMs, 144);
  }

  /** Counts one analysis; returns an alert draft when the window now looks like a spike. */
  observe(now: number, blocked: boolean): AlertDraft | undefined {
    this.#window.add(now, blocked);
    this.#baseline.add(now, blocked);
    if (!blocked) return undefined;
    const w = this.#window.sum(now);
    if (w.total < this.#o.minSamples) return undefined;
    const share = w.hits / w.total;
    const all = this.#baseline.sum(now);
    // The baseline is what came before the window (the long ring minus the short one).
    const baseTotal = Math.max(0, all.total - w.total);
    const baseShare = baseTotal > 0 ? Math.max(0, all.hits - w.hits) / baseTotal : 0;
    const hasBaseline = this.#o.baselineFactor > 0 && baseTotal >= this.#o.minBaselineSamples;
    const overThreshold = share >= this.#o.threshold;
    const overBaseline =
      hasBaseline && share >= this.#o.minShare && share >= this.#o.baselineFactor * baseShare;
    if (!overThreshold && !overBaseline) return undefined;
    const critical = share >= Math.min(1, 2 * this.#o.threshold);
    const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
    const why = overThreshold
      ? `threshold ${pct(this.#o.threshold)}`
      : `${this.#o.baselineFactor}× the baseline ${pct(baseShare)}`;
    return {
      rule: 'block_rate_spike',
      status: 'firing',
      severity: critical ? 'critical' : 'warning',
      key: 'global',
      summary: `Block rate ${pct(share)} over the last ${Math.round(this.#o.windowMs / 1000)} s (${w.hits} of ${w.total} analyses) reached ${why}`,
      details: {
        blockRate: share,
        blocked: w.hits,
        analyses: w.total,
        windowMs: this.#o.windowMs,
        threshold: this.#o.threshold,
        baselineRate: hasBaseline ? baseShare : null,
        baselineAnalyses: baseTotal,
      },
    };
  }
}

import type { AnalysisEvent, AnalysisObserver } from '../analyzer/observers.js';
import { InvalidOptionError } from '../errors/index.js';
import { checkOptions, checkThreshold, checkWindow, envDriftThreshold, envDriftWindow } from './env.js';
import { type MetricsHandle, setDriftSeverityOnActiveMetrics } from './prometheus-metrics.js';
import {
  type DriftSeverity,
  driftSeverity,
  populationStabilityIndex,
  RISK_SCORE_BINS,
  riskScoreBin,
} from './psi.js';

/** The event type a `DriftDetector` emits. */
export const DRIFT_DETECTED = 'DRIFT_DETECTED';

/** Emitted once each time the PSI crosses the drift threshold upwards. */
export interface DriftEvent {
  type: typeof DRIFT_DETECTED;
  /** The population stability index of the current window against the reference. */
  psi: number;
  /** 2–4 (the threshold is where severity 2 starts). */
  severity: DriftSeverity;
  /** The threshold that was crossed. */
  threshold: number;
  /** Scores in the reference window. */
  referenceSize: number;
  /** Scores in the current (rolling) window. */
  windowSize: number;
  /** Share of each risk-score bin (`[0,10)`, …, `[90,100]`) in the reference. */
  reference: number[];
  /** Share of each risk-score bin in the current window. */
  current: number[];
  /** When the crossing was seen, ISO 8601. */
  timestamp: string;
}

export type DriftListener = (event: DriftEvent) => void;

/** Options of `DriftDetector`. */
export interface DriftDetectorOptions {
  /**
   * PSI at or above which drift is detected (severity 2). Env `MEMGAR_OBSERVABILITY_DRIFT_THRESHOLD`.
   * @default 0.2
   */
  threshold?: number;
  /**
   * Analyses per window (the reference and the rolling current window have this size), 10–1,000,000.
   * Env `MEMGAR_OBSERVABILITY_DRIFT_WINDOW`.
   * @default 1000
   */
  window?: number;
  /**
   * Risk scores of a known-good period (e.g. a calibration run) to compare against. Without it the
   * first `window` analyses become the reference.
   * @default undefined
   */
  reference?: readonly number[];
  /** Called with every `DRIFT_DETECTED` event (same as `on('DRIFT_DETECTED', listener)`). @default undefined */
  onDrift?: DriftListener;
  /**
   * The metrics handle whose `memgar_drift_severity` gauge this detector sets; `false` for none.
   * @default every enabled metrics handle
   */
  metrics?: MetricsHandle | false;
  /** Clock for event timestamps (ms since the epoch). @default Date.now */
  now?: () => number;
}

/** What a detector knows right now (`DriftDetector.status()`). */
export interface DriftStatus {
  /** PSI of the last full window, undefined until both windows are full. */
  psi: number | undefined;
  severity: DriftSeverity;
  /** True from a crossing until the PSI falls below the threshold again. */
  drifting: boolean;
  threshold: number;
  window: number;
  referenceSize: number;
  windowSize: number;
  /** Risk scores observed in total (also those that went into the reference). */
  observed: number;
}

const KNOWN_OPTIONS = new Set(['threshold', 'window', 'reference', 'onDrift', 'metrics', 'now']);

/**
 * Watches the risk-score distribution for drift: an `AnalysisObserver` that keeps a reference
 * window and a rolling window of the last `window` risk scores (ten bins over 0–100), computes
 * their population stability index after every analysis once both are full, and emits one
 * `DRIFT_DETECTED` event each time the PSI crosses `threshold` upwards. Memory is constant: one
 * byte per window slot plus two ten-bin histograms.
 *
 * @example
 * const drift = new DriftDetector({ onDrift: (e) => alert(e) });
 * addAnalysisObserver(drift); // or new Analyzer({ observers: [drift] })
 */
export class DriftDetector implements AnalysisObserver {
  readonly threshold: number;
  readonly window: number;
  readonly #reference = new Float64Array(RISK_SCORE_BINS);
  readonly #current = new Float64Array(RISK_SCORE_BINS);
  /** The bin of each score of the current window, oldest at `#head` once full. */
  readonly #ring: Uint8Array;
  #head = 0;
  #referenceSize = 0;
  #windowSize = 0;
  /** True while the reference is learned from traffic; false once one was given (option or `setReference`). */
  #learning = true;
  #observed = 0;
  #psi: number | undefined;
  #severity: DriftSeverity = 0;
  #drifting = false;
  readonly #listeners = new Set<DriftListener>();
  readonly #metrics: MetricsHandle | false | undefined;
  readonly #now: () => number;

  constructor(options: DriftDetectorOptions = {}) {
    checkOptions(options, KNOWN_OPTIONS, 'DriftDetector');
    const threshold = options.threshold ?? envDriftThreshold() ?? 0.2;
    checkThreshold('threshold', threshold);
    const window = options.window ?? envDriftWindow() ?? 1000;
    checkWindow('window', window);
    if (options.onDrift !== undefined && typeof options.onDrift !== 'function') {
      throw new InvalidOptionError('onDrift', 'onDrift: must be a function');
    }
    if (options.now !== undefined && typeof options.now !== 'function') {
      throw new InvalidOptionError('now', 'now: must be a function returning ms since the epoch');
    }
    const m = options.metrics;
    if (m !== undefined && m !== false && typeof m?.setDriftSeverity !== 'function') {
      throw new InvalidOptionError('metrics', 'metrics: must be a handle from enableMetrics() or false');
    }
    this.threshold = threshold;
    this.window = window;
    this.#ring = new Uint8Array(window);
    this.#metrics = m;
    this.#now = options.now ?? Date.now;
    if (options.onDrift) this.#listeners.add(options.onDrift);
    if (options.reference !== undefined) {
      this.setReference(options.reference);
      if (this.#learning) {
        throw new InvalidOptionError('reference', 'reference: needs at least one risk score (0–100)');
      }
    }
  }

  /**
   * Subscribes to `DRIFT_DETECTED` events; returns a function that unsubscribes. Listeners run
   * synchronously inside the analysis that crossed the threshold, so they must be cheap; what
   * they throw is swallowed.
   */
  on(type: typeof DRIFT_DETECTED, listener: DriftListener): () => void {
    if (type !== DRIFT_DETECTED)
      throw new InvalidOptionError('type', `type: only ${DRIFT_DETECTED} is emitted`);
    if (typeof listener !== 'function')
      throw new InvalidOptionError('listener', 'listener: must be a function');
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  /** `AnalysisObserver`: observes the analysis's risk score. Never throws. */
  onAnalysis(event: AnalysisEvent): void {
    try {
      this.observe(event.result.riskScore);
    } catch {
      // Drift detection never breaks analysis.
    }
  }

  /** Adds one risk score (0–100; clamped; NaN and non-numbers are ignored). */
  observe(riskScore: number): void {
    if (typeof riskScore !== 'number') return;
    const bin = riskScoreBin(riskScore);
    if (bin < 0) return;
    this.#observed++;
    if (this.#learning && this.#referenceSize < this.window) {
      this.#reference[bin] = (this.#reference[bin] ?? 0) + 1;
      this.#referenceSize++;
      return;
    }
    if (this.#windowSize === this.window) {
      const old = this.#ring[this.#head] ?? 0;
      this.#current[old] = (this.#current[old] ?? 0) - 1;
    } else {
      this.#windowSize++;
    }
    this.#ring[this.#head] = bin;
    this.#current[bin] = (this.#current[bin] ?? 0) + 1;
    this.#head = (this.#head + 1) % this.window;
    if (this.#windowSize === this.window) this.#evaluate();
  }

  /**
   * Replaces the reference with these risk scores (kept fixed from now on) and empties the
   * current window. A list without a valid score goes back to learning the reference from the
   * next `window` analyses.
   */
  setReference(scores: readonly number[]): void {
    if (!Array.isArray(scores)) {
      throw new InvalidOptionError('reference', 'reference: must be an array of risk scores');
    }
    const counts = new Float64Array(RISK_SCORE_BINS);
    let n = 0;
    for (const s of scores) {
      const bin = typeof s === 'number' ? riskScoreBin(s) : -1;
      if (bin < 0) continue;
      counts[bin] = (counts[bin] ?? 0) + 1;
      n++;
    }
    this.#reference.set(counts);
    this.#referenceSize = n;
    this.#learning = n === 0;
    this.#clearCurrent();
  }

  /** Forgets the current window, and the reference too when it was learned from traffic. */
  reset(): void {
    if (this.#learning) {
      this.#reference.fill(0);
      this.#referenceSize = 0;
    }
    this.#clearCurrent();
    this.#observed = 0;
  }

  status(): DriftStatus {
    return {
      psi: this.#psi,
      severity: this.#severity,
      drifting: this.#drifting,
      threshold: this.threshold,
      window: this.window,
      referenceSize: this.#referenceSize,
      windowSize: this.#windowSize,
      observed: this.#observed,
    };
  }

  #clearCurrent(): void {
    this.#current.fill(0);
    this.#ring.fill(0);
    this.#head = 0;
    this.#windowSize = 0;
    this.#psi = undefined;
    this.#drifting = false;
    const was = this.#severity;
    this.#severity = 0;
    if (was !== 0) this.#publishSeverity();
  }

  #evaluate(): void {
    const psi = populationStabilityIndex(this.#reference, this.#current);
    this.#psi = psi;
    this.#severity = driftSeverity(psi, this.threshold);
    this.#publishSeverity();
    if (psi < this.threshold) {
      this.#drifting = false;
      return;
    }
    if (this.#drifting) return;
    this.#drifting = true;
    if (this.#listeners.size === 0) return;
    const event: DriftEvent = {
      type: DRIFT_DETECTED,
      psi,
      severity: this.#severity,
      threshold: this.threshold,
      referenceSize: this.#referenceSize,
      windowSize: this.#windowSize,
      reference: shares(this.#reference, this.#referenceSize),
      current: shares(this.#current, this.#windowSize),
      timestamp: timestamp(this.#now),
    };
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch {
        // A listener never breaks analysis.
      }
    }
  }

  /** Sets the drift gauge (every evaluation: a gauge set is O(1), and metrics enabled later catch up). */
  #publishSeverity(): void {
    if (this.#metrics === false) return;
    if (this.#metrics === undefined) setDriftSeverityOnActiveMetrics(this.#severity);
    else this.#metrics.setDriftSeverity(this.#severity);
  }
}

function shares(counts: Float64Array, total: number): number[] {
  return Array.from(counts, (c) => (total > 0 ? c / total : 0));
}

function timestamp(now: () => number): string {
  const ms = now();
  const d = new Date(Number.isFinite(ms) ? ms : Date.now());
  return d.toISOString();
}

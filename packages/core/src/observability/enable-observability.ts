import { addAnalysisObserver } from '../analyzer/observers.js';
import { InvalidOptionError } from '../errors/index.js';
import { DriftDetector, type DriftDetectorOptions } from './drift-detector.js';
import { checkOptions, envObservabilityEnabled } from './env.js';
import { type EnableMetricsOptions, enableMetrics, type MetricsHandle } from './prometheus-metrics.js';

/** Options of `enableObservability`. */
export interface ObservabilityOptions {
  /**
   * Whether to turn anything on. Env `MEMGAR_OBSERVABILITY_ENABLED` (`false` switches a deployment
   * off without a code change).
   * @default true
   */
  enabled?: boolean;
  /** Options of `enableMetrics`, or `false` to leave Prometheus metrics off. @default {} */
  metrics?: EnableMetricsOptions | false;
  /**
   * Options of the `DriftDetector`, or `false` to leave drift detection off. Threshold and window
   * default to `MEMGAR_OBSERVABILITY_DRIFT_THRESHOLD` / `MEMGAR_OBSERVABILITY_DRIFT_WINDOW`.
   * @default {}
   */
  drift?: Omit<DriftDetectorOptions, 'metrics'> | false;
}

/** What `enableObservability` turned on. */
export interface ObservabilityHandle {
  /** False when `enabled` / `MEMGAR_OBSERVABILITY_ENABLED` said off (then nothing is on). */
  readonly enabled: boolean;
  /** The metrics handle; undefined when metrics are off. */
  readonly metrics: MetricsHandle | undefined;
  /** The drift detector, observing every `Analyzer`; undefined when drift detection is off. */
  readonly drift: DriftDetector | undefined;
  /** Turns metrics and drift detection off again; idempotent. */
  disable(): void;
}

const KNOWN_OPTIONS = new Set(['enabled', 'metrics', 'drift']);

/**
 * Turns Prometheus metrics and drift detection on for every `Analyzer` in the process, reading
 * the `MEMGAR_OBSERVABILITY_*` environment variables (explicit options win). The drift detector
 * sets the metrics' drift-severity gauge. Rejects with `LayerFailedError` when metrics are on and
 * prom-client is not installed, and with `InvalidOptionError` for invalid options or env values.
 *
 * @example
 * const obs = await enableObservability({ drift: { onDrift: (e) => log.warn(e) } });
 * await startMetricsServer({ port: 9464, registry: obs.metrics?.registry, analyzer });
 */
export async function enableObservability(options: ObservabilityOptions = {}): Promise<ObservabilityHandle> {
  checkOptions(options, KNOWN_OPTIONS, 'enableObservability');
  if (options.enabled !== undefined && typeof options.enabled !== 'boolean') {
    throw new InvalidOptionError('enabled', 'enabled: must be a boolean');
  }
  const enabled = options.enabled ?? envObservabilityEnabled() ?? true;
  if (!enabled) return { enabled: false, metrics: undefined, drift: undefined, disable() {} };

  const driftOptions = options.drift ?? {};
  if (
    driftOptions !== false &&
    typeof driftOptions === 'object' &&
    driftOptions !== null &&
    'metrics' in driftOptions
  ) {
    throw new InvalidOptionError(
      'drift.metrics',
      'drift.metrics: unknown option (the detector uses these metrics)',
    );
  }
  const detectorBase = driftOptions === false ? undefined : driftOptions;
  const metrics = options.metrics === false ? undefined : await enableMetrics(options.metrics ?? {});
  let drift: DriftDetector | undefined;
  let detach: (() => void) | undefined;
  try {
    drift =
      detectorBase === undefined
        ? undefined
        : new DriftDetector({ ...detectorBase, metrics: metrics ?? false });
    detach = drift === undefined ? undefined : addAnalysisObserver(drift);
  } catch (error) {
    // Invalid drift options (or env): leave nothing half on.
    metrics?.disable();
    throw error;
  }
  let on = true;
  return {
    enabled: true,
    metrics,
    drift,
    disable() {
      if (!on) return;
      on = false;
      detach?.();
      metrics?.disable();
    },
  };
}

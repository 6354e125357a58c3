import type { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { AnalysisEvent, AnalysisObserver } from '../analyzer/observers.js';
import { addAnalysisObserver } from '../analyzer/observers.js';
import { DECISIONS, SOURCE_TYPES } from '../analyzer/types.js';
import { InvalidOptionError } from '../errors/index.js';
import { LEARNED_META } from '../learned/weights.js';
import { checkOptions } from './env.js';
import { loadPromClient } from './prom-client-loader.js';

/**
 * The parts of a prom-client `Registry` memgar uses, typed structurally so that any prom-client 15
 * registry fits (also one from another copy of the package) and the types need no prom-client.
 */
export interface PrometheusRegistry {
  /** The exposition text of every metric in the registry. */
  metrics(): Promise<string>;
  /** The `Content-Type` of `metrics()`. */
  readonly contentType: string;
  getSingleMetric(name: string): unknown;
}

/** Options of `enableMetrics`. */
export interface EnableMetricsOptions {
  /** The registry the metrics are registered in. @default prom-client's default registry (`register`) */
  registry?: PrometheusRegistry;
  /** Prefix of every metric name; must be a valid Prometheus name prefix. @default 'memgar_' */
  prefix?: string;
  /** The `version` label of the model-version gauge. @default the shipped learned model's version (e.g. `ml-1+mg-hash-1`) */
  modelVersion?: string;
}

/** A running metrics recorder; records every analysis of every `Analyzer` until `disable()`. */
export interface MetricsHandle {
  /** The registry the metrics live in (pass it to `startMetricsServer`). */
  readonly registry: PrometheusRegistry;
  readonly prefix: string;
  /** False after `disable()`. */
  readonly enabled: boolean;
  /** Records one analysis by hand (what the handle does for every `Analyzer`); never throws. */
  record(event: AnalysisEvent): void;
  /** Sets the drift-severity gauge (0–4; a no-op once disabled); the `DriftDetector` calls this. Never throws. */
  setDriftSeverity(severity: number): void;
  /** The registry's exposition text. */
  metrics(): Promise<string>;
  /** Stops recording. The metrics stay registered with their last values; idempotent. */
  disable(): void;
}

/** Metric names without the prefix. */
export const METRIC_NAMES = {
  analyses: 'analyses_total',
  latency: 'analysis_latency_seconds',
  riskScore: 'risk_score',
  driftSeverity: 'drift_severity',
  modelVersion: 'model_version',
} as const;

/** Buckets (seconds) of `memgar_analysis_latency_seconds`. */
export const LATENCY_BUCKETS: readonly number[] = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

/** Buckets of `memgar_risk_score` (0–100; each `le` bound is inclusive). */
export const RISK_SCORE_BUCKETS: readonly number[] = [0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100];

/** The label value recorded for a decision or source type outside the closed sets. */
export const OTHER_LABEL = 'other';

const DECISION_SET: ReadonlySet<string> = new Set(DECISIONS);
const SOURCE_TYPE_SET: ReadonlySet<string> = new Set(SOURCE_TYPES);
const KNOWN_OPTIONS = new Set(['registry', 'prefix', 'modelVersion']);
const PREFIX_RE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)?$/;

type Labels = 'decision' | 'source_type';

/** One set of metrics in one registry under one prefix, shared by every handle on them. */
interface Recorder extends AnalysisObserver {
  analyses: Counter<Labels>;
  latency: Histogram;
  risk: Histogram;
  drift: Gauge;
  model: Gauge<'version'>;
  handles: number;
  unsubscribe: (() => void) | undefined;
}

const RECORDERS = new WeakMap<object, Map<string, Recorder>>();
const ACTIVE = new Set<Recorder>();

/**
 * Turns Prometheus metrics on: registers the memgar metrics in `registry` (prom-client is loaded on
 * first use; without it this rejects with `LayerFailedError`) and records every finished analysis
 * of every `Analyzer` in the process until `disable()`. Calling it twice for the same registry and
 * prefix shares one set of metrics (nothing is counted twice).
 *
 * @example
 * const metrics = await enableMetrics();
 * await startMetricsServer({ port: 9464, registry: metrics.registry });
 */
export async function enableMetrics(options: EnableMetricsOptions = {}): Promise<MetricsHandle> {
  checkOptions(options, KNOWN_OPTIONS, 'enableMetrics');
  const prefix = options.prefix ?? 'memgar_';
  if (typeof prefix !== 'string' || !PREFIX_RE.test(prefix)) {
    throw new InvalidOptionError(
      'prefix',
      `prefix: must match [a-zA-Z_:][a-zA-Z0-9_:]*, got ${String(prefix)}`,
    );
  }
  const modelVersion = options.modelVersion ?? LEARNED_META.version;
  if (typeof modelVersion !== 'string' || modelVersion === '' || modelVersion.length > 128) {
    throw new InvalidOptionError(
      'modelVersion',
      'modelVersion: must be a non-empty string of at most 128 characters',
    );
  }
  const r = options.registry;
  if (r !== undefined && (typeof r?.metrics !== 'function' || typeof r.getSingleMetric !== 'function')) {
    throw new InvalidOptionError('registry', 'registry: must be a prom-client Registry');
  }
  const prom = await loadPromClient();
  const registry: PrometheusRegistry = r ?? prom.register;

  let byPrefix = RECORDERS.get(registry);
  if (byPrefix === undefined) {
    byPrefix = new Map();
    RECORDERS.set(registry, byPrefix);
  }
  let recorder = byPrefix.get(prefix);
  if (recorder === undefined) {
    recorder = createRecorder(prom, registry as Registry, prefix);
    byPrefix.set(prefix, recorder);
  }
  recorder.model.set({ version: modelVersion }, 1);
  const rec = recorder;
  rec.handles++;
  if (rec.unsubscribe === undefined) {
    rec.unsubscribe = addAnalysisObserver(rec);
    ACTIVE.add(rec);
  }

  let enabled = true;
  return {
    registry,
    prefix,
    get enabled() {
      return enabled;
    },
    record: (event) => rec.onAnalysis(event),
    setDriftSeverity: (severity) => {
      if (enabled) setDrift(rec, severity);
    },
    metrics: () => registry.metrics(),
    disable() {
      if (!enabled) return;
      enabled = false;
      rec.handles--;
      if (rec.handles === 0) {
        rec.unsubscribe?.();
        rec.unsubscribe = undefined;
        ACTIVE.delete(rec);
      }
    },
  };
}

/** @internal Sets the drift gauge of every enabled metrics handle (a detector without its own handle). */
export function setDriftSeverityOnActiveMetrics(severity: number): void {
  for (const rec of ACTIVE) setDrift(rec, severity);
}

function setDrift(rec: Recorder, severity: number): void {
  try {
    if (Number.isFinite(severity)) rec.drift.set(Math.min(4, Math.max(0, Math.round(severity))));
  } catch {
    // Metrics never break the caller.
  }
}

function createRecorder(
  prom: Awaited<ReturnType<typeof loadPromClient>>,
  registry: Registry,
  prefix: string,
): Recorder {
  const registers = [registry];
  const name = (n: string) => `${prefix}${n}`;
  const existing = <T>(n: string, method: string): T | undefined => {
    const m = registry.getSingleMetric(n) as unknown;
    if (m === undefined) return undefined;
    if (typeof (m as Record<string, unknown>)[method] !== 'function') {
      throw new InvalidOptionError(
        'prefix',
        `the registry already has a metric ${n} of another type: pick another prefix`,
      );
    }
    return m as T;
  };

  const analysesName = name(METRIC_NAMES.analyses);
  const analyses =
    existing<Counter<Labels>>(analysesName, 'inc') ??
    new prom.Counter<Labels>({
      name: analysesName,
      help: 'Finished analyses by decision and source type.',
      labelNames: ['decision', 'source_type'],
      registers,
    });
  // Known label values start at 0 so rate() and absent() work from the first scrape.
  for (const decision of DECISIONS) {
    for (const source_type of SOURCE_TYPES) analyses.inc({ decision, source_type }, 0);
  }
  const latencyName = name(METRIC_NAMES.latency);
  const latency =
    existing<Histogram>(latencyName, 'observe') ??
    new prom.Histogram({
      name: latencyName,
      help: 'Time one analysis took (AnalysisResult.durationMs), in seconds.',
      buckets: [...LATENCY_BUCKETS],
      registers,
    });
  const riskName = name(METRIC_NAMES.riskScore);
  const risk =
    existing<Histogram>(riskName, 'observe') ??
    new prom.Histogram({
      name: riskName,
      help: 'Risk score (0-100) of each analysis.',
      buckets: [...RISK_SCORE_BUCKETS],
      registers,
    });
  const driftName = name(METRIC_NAMES.driftSeverity);
  const drift =
    existing<Gauge>(driftName, 'set') ??
    new prom.Gauge({
      name: driftName,
      help: 'Drift severity of the risk-score distribution (PSI): 0 stable, 1 minor, 2 drift, 3 major, 4 severe.',
      registers,
    });
  const modelName = name(METRIC_NAMES.modelVersion);
  const model =
    existing<Gauge<'version'>>(modelName, 'set') ??
    new prom.Gauge<'version'>({
      name: modelName,
      help: 'The model version in use (value 1, version in the label).',
      labelNames: ['version'],
      registers,
    });

  return {
    analyses,
    latency,
    risk,
    drift,
    model,
    handles: 0,
    unsubscribe: undefined,
    onAnalysis(event: AnalysisEvent): void {
      try {
        const result = event.result;
        analyses.inc({
          decision: closed(result.decision, DECISION_SET),
          source_type: closed(event.sourceType, SOURCE_TYPE_SET),
        });
        const ms = result.durationMs;
        if (typeof ms === 'number' && Number.isFinite(ms) && ms >= 0) latency.observe(ms / 1000);
        const score = result.riskScore;
        if (typeof score === 'number' && Number.isFinite(score))
          risk.observe(Math.min(100, Math.max(0, score)));
      } catch {
        // Metrics never break analysis.
      }
    },
  };
}

function closed(value: unknown, set: ReadonlySet<string>): string {
  return typeof value === 'string' && set.has(value) ? value : OTHER_LABEL;
}

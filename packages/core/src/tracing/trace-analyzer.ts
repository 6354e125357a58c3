import type { Attributes, Meter, Span, SpanKind, SpanStatusCode, Tracer } from '@opentelemetry/api';
import type { AnalyzeBatchOptions } from '../analyzer/analyzer.js';
import type { AnalysisResult, MemoryEntry, SourceType } from '../analyzer/types.js';
import { SOURCE_TYPES } from '../analyzer/types.js';
import { InvalidInputError, InvalidOptionError, MemgarError } from '../errors/index.js';
import { AnalysisMetrics } from './analysis-metrics.js';
import { loadOtelApi } from './load-otel-api.js';
import { ANALYSIS_ATTRIBUTES, SPAN_ANALYZE, SPAN_ANALYZE_BATCH } from './semantic-names.js';

/** The instrumentation scope name of memgar's tracer and meter. */
export const INSTRUMENTATION_SCOPE = '@memgar/core';

/** What `traceAnalyzer` can wrap: an `Analyzer`, or anything with the same `analyze`. */
export interface TraceableAnalyzer {
  analyze(input: MemoryEntry | string): Promise<AnalysisResult>;
}

/** Options of `traceAnalyzer`. */
export interface TraceAnalyzerOptions {
  /**
   * The tracer `memgar.analyze` spans are started with.
   * @default `trace.getTracer('@memgar/core')` of `@opentelemetry/api` — the globally registered
   * provider (spans are no-ops until one is registered)
   */
  tracer?: Tracer;
  /**
   * The meter the `memgar.analyses`, `memgar.analysis.duration` and `memgar.analysis.risk_score`
   * instruments are created on; `false` records no metrics.
   * @default `metrics.getMeter('@memgar/core')` of `@opentelemetry/api` (the global provider)
   */
  meter?: Meter | false;
  /**
   * Also put the entry's `sourceId`, `agentId` and `tenantId` on spans (`memgar.source_id`, …).
   * Off by default: ids can be URLs or user ids, and they are high-cardinality. They never go on
   * metrics.
   * @default false
   */
  recordIds?: boolean;
}

const KNOWN_OPTIONS = new Set(['tracer', 'meter', 'recordIds']);
const SOURCE_TYPE_SET: ReadonlySet<string> = new Set(SOURCE_TYPES);
const MAX_RULE_IDS = 32;
const SPAN_KIND_INTERNAL = 0 as SpanKind;
const STATUS_ERROR = 2 as SpanStatusCode;

interface Tools {
  tracer: Tracer | undefined;
  metrics: AnalysisMetrics | undefined;
}

/**
 * Wraps an analyzer so that every `analyze()` runs inside an active `memgar.analyze` span (its
 * decision, risk score, source type, rule ids and degraded layers as attributes; errors recorded
 * and the status set to `ERROR`) and is counted in OpenTelemetry metrics. `analyzeBatch()` runs
 * inside a `memgar.analyze_batch` span whose children are the entries' spans. Everything else
 * (`healthCheck`, `listRules`, …) passes through untouched.
 *
 * Only `@opentelemetry/api` is used, loaded on the first call when no `tracer`/`meter` is passed;
 * bring your own SDK. When the API is not installed, or the SDK throws, the analysis runs untraced:
 * tracing never changes a result or fails a call that would have succeeded.
 *
 * @example
 * const analyzer = traceAnalyzer(new Analyzer({ failClose: true }));
 * await analyzer.analyze({ content, sourceType: 'rag' }); // → span `memgar.analyze`
 */
export function traceAnalyzer<T extends TraceableAnalyzer>(
  analyzer: T,
  options: TraceAnalyzerOptions = {},
): T {
  if (typeof analyzer?.analyze !== 'function') {
    throw new InvalidOptionError('analyzer', 'traceAnalyzer needs an analyzer with an analyze(entry) method');
  }
  const tracing = new AnalyzeTracing(checkOptions(options));
  const analyze = (input: MemoryEntry | string): Promise<AnalysisResult> =>
    tracing.analyze(input, () => analyzer.analyze(input));
  const analyzeBatch = (
    entries: readonly (MemoryEntry | string)[],
    batchOptions: AnalyzeBatchOptions = {},
  ): Promise<AnalysisResult[]> => tracing.batch(entries, batchOptions, analyze);
  const bound = new Map<PropertyKey, unknown>();
  return new Proxy(analyzer, {
    get(target, prop) {
      if (prop === 'analyze') return analyze;
      if (prop === 'analyzeBatch' && typeof Reflect.get(target, prop, target) === 'function')
        return analyzeBatch;
      const value: unknown = Reflect.get(target, prop, target);
      if (typeof value !== 'function') return value;
      // Methods run on the real object: class private fields do not resolve through a proxy.
      let fn = bound.get(prop);
      if (fn === undefined) {
        fn = (value as (...args: unknown[]) => unknown).bind(target);
        bound.set(prop, fn);
      }
      return fn;
    },
  });
}

function checkOptions(options: TraceAnalyzerOptions): TraceAnalyzerOptions {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new InvalidOptionError('options', 'options: must be an object');
  }
  for (const key of Object.keys(options)) {
    if (!KNOWN_OPTIONS.has(key)) throw new InvalidOptionError(key, `${key}: unknown option`);
  }
  if (options.tracer !== undefined && typeof options.tracer?.startActiveSpan !== 'function') {
    throw new InvalidOptionError('tracer', 'tracer: must be an OpenTelemetry Tracer');
  }
  const m = options.meter;
  if (
    m !== undefined &&
    m !== false &&
    (typeof m?.createCounter !== 'function' || typeof m.createHistogram !== 'function')
  ) {
    throw new InvalidOptionError('meter', 'meter: must be an OpenTelemetry Meter or false');
  }
  if (options.recordIds !== undefined && typeof options.recordIds !== 'boolean') {
    throw new InvalidOptionError('recordIds', 'recordIds: must be a boolean');
  }
  return options;
}

class AnalyzeTracing {
  readonly #options: TraceAnalyzerOptions;
  #tools: Tools | undefined;
  #loading: Promise<Tools> | undefined;

  constructor(options: TraceAnalyzerOptions) {
    this.#options = options;
    const { tracer, meter } = options;
    if (tracer !== undefined && meter !== undefined) {
      this.#tools = { tracer, metrics: meter === false ? undefined : safeMetrics(meter) };
    }
  }

  async analyze(input: MemoryEntry | string, run: () => Promise<AnalysisResult>): Promise<AnalysisResult> {
    const tools = this.#tools ?? (await this.#load());
    if (tools.tracer === undefined && tools.metrics === undefined) return run();
    const sourceType = sourceTypeOf(input);
    const t0 = now();
    let entered = false;
    const body = async (span: Span | undefined): Promise<AnalysisResult> => {
      entered = true;
      try {
        const result = await run();
        guard(() => span?.setAttributes(resultAttributes(result)));
        guard(() => tools.metrics?.recordResult(result, now() - t0));
        return result;
      } catch (error) {
        const errorType = errorTypeOf(error);
        guard(() => span && recordError(span, error, errorType));
        guard(() => tools.metrics?.recordError(sourceType, errorType, now() - t0));
        throw error;
      } finally {
        guard(() => span?.end());
      }
    };
    if (tools.tracer === undefined) return body(undefined);
    try {
      return await tools.tracer.startActiveSpan(
        SPAN_ANALYZE,
        { kind: SPAN_KIND_INTERNAL, attributes: this.#startAttributes(input, sourceType) },
        body,
      );
    } catch (error) {
      // A tracer that fails before running the analysis must not cost the caller a result.
      if (entered) throw error;
      return body(undefined);
    }
  }

  async batch(
    entries: readonly (MemoryEntry | string)[],
    options: AnalyzeBatchOptions,
    analyze: (input: MemoryEntry | string) => Promise<AnalysisResult>,
  ): Promise<AnalysisResult[]> {
    if (!Array.isArray(entries))
      throw new InvalidInputError('entries', 'analyzeBatch expects an array of entries');
    const concurrency = options?.concurrency ?? 8;
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw new InvalidOptionError('concurrency', 'concurrency must be an integer ≥ 1');
    }
    const run = async (): Promise<AnalysisResult[]> => {
      const results = new Array<AnalysisResult>(entries.length);
      let next = 0;
      const worker = async (): Promise<void> => {
        while (next < entries.length) {
          const i = next++;
          results[i] = await analyze(entries[i] as MemoryEntry | string);
        }
      };
      await Promise.all(Array.from({ length: Math.min(concurrency, entries.length) }, worker));
      return results;
    };
    const tools = this.#tools ?? (await this.#load());
    if (tools.tracer === undefined) return run();
    let entered = false;
    try {
      return await tools.tracer.startActiveSpan(
        SPAN_ANALYZE_BATCH,
        { kind: SPAN_KIND_INTERNAL, attributes: { [ANALYSIS_ATTRIBUTES.batchSize]: entries.length } },
        async (span) => {
          entered = true;
          try {
            return await run();
          } catch (error) {
            guard(() => recordError(span, error, errorTypeOf(error)));
            throw error;
          } finally {
            guard(() => span.end());
          }
        },
      );
    } catch (error) {
      if (entered) throw error;
      return run();
    }
  }

  #startAttributes(input: MemoryEntry | string, sourceType: SourceType): Attributes {
    const attrs: Attributes = { [ANALYSIS_ATTRIBUTES.sourceType]: sourceType };
    if (typeof input === 'object' && input !== null) {
      if (typeof input.content === 'string') attrs[ANALYSIS_ATTRIBUTES.contentLength] = input.content.length;
      if (this.#options.recordIds === true) {
        if (typeof input.sourceId === 'string') attrs[ANALYSIS_ATTRIBUTES.sourceId] = input.sourceId;
        if (typeof input.agentId === 'string') attrs[ANALYSIS_ATTRIBUTES.agentId] = input.agentId;
        if (typeof input.tenantId === 'string') attrs[ANALYSIS_ATTRIBUTES.tenantId] = input.tenantId;
      }
    } else if (typeof input === 'string') {
      attrs[ANALYSIS_ATTRIBUTES.contentLength] = input.length;
    }
    return attrs;
  }

  #load(): Promise<Tools> {
    this.#loading ??= loadOtelApi().then((api) => {
      const { tracer, meter } = this.#options;
      const t = tracer ?? guard(() => api?.trace.getTracer(INSTRUMENTATION_SCOPE));
      const m =
        meter === false ? undefined : (meter ?? guard(() => api?.metrics.getMeter(INSTRUMENTATION_SCOPE)));
      const tools: Tools = { tracer: t, metrics: m === undefined ? undefined : safeMetrics(m) };
      this.#tools = tools;
      return tools;
    });
    return this.#loading;
  }
}

/** The attributes known once the analysis is done. */
export function resultAttributes(result: AnalysisResult): Attributes {
  const ruleIds = [...new Set(result.findings.map((f) => f.ruleId))];
  return {
    [ANALYSIS_ATTRIBUTES.decision]: result.decision,
    [ANALYSIS_ATTRIBUTES.riskScore]: result.riskScore,
    [ANALYSIS_ATTRIBUTES.sourceType]: result.sourceType,
    [ANALYSIS_ATTRIBUTES.trust]: result.trust,
    [ANALYSIS_ATTRIBUTES.findingsCount]: result.findings.length,
    [ANALYSIS_ATTRIBUTES.ruleIds]: ruleIds.slice(0, MAX_RULE_IDS),
    [ANALYSIS_ATTRIBUTES.ruleIdsCount]: ruleIds.length,
    [ANALYSIS_ATTRIBUTES.degraded]: [...result.degraded],
    [ANALYSIS_ATTRIBUTES.degradedCount]: result.degraded.length,
    [ANALYSIS_ATTRIBUTES.sanitized]: result.sanitized !== undefined,
    [ANALYSIS_ATTRIBUTES.durationMs]: result.durationMs,
  };
}

function recordError(span: Span, error: unknown, errorType: string): void {
  span.recordException(error instanceof Error ? error : String(error));
  span.setAttribute(ANALYSIS_ATTRIBUTES.errorType, errorType);
  span.setStatus({ code: STATUS_ERROR, message: error instanceof Error ? error.message : String(error) });
}

function errorTypeOf(error: unknown): string {
  if (MemgarError.isInstance(error)) return error.code;
  if (error instanceof Error) return error.name;
  return typeof error;
}

function sourceTypeOf(input: unknown): SourceType {
  const t =
    typeof input === 'object' && input !== null ? (input as { sourceType?: unknown }).sourceType : undefined;
  return typeof t === 'string' && SOURCE_TYPE_SET.has(t) ? (t as SourceType) : 'unknown';
}

function safeMetrics(meter: Meter): AnalysisMetrics | undefined {
  return guard(() => new AnalysisMetrics(meter));
}

/** Runs telemetry code; whatever it throws is dropped (telemetry never breaks analysis). */
function guard<R>(fn: () => R): R | undefined {
  try {
    return fn();
  } catch {
    return undefined;
  }
}

function now(): number {
  return globalThis.performance.now();
}

import type { AnalysisEvent, AnalysisObserver } from '../analyzer/observers.js';
import { DECISIONS, type Decision, type MitreIds } from '../analyzer/types.js';
import { InvalidOptionError } from '../errors/index.js';
import { BUILTIN_RULES } from '../rules/index.js';
import type { AuditEvent, AuditSink } from '../runtime/audit.js';
import { checkKnownKeys } from './check-options.js';
import { analysisToOcsf, auditEventToOcsf, type OcsfDetectionFinding, type OcsfOptions } from './ocsf.js';
import type { SiemHandler, SiemHandlerStats } from './siem-handler.js';

/** The decisions that produce a SIEM event unless `decisions` says otherwise. */
export const DEFAULT_SIEM_DECISIONS: readonly Decision[] = [
  'sanitize',
  'human_review',
  'quarantine',
  'block',
];

export interface SiemEventEmitterOptions extends OcsfOptions {
  /** Where the OCSF events go (Splunk HEC, Kafka, webhook, syslog, file, or your own). */
  handlers: readonly SiemHandler<OcsfDetectionFinding>[];
  /** Decisions that produce an event. @default every decision except `allow` */
  decisions?: readonly Decision[];
  /**
   * MITRE ids of a rule, for memory-boundary audit events (they carry rule ids, not findings).
   * @default the built-in rules' MITRE ids
   */
  mitre?: (ruleId: string) => MitreIds | undefined;
  /** Rewrites or drops (return `null`) an event before it is handed to the handlers. @default none */
  transform?: (event: OcsfDetectionFinding) => OcsfDetectionFinding | null;
  /** Called when mapping an event or a handler's `send` throws (never rethrown). @default ignore */
  onError?: (error: unknown) => void;
}

const KEYS = [
  'handlers',
  'decisions',
  'mitre',
  'transform',
  'onError',
  'productName',
  'vendorName',
  'productVersion',
  'logName',
  'includeContent',
  'now',
];

let builtinMitre: Map<string, MitreIds> | undefined;

function builtinLookup(ruleId: string): MitreIds | undefined {
  builtinMitre ??= new Map(BUILTIN_RULES.map((r) => [r.id, r.mitre]));
  return builtinMitre.get(ruleId);
}

/**
 * Turns memgar decisions into OCSF Detection Findings (class_uid 2004) and hands them to SIEM
 * handlers. It is an `AnalysisObserver` (pass it in the analyzer's `observers` or to
 * `addAnalysisObserver`) and an `AuditSink` (pass it as the memory runtime's audit sink); wire
 * both and each decision gives two events, told apart by `unmapped.kind`.
 *
 * Mapping and queueing are synchronous and cheap; delivery happens in the handlers' background.
 * Nothing here throws into the analysis: a failing mapping or handler goes to `onError`.
 */
export class SiemEventEmitter implements AnalysisObserver, AuditSink {
  readonly #handlers: readonly SiemHandler<OcsfDetectionFinding>[];
  readonly #decisions: ReadonlySet<Decision>;
  readonly #ocsf: OcsfOptions;
  readonly #mitre: (ruleId: string) => MitreIds | undefined;
  readonly #transform: ((event: OcsfDetectionFinding) => OcsfDetectionFinding | null) | undefined;
  readonly #onError: ((error: unknown) => void) | undefined;
  #emitted = 0;

  constructor(options: SiemEventEmitterOptions) {
    checkKnownKeys(options, KEYS);
    if (!Array.isArray(options.handlers)) {
      throw new InvalidOptionError('handlers', 'handlers: must be an array of SIEM handlers');
    }
    for (const [i, h] of options.handlers.entries()) {
      if (typeof h?.send !== 'function' || typeof h.flush !== 'function' || typeof h.close !== 'function') {
        throw new InvalidOptionError(`handlers[${i}]`, `handlers[${i}]: needs send, flush, close and stats`);
      }
    }
    const decisions = options.decisions ?? DEFAULT_SIEM_DECISIONS;
    for (const d of decisions) {
      if (!DECISIONS.includes(d))
        throw new InvalidOptionError('decisions', `decisions: unknown decision ${String(d)}`);
    }
    this.#handlers = [...options.handlers];
    this.#decisions = new Set(decisions);
    this.#mitre = options.mitre ?? builtinLookup;
    this.#transform = options.transform;
    this.#onError = options.onError;
    const ocsf: OcsfOptions = {};
    if (options.productName !== undefined) ocsf.productName = options.productName;
    if (options.vendorName !== undefined) ocsf.vendorName = options.vendorName;
    if (options.productVersion !== undefined) ocsf.productVersion = options.productVersion;
    if (options.logName !== undefined) ocsf.logName = options.logName;
    if (options.includeContent !== undefined) ocsf.includeContent = options.includeContent;
    if (options.now !== undefined) ocsf.now = options.now;
    this.#ocsf = ocsf;
  }

  /** `AnalysisObserver`: one event per analysis whose decision is in `decisions`. */
  onAnalysis(event: AnalysisEvent): void {
    if (!this.#decisions.has(event.result.decision)) return;
    this.#guard(() => analysisToOcsf(event, this.#ocsf));
  }

  /** `AuditSink`: one event per memory-boundary decision whose decision is in `decisions`. */
  record(event: AuditEvent): void {
    if (!this.#decisions.has(event.decision)) return;
    this.#guard(() => auditEventToOcsf(event, this.#ocsf, this.#mitre));
  }

  /** Hands an already built event to every handler (after `transform`). */
  emit(event: OcsfDetectionFinding): void {
    const out = this.#transform ? this.#transform(event) : event;
    if (out === null) return;
    this.#emitted++;
    for (const h of this.#handlers) {
      try {
        h.send(out);
      } catch (e) {
        this.#report(e);
      }
    }
  }

  /** Events handed to the handlers so far. */
  get emitted(): number {
    return this.#emitted;
  }

  /** Flushes every handler. Never rejects. */
  async flush(): Promise<void> {
    await Promise.allSettled(this.#handlers.map((h) => h.flush()));
  }

  /** Flushes and closes every handler. Never rejects. */
  async close(): Promise<void> {
    await Promise.allSettled(this.#handlers.map((h) => h.close()));
  }

  /** Each handler's stats, by handler name (a repeated name gets `#2`, `#3`…). */
  stats(): Record<string, SiemHandlerStats> {
    const out: Record<string, SiemHandlerStats> = {};
    for (const h of this.#handlers) {
      let key = h.name;
      for (let n = 2; key in out; n++) key = `${h.name}#${n}`;
      try {
        out[key] = h.stats();
      } catch (e) {
        this.#report(e);
      }
    }
    return out;
  }

  #guard(build: () => OcsfDetectionFinding): void {
    try {
      this.emit(build());
    } catch (e) {
      this.#report(e);
    }
  }

  #report(error: unknown): void {
    try {
      this.#onError?.(error);
    } catch {
      // Never into the analysis.
    }
  }
}

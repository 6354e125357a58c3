import type { AnalysisEvent, AnalysisObserver } from '../analyzer/observers.js';
import {
  DECISIONS,
  type Decision,
  type EvidenceView,
  type LayerName,
  type MitreIds,
  type RuleCategory,
  type Severity,
  type SourceType,
} from '../analyzer/types.js';
import { InvalidOptionError } from '../errors/index.js';
import type { Boundary } from '../policy/index.js';
import type { AuditEvent, AuditSink } from '../runtime/audit.js';
import { sha256Hex } from '../runtime/content-hash.js';
import { checkKnownKeys } from './check-options.js';
import { newEventId } from './ocsf.js';
import type { SiemHandler, SiemHandlerStats } from './siem-handler.js';

/** One finding in an audit record. */
export interface AuditRecordFinding {
  ruleId: string;
  title: string;
  category: RuleCategory;
  severity: Severity;
  layer: LayerName;
  mitre: MitreIds;
  evidence: {
    view: EvidenceView;
    start: number;
    end: number;
    /** SHA-256 (hex) of the matched text (the decoded text for decoded views). */
    sha256: string;
    /** The matched text: only with `redact: 'none'`. */
    text?: string;
  };
}

/** One structured audit record: a decision of the analyzer or of a memory boundary. */
export interface AuditRecord {
  /** Always `memgar.audit`, to tell these lines apart in a shared log. */
  type: 'memgar.audit';
  /** `analysis` for an analyzer result, `boundary` for a memory-boundary decision. */
  kind: 'analysis' | 'boundary';
  id: string;
  /** ISO 8601. */
  timestamp: string;
  decision: Decision;
  riskScore?: number;
  ruleIds: string[];
  sourceType?: SourceType;
  sourceId?: string;
  agentId?: string;
  tenantId?: string;
  contentLength: number;
  /** SHA-256 (hex) of the content, when the producer computed it (boundary events). */
  contentHash?: string;
  /** Raw content: only with `redact: 'none'` and a boundary event that carried it. */
  content?: string;
  /** Analysis records. */
  findings?: AuditRecordFinding[];
  trust?: number;
  degraded?: string[];
  durationMs?: number;
  /** Boundary records. */
  boundary?: Boundary;
  allowed?: boolean;
  rule?: string;
  reason?: string;
  principal?: string;
  toolName?: string;
  chunkIndex?: number;
  chunkId?: string;
  path?: string;
  queryHash?: string;
}

/**
 * How much raw content records carry: `'hash'` keeps hashes, offsets and lengths only;
 * `'none'` keeps the matched text and any content the event carried; a function receives the
 * full record (with text) and returns what to log, or `null` to skip it.
 */
export type AuditRedaction = 'hash' | 'none' | ((record: AuditRecord) => AuditRecord | null);

export interface AuditLogOptions {
  /** Where records go: `createFileHandler`, `createConsoleHandler`, any SIEM handler, or your own. */
  transports: readonly SiemHandler<AuditRecord>[];
  /** Raw content in records. @default 'hash' (no raw content) */
  redact?: AuditRedaction;
  /** Decisions that are recorded. @default every decision */
  decisions?: readonly Decision[];
  /** Called when building a record or a transport's `send` throws (never rethrown). @default ignore */
  onError?: (error: unknown) => void;
  /** The clock of analysis records. @default Date.now */
  now?: () => number;
}

const KEYS = ['transports', 'redact', 'decisions', 'onError', 'now'];

/** An audit log: an `AnalysisObserver` and an `AuditSink` writing `AuditRecord`s to transports. */
export interface AuditLog extends AnalysisObserver, AuditSink {
  /** Flushes every transport. Never rejects. */
  flush(): Promise<void>;
  /** Flushes and closes every transport. Never rejects. */
  close(): Promise<void>;
  /** Each transport's stats, by name. */
  stats(): Record<string, SiemHandlerStats>;
  /** Records written to the transports so far. */
  readonly recorded: number;
}

function analysisRecord(event: AnalysisEvent, time: number): AuditRecord {
  const r = event.result;
  const record: AuditRecord = {
    type: 'memgar.audit',
    kind: 'analysis',
    id: newEventId(),
    timestamp: new Date(time).toISOString(),
    decision: r.decision,
    riskScore: r.riskScore,
    ruleIds: [...new Set(r.findings.map((f) => f.ruleId))],
    sourceType: event.sourceType,
    contentLength: event.contentLength,
    findings: r.findings.map((f) => {
      const text = f.evidence.decoded ?? f.evidence.text;
      return {
        ruleId: f.ruleId,
        title: f.title,
        category: f.category,
        severity: f.severity,
        layer: f.layer,
        mitre: { atlas: [...f.mitre.atlas], attack: [...f.mitre.attack] },
        evidence: {
          view: f.evidence.view,
          start: f.evidence.start,
          end: f.evidence.end,
          sha256: sha256Hex(text),
          text,
        },
      };
    }),
    trust: r.trust,
    durationMs: r.durationMs,
  };
  if (event.sourceId !== undefined) record.sourceId = event.sourceId;
  if (event.agentId !== undefined) record.agentId = event.agentId;
  if (event.tenantId !== undefined) record.tenantId = event.tenantId;
  if (r.degraded.length > 0) record.degraded = [...r.degraded];
  return record;
}

function boundaryRecord(e: AuditEvent): AuditRecord {
  const record: AuditRecord = {
    type: 'memgar.audit',
    kind: 'boundary',
    id: e.id,
    timestamp: e.timestamp,
    decision: e.decision,
    ruleIds: [...e.ruleIds],
    contentLength: e.contentLength,
    contentHash: e.contentHash,
    boundary: e.boundary,
    allowed: e.allowed,
    rule: e.rule,
    reason: e.reason,
  };
  const optional = [
    'riskScore',
    'sourceType',
    'sourceId',
    'agentId',
    'tenantId',
    'principal',
    'toolName',
    'chunkIndex',
    'chunkId',
    'path',
    'queryHash',
    'content',
  ] as const;
  for (const k of optional) if (e[k] !== undefined) (record as unknown as Record<string, unknown>)[k] = e[k];
  return record;
}

/** Removes every raw text: evidence text and content; hashes, offsets and lengths stay. */
export function redactAuditRecord(record: AuditRecord): AuditRecord {
  const out: AuditRecord = { ...record };
  delete out.content;
  if (record.findings) {
    out.findings = record.findings.map((f) => {
      const { text: _text, ...evidence } = f.evidence;
      return { ...f, evidence };
    });
  }
  return out;
}

/**
 * Creates an audit log of every decision: structured `AuditRecord`s (JSON) to file, console or
 * custom transports, with no raw content unless `redact` says so. Pass it as an analyzer
 * observer (`observers` or `addAnalysisObserver`) and/or as the memory runtime's audit sink.
 * Transports are SIEM handlers, so they batch, retry and drop-and-count the same way; recording
 * never throws into the analysis.
 */
export function createAuditLog(options: AuditLogOptions): AuditLog {
  checkKnownKeys(options, KEYS);
  if (!Array.isArray(options.transports)) {
    throw new InvalidOptionError('transports', 'transports: must be an array of handlers');
  }
  for (const [i, t] of options.transports.entries()) {
    if (typeof t?.send !== 'function' || typeof t.flush !== 'function' || typeof t.close !== 'function') {
      throw new InvalidOptionError(
        `transports[${i}]`,
        `transports[${i}]: needs send, flush, close and stats`,
      );
    }
  }
  const redact = options.redact ?? 'hash';
  if (redact !== 'hash' && redact !== 'none' && typeof redact !== 'function') {
    throw new InvalidOptionError(
      'redact',
      `redact: must be 'hash', 'none' or a function, got ${String(redact)}`,
    );
  }
  const decisions = new Set(options.decisions ?? DECISIONS);
  for (const d of decisions) {
    if (!DECISIONS.includes(d))
      throw new InvalidOptionError('decisions', `decisions: unknown decision ${String(d)}`);
  }
  const transports = [...options.transports];
  const now = options.now ?? Date.now;
  let recorded = 0;

  const report = (error: unknown): void => {
    try {
      options.onError?.(error);
    } catch {
      // Never into the analysis.
    }
  };
  const write = (build: () => AuditRecord): void => {
    let record: AuditRecord | null;
    try {
      const full = build();
      record = redact === 'hash' ? redactAuditRecord(full) : redact === 'none' ? full : redact(full);
    } catch (e) {
      report(e);
      return;
    }
    if (record === null) return;
    recorded++;
    for (const t of transports) {
      try {
        t.send(record);
      } catch (e) {
        report(e);
      }
    }
  };

  return {
    onAnalysis(event) {
      if (decisions.has(event.result.decision)) write(() => analysisRecord(event, now()));
    },
    record(event) {
      if (decisions.has(event.decision)) write(() => boundaryRecord(event));
    },
    async flush() {
      await Promise.allSettled(transports.map((t) => t.flush()));
    },
    async close() {
      await Promise.allSettled(transports.map((t) => t.close()));
    },
    stats() {
      const out: Record<string, SiemHandlerStats> = {};
      for (const t of transports) {
        let key = t.name;
        for (let n = 2; key in out; n++) key = `${t.name}#${n}`;
        try {
          out[key] = t.stats();
        } catch (e) {
          report(e);
        }
      }
      return out;
    },
    get recorded() {
      return recorded;
    },
  };
}

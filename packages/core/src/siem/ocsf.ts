/**
 * OCSF mapping: memgar decisions as OCSF **Detection Finding** events (class_uid 2004, category
 * Findings, OCSF 1.4.0, with the `security_control` profile for `action_id`, `disposition_id`
 * and `is_alert`). See docs/siem.md for the field-by-field mapping.
 */
import type { AnalysisEvent } from '../analyzer/observers.js';
import type { Decision, Finding, MitreIds, Severity, SourceType } from '../analyzer/types.js';
import type { AuditEvent } from '../runtime/audit.js';

export const OCSF_VERSION = '1.4.0';
export const OCSF_DETECTION_FINDING_CLASS_UID = 2004;
export const OCSF_FINDINGS_CATEGORY_UID = 2;

/** OCSF `severity_id`: 1 Informational, 2 Low, 3 Medium, 4 High, 5 Critical. */
export type OcsfSeverityId = 0 | 1 | 2 | 3 | 4 | 5 | 6 | 99;

/** One MITRE technique, as OCSF's `attack` object. */
export interface OcsfAttack {
  technique: { uid: string; name?: string };
  sub_technique?: { uid: string };
  /** `MITRE ATLAS` or `MITRE ATT&CK` (OCSF has no framework field; memgar records it here). */
  version?: string;
}

export interface OcsfAnalytic {
  uid: string;
  name?: string;
  /** 1 = Rule. */
  type_id: 1;
  type: 'Rule';
  category?: string;
}

export interface OcsfObservable {
  /** The path of the value inside this event, e.g. `unmapped.source_id`. */
  name: string;
  /** 8 Hash, 10 Resource UID, 99 Other. */
  type_id: 8 | 10 | 99;
  type: 'Hash' | 'Resource UID' | 'Other';
  value: string;
}

/** memgar's own fields, under OCSF `unmapped`. */
export interface OcsfUnmapped {
  /** `analysis` for an analyzer result, `boundary` for a memory-boundary audit event. */
  kind: 'analysis' | 'boundary';
  decision: Decision;
  risk_score?: number;
  rule_ids: string[];
  mitre_atlas: string[];
  mitre_attack: string[];
  source_type?: SourceType;
  source_id?: string;
  agent_id?: string;
  tenant_id?: string;
  content_length: number;
  content_hash?: string;
  /** Memory boundary events only. */
  boundary?: string;
  allowed?: boolean;
  policy_rule?: string;
  reason?: string;
  principal?: string;
  tool_name?: string;
  chunk_id?: string;
  chunk_index?: number;
  path?: string;
  degraded?: string[];
  trust?: number;
  /** Matched spans with their text: only with `includeContent: true`. */
  evidence?: { rule_id: string; view: string; start: number; end: number; text: string }[];
  /** Raw content of a boundary event that carried it: only with `includeContent: true`. */
  content?: string;
}

/** An OCSF 1.4.0 Detection Finding, as memgar fills it. */
export interface OcsfDetectionFinding {
  class_uid: 2004;
  class_name: 'Detection Finding';
  category_uid: 2;
  category_name: 'Findings';
  /** Always 1 (Create): each decision is a new finding. */
  activity_id: 1;
  activity_name: 'Create';
  /** `class_uid × 100 + activity_id` = 200401. */
  type_uid: 200401;
  type_name: 'Detection Finding: Create';
  /** Epoch milliseconds of the decision. */
  time: number;
  severity_id: OcsfSeverityId;
  severity: string;
  /** 1 New. */
  status_id: 1;
  status: 'New';
  /** 1 Allowed, 2 Denied, 4 Modified (security_control profile). */
  action_id: 1 | 2 | 4;
  action: 'Allowed' | 'Denied' | 'Modified';
  /** 1 Allowed, 2 Blocked, 3 Quarantined, 11 Corrected, 14 Delayed. */
  disposition_id: 1 | 2 | 3 | 11 | 14;
  disposition: string;
  /** Whether the consumer should treat this as an alert: every decision other than `allow`. */
  is_alert: boolean;
  /** One line without any content, e.g. `memgar block (risk 92): 2 findings (instruction_override)`. */
  message: string;
  risk_score?: number;
  /** 0 Info, 1 Low, 2 Medium, 3 High, 4 Critical. */
  risk_level_id?: 0 | 1 | 2 | 3 | 4;
  risk_level?: string;
  metadata: {
    version: string;
    uid: string;
    profiles: string[];
    product: { name: string; vendor_name: string; version?: string };
    tenant_uid?: string;
    log_name?: string;
  };
  finding_info: {
    uid: string;
    title: string;
    types: string[];
    created_time: number;
    attacks?: OcsfAttack[];
    related_analytics?: OcsfAnalytic[];
    analytic?: OcsfAnalytic;
  };
  observables?: OcsfObservable[];
  unmapped: OcsfUnmapped;
}

/** How memgar events become OCSF. */
export interface OcsfOptions {
  /** `metadata.product.name`. @default 'memgar' */
  productName?: string;
  /** `metadata.product.vendor_name`. @default 'memgar' */
  vendorName?: string;
  /** `metadata.product.version`. @default omitted */
  productVersion?: string;
  /** `metadata.log_name`, e.g. the environment. @default omitted */
  logName?: string;
  /**
   * Put raw content in the event: the matched text of each finding (`unmapped.evidence`) and a
   * boundary event's `content` when it carries one. Evidence is attacker-controlled text and
   * may hold secrets; leave this off unless the SIEM is allowed to store memory content.
   * @default false
   */
  includeContent?: boolean;
  /** The event time. @default Date.now */
  now?: () => number;
}

const SEVERITY_ID: Readonly<Record<Severity, OcsfSeverityId>> = {
  info: 1,
  low: 2,
  medium: 3,
  high: 4,
  critical: 5,
};
const SEVERITY_NAME: Readonly<Record<number, string>> = {
  0: 'Unknown',
  1: 'Informational',
  2: 'Low',
  3: 'Medium',
  4: 'High',
  5: 'Critical',
};
/** The severity of a decision without findings (e.g. a fail-closed quarantine). */
const DECISION_SEVERITY: Readonly<Record<Decision, OcsfSeverityId>> = {
  allow: 1,
  sanitize: 2,
  human_review: 2,
  quarantine: 3,
  block: 4,
};
const ACTION: Readonly<Record<Decision, [1 | 2 | 4, OcsfDetectionFinding['action']]>> = {
  allow: [1, 'Allowed'],
  sanitize: [4, 'Modified'],
  human_review: [2, 'Denied'],
  quarantine: [2, 'Denied'],
  block: [2, 'Denied'],
};
const DISPOSITION: Readonly<Record<Decision, [OcsfDetectionFinding['disposition_id'], string]>> = {
  allow: [1, 'Allowed'],
  sanitize: [11, 'Corrected'],
  human_review: [14, 'Delayed'],
  quarantine: [3, 'Quarantined'],
  block: [2, 'Blocked'],
};
const RISK_LEVEL = ['Info', 'Low', 'Medium', 'High', 'Critical'] as const;

let counter = 0;

/** @internal A random UUID where the runtime has one. */
export function newEventId(): string {
  const c = (globalThis as { crypto?: { randomUUID?: () => string } }).crypto;
  if (typeof c?.randomUUID === 'function') return c.randomUUID();
  counter = (counter + 1) % Number.MAX_SAFE_INTEGER;
  return `evt-${Date.now().toString(36)}-${counter.toString(36)}`;
}

/** `AML.T0051.001` → technique `AML.T0051`, sub-technique `AML.T0051.001`; `T1567` → technique only. */
export function toOcsfAttack(id: string, framework: 'MITRE ATLAS' | 'MITRE ATT&CK'): OcsfAttack {
  const parts = id.split('.');
  const techniqueParts = id.startsWith('AML.') ? 2 : 1;
  if (parts.length > techniqueParts) {
    return {
      technique: { uid: parts.slice(0, techniqueParts).join('.') },
      sub_technique: { uid: id },
      version: framework,
    };
  }
  return { technique: { uid: id }, version: framework };
}

function riskLevel(score: number): 0 | 1 | 2 | 3 | 4 {
  return Math.max(0, Math.min(4, Math.floor(score / 20))) as 0 | 1 | 2 | 3 | 4;
}

interface Common {
  kind: 'analysis' | 'boundary';
  time: number;
  uid: string;
  decision: Decision;
  riskScore: number | undefined;
  findings: readonly Finding[];
  /** MITRE ids known from elsewhere (a rule lookup). */
  mitre: readonly MitreIds[];
  ruleIds: readonly string[];
  sourceType: SourceType | undefined;
  sourceId: string | undefined;
  agentId: string | undefined;
  tenantId: string | undefined;
  contentLength: number;
  contentHash: string | undefined;
  title: string;
}

function build(c: Common, o: OcsfOptions, extra: Partial<OcsfUnmapped>): OcsfDetectionFinding {
  const atlas = new Set<string>();
  const attack = new Set<string>();
  const categories = new Set<string>();
  let severityId: OcsfSeverityId = 0;
  for (const f of c.findings) {
    for (const id of f.mitre.atlas) atlas.add(id);
    for (const id of f.mitre.attack) attack.add(id);
    categories.add(f.category);
    severityId = Math.max(severityId, SEVERITY_ID[f.severity]) as OcsfSeverityId;
  }
  for (const m of c.mitre) {
    for (const id of m.atlas) atlas.add(id);
    for (const id of m.attack) attack.add(id);
  }
  if (severityId === 0) severityId = DECISION_SEVERITY[c.decision];
  const ruleIds = [...new Set(c.ruleIds)];
  const [actionId, action] = ACTION[c.decision];
  const [dispositionId, disposition] = DISPOSITION[c.decision];

  const unmapped: OcsfUnmapped = {
    kind: c.kind,
    decision: c.decision,
    rule_ids: ruleIds,
    mitre_atlas: [...atlas],
    mitre_attack: [...attack],
    content_length: c.contentLength,
  };
  if (c.riskScore !== undefined) unmapped.risk_score = c.riskScore;
  if (c.sourceType !== undefined) unmapped.source_type = c.sourceType;
  if (c.sourceId !== undefined) unmapped.source_id = c.sourceId;
  if (c.agentId !== undefined) unmapped.agent_id = c.agentId;
  if (c.tenantId !== undefined) unmapped.tenant_id = c.tenantId;
  if (c.contentHash !== undefined) unmapped.content_hash = c.contentHash;
  Object.assign(unmapped, extra);

  const observables: OcsfObservable[] = [];
  if (c.sourceId !== undefined)
    observables.push({ name: 'unmapped.source_id', type_id: 10, type: 'Resource UID', value: c.sourceId });
  if (c.agentId !== undefined)
    observables.push({ name: 'unmapped.agent_id', type_id: 10, type: 'Resource UID', value: c.agentId });
  if (c.tenantId !== undefined)
    observables.push({ name: 'unmapped.tenant_id', type_id: 99, type: 'Other', value: c.tenantId });
  if (c.contentHash !== undefined)
    observables.push({ name: 'unmapped.content_hash', type_id: 8, type: 'Hash', value: c.contentHash });

  const analytics: OcsfAnalytic[] = [];
  const seen = new Set<string>();
  for (const f of c.findings) {
    if (seen.has(f.ruleId)) continue;
    seen.add(f.ruleId);
    analytics.push({ uid: f.ruleId, name: f.title, type_id: 1, type: 'Rule', category: f.category });
  }
  for (const id of ruleIds) if (!seen.has(id)) analytics.push({ uid: id, type_id: 1, type: 'Rule' });

  const attacks = [
    ...[...atlas].map((id) => toOcsfAttack(id, 'MITRE ATLAS')),
    ...[...attack].map((id) => toOcsfAttack(id, 'MITRE ATT&CK')),
  ];

  const product: OcsfDetectionFinding['metadata']['product'] = {
    name: o.productName ?? 'memgar',
    vendor_name: o.vendorName ?? 'memgar',
  };
  if (o.productVersion !== undefined) product.version = o.productVersion;
  const metadata: OcsfDetectionFinding['metadata'] = {
    version: OCSF_VERSION,
    uid: c.uid,
    profiles: ['security_control'],
    product,
  };
  if (c.tenantId !== undefined) metadata.tenant_uid = c.tenantId;
  if (o.logName !== undefined) metadata.log_name = o.logName;

  const findingInfo: OcsfDetectionFinding['finding_info'] = {
    uid: c.uid,
    title: c.title,
    types: categories.size > 0 ? [...categories] : [c.decision],
    created_time: c.time,
  };
  if (attacks.length > 0) findingInfo.attacks = attacks;
  if (analytics.length > 0) {
    findingInfo.related_analytics = analytics;
    findingInfo.analytic = analytics[0]!;
  }

  const risk = c.riskScore === undefined ? '' : ` (risk ${c.riskScore})`;
  const what =
    c.findings.length > 0
      ? `: ${c.findings.length} finding(s) (${[...categories].join(', ')})`
      : ruleIds.length > 0
        ? `: ${ruleIds.join(', ')}`
        : '';
  const event: OcsfDetectionFinding = {
    class_uid: 2004,
    class_name: 'Detection Finding',
    category_uid: 2,
    category_name: 'Findings',
    activity_id: 1,
    activity_name: 'Create',
    type_uid: 200401,
    type_name: 'Detection Finding: Create',
    time: c.time,
    severity_id: severityId,
    severity: SEVERITY_NAME[severityId] ?? 'Unknown',
    status_id: 1,
    status: 'New',
    action_id: actionId,
    action,
    disposition_id: dispositionId,
    disposition,
    is_alert: c.decision !== 'allow',
    message: `memgar ${c.decision}${risk}${what}`,
    metadata,
    finding_info: findingInfo,
    unmapped,
  };
  if (c.riskScore !== undefined) {
    const level = riskLevel(c.riskScore);
    event.risk_score = Math.round(c.riskScore);
    event.risk_level_id = level;
    event.risk_level = RISK_LEVEL[level];
  }
  if (observables.length > 0) event.observables = observables;
  return event;
}

function title(decision: Decision, findings: readonly Finding[], fallback: string): string {
  const top = [...findings].sort((a, b) => SEVERITY_ID[b.severity] - SEVERITY_ID[a.severity])[0];
  return top ? `memgar ${decision}: ${top.title}` : `memgar ${decision}: ${fallback}`;
}

/** Maps one analyzer result (an `AnalysisObserver` event) to an OCSF Detection Finding. */
export function analysisToOcsf(event: AnalysisEvent, options: OcsfOptions = {}): OcsfDetectionFinding {
  const r = event.result;
  const extra: Partial<OcsfUnmapped> = { trust: r.trust };
  if (r.degraded.length > 0) extra.degraded = [...r.degraded];
  if (options.includeContent) {
    extra.evidence = r.findings.map((f) => ({
      rule_id: f.ruleId,
      view: f.evidence.view,
      start: f.evidence.start,
      end: f.evidence.end,
      text: f.evidence.decoded ?? f.evidence.text,
    }));
  }
  return build(
    {
      kind: 'analysis',
      time: (options.now ?? Date.now)(),
      uid: newEventId(),
      decision: r.decision,
      riskScore: r.riskScore,
      findings: r.findings,
      mitre: [],
      ruleIds: r.findings.map((f) => f.ruleId),
      sourceType: event.sourceType,
      sourceId: event.sourceId,
      agentId: event.agentId,
      tenantId: event.tenantId,
      contentLength: event.contentLength,
      contentHash: undefined,
      title: title(r.decision, r.findings, 'analysis'),
    },
    options,
    extra,
  );
}

/**
 * Maps one memory-boundary audit event (`MemoryRuntimeEnforcer`, `SecureMemoryStore`) to an OCSF
 * Detection Finding. Audit events carry rule ids but not findings, so `mitre` (a lookup from
 * rule id to its MITRE ids, e.g. built from `BUILTIN_RULES`) fills `attacks` when given.
 */
export function auditEventToOcsf(
  event: AuditEvent,
  options: OcsfOptions = {},
  mitre?: (ruleId: string) => MitreIds | undefined,
): OcsfDetectionFinding {
  const mitreIds: MitreIds[] = [];
  if (mitre) {
    for (const id of new Set(event.ruleIds)) {
      const ids = mitre(id);
      if (ids) mitreIds.push(ids);
    }
  }
  const parsed = Date.parse(event.timestamp);
  const extra: Partial<OcsfUnmapped> = {
    boundary: event.boundary,
    allowed: event.allowed,
    policy_rule: event.rule,
    reason: event.reason,
  };
  if (event.principal !== undefined) extra.principal = event.principal;
  if (event.toolName !== undefined) extra.tool_name = event.toolName;
  if (event.chunkId !== undefined) extra.chunk_id = event.chunkId;
  if (event.chunkIndex !== undefined) extra.chunk_index = event.chunkIndex;
  if (event.path !== undefined) extra.path = event.path;
  if (options.includeContent && event.content !== undefined) extra.content = event.content;
  return build(
    {
      kind: 'boundary',
      time: Number.isFinite(parsed) ? parsed : (options.now ?? Date.now)(),
      uid: event.id,
      decision: event.decision,
      riskScore: event.riskScore,
      findings: [],
      mitre: mitreIds,
      ruleIds: event.ruleIds,
      sourceType: event.sourceType,
      sourceId: event.sourceId,
      agentId: event.agentId,
      tenantId: event.tenantId,
      contentLength: event.contentLength,
      contentHash: event.contentHash,
      title: `memgar ${event.decision} at ${event.boundary}: ${event.rule}`,
    },
    options,
    extra,
  );
}

/**
 * The public data model of the analyzer. Every other module codes against these types.
 */

/** The five decisions memgar can return, weakest first. */
export const DECISIONS = ['allow', 'sanitize', 'human_review', 'quarantine', 'block'] as const;
export type Decision = (typeof DECISIONS)[number];

/** Where a text comes from. Drives the default source trust (see `layers/trust`). */
export const SOURCE_TYPES = [
  'system',
  'user',
  'agent',
  'memory',
  'document',
  'api',
  'rag',
  'tool',
  'web',
  'email',
  'unknown',
] as const;
export type SourceType = (typeof SOURCE_TYPES)[number];

export const SEVERITIES = ['info', 'low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Threat categories of the memory-poisoning threat model (DESIGN §2). */
export const RULE_CATEGORIES = [
  'instruction_override',
  'persistence',
  'exfiltration',
  'credential_harvesting',
  'privilege_escalation',
  'financial_fraud',
  'tool_hijacking',
  'system_prompt_leak',
  'memory_tampering',
  'role_manipulation',
  'hidden_instruction',
  'delayed_activation',
  'behavioral_anomaly',
  'custom',
] as const;
export type RuleCategory = (typeof RULE_CATEGORIES)[number];

/** One text to analyze. */
export interface MemoryEntry {
  /** The text that would be written to memory, retrieved into context, or returned by a tool. */
  content: string;
  /** Where it comes from. @default 'unknown' */
  sourceType?: SourceType;
  /** A stable id of the source (a URL, a tool name, a document id) for per-source trust. */
  sourceId?: string;
  /** The agent whose memory this is; keys the behavioural baseline. */
  agentId?: string;
  tenantId?: string;
  metadata?: Record<string, unknown>;
}

/** The view of the text a finding was made on. */
export type EvidenceView = 'text' | 'base64' | 'hex' | 'url' | 'html_entity' | 'rot13' | 'hidden';

export interface Evidence {
  /** The matched text as it stands in the original content (`content.slice(start, end)`). */
  text: string;
  /** Start offset in the original content (UTF-16 code units). */
  start: number;
  /** End offset (exclusive) in the original content. */
  end: number;
  /** `text` when found in the normalized text; otherwise the decoding that revealed it. */
  view: EvidenceView;
  /** For decoded views: the decoded text the rule matched. */
  decoded?: string;
}

export interface MitreIds {
  /** MITRE ATLAS technique ids, e.g. `AML.T0051.001`. */
  atlas: readonly string[];
  /** MITRE ATT&CK technique ids, e.g. `T1567`. */
  attack: readonly string[];
}

export interface Finding {
  ruleId: string;
  title: string;
  category: RuleCategory;
  severity: Severity;
  /** 0..1: how much this finding alone contributes to the risk. */
  weight: number;
  mitre: MitreIds;
  evidence: Evidence;
  /** Which layer produced the finding. */
  layer: LayerName;
}

export type LayerName = 'rules' | 'learned' | 'trust' | 'behavior' | 'judge';

export interface LayerContribution {
  /** Whether the layer ran for this entry. */
  ran: boolean;
  /** Points (0..100 scale) the layer added to the risk score; negative when it damped it. */
  delta: number;
  /** A short note: why the layer added what it did, or why it did not run. */
  note: string;
}

export interface AnalysisResult {
  decision: Decision;
  /** 0..100. */
  riskScore: number;
  findings: Finding[];
  layers: Record<LayerName, LayerContribution>;
  /** One line a human can read. */
  explanation: string;
  /** Present when `decision === 'sanitize'`: the content with the offending spans removed. */
  sanitized?: string;
  /** Subsystems that should have run and did not (e.g. `judge`). Non-empty + failClose → never `allow`. */
  degraded: string[];
  sourceType: SourceType;
  /** The trust (0..1) the source was given. */
  trust: number;
  /** Milliseconds spent. */
  durationMs: number;
}

export type HealthStatus = 'ok' | 'degraded' | 'disabled';

export interface SubsystemHealth {
  status: HealthStatus;
  detail: string;
}

export interface HealthReport {
  status: 'ok' | 'degraded';
  failClose: boolean;
  subsystems: Record<string, SubsystemHealth>;
}

import { InvalidOptionError } from '../errors/index.js';
import { checkInt, checkKnownKeys } from './check-options.js';
import { eventTimeMs } from './event-time.js';

/** Fields of an RFC 5424 message that do not come from the event. */
export interface SyslogFormatOptions {
  /** Facility code 0..23. @default 10 (authpriv: security/authorization) */
  facility?: number;
  /** HOSTNAME. @default '-' (the Node handler uses `os.hostname()`) */
  hostname?: string;
  /** APP-NAME. @default 'memgar' */
  appName?: string;
  /** PROCID. @default '-' (the Node handler uses the process id) */
  procId?: string;
  /** The SD-ID of the structured-data element. @default 'memgar@32473' (32473 is the documentation enterprise number; use your own) */
  sdId?: string;
  /** Start MSG with a UTF-8 byte-order mark (RFC 5424 MSG-UTF8); without it MSG is MSG-ANY. @default false */
  bom?: boolean;
}

export const SYSLOG_FORMAT_KEYS = ['facility', 'hostname', 'appName', 'procId', 'sdId', 'bom'] as const;

/** The fields of an OCSF event or an audit record that go into the header and structured data. */
export interface SyslogSummary {
  decision: string | undefined;
  riskScore: number | undefined;
  /** Syslog severity 0..7. */
  severity: number;
  ruleIds: string[];
  kind: string | undefined;
  tenantId: string | undefined;
  agentId: string | undefined;
  sourceId: string | undefined;
}

/** OCSF severity_id → syslog severity: Critical→2 crit, High→3 err, Medium→4 warning, Low→5 notice, else 6 info. */
const FROM_OCSF: Readonly<Record<number, number>> = { 6: 1, 5: 2, 4: 3, 3: 4, 2: 5, 1: 6 };
const FROM_DECISION: Readonly<Record<string, number>> = {
  block: 3,
  quarantine: 4,
  human_review: 5,
  sanitize: 5,
  allow: 6,
};

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** Reads the syslog-relevant fields of an OCSF Detection Finding or a memgar audit record. */
export function summarizeForSyslog(event: object): SyslogSummary {
  const e = event as Record<string, unknown>;
  const u = (typeof e.unmapped === 'object' && e.unmapped !== null ? e.unmapped : e) as Record<
    string,
    unknown
  >;
  const decision = str(u.decision);
  const risk =
    typeof u.risk_score === 'number'
      ? u.risk_score
      : typeof u.riskScore === 'number'
        ? u.riskScore
        : undefined;
  const rules = Array.isArray(u.rule_ids) ? u.rule_ids : Array.isArray(u.ruleIds) ? u.ruleIds : [];
  const severity =
    typeof e.severity_id === 'number'
      ? (FROM_OCSF[e.severity_id] ?? 6)
      : decision !== undefined
        ? (FROM_DECISION[decision] ?? 6)
        : 6;
  return {
    decision,
    riskScore: risk,
    severity,
    ruleIds: rules.filter((r): r is string => typeof r === 'string'),
    kind: str(u.kind),
    tenantId: str(u.tenant_id) ?? str(u.tenantId),
    agentId: str(u.agent_id) ?? str(u.agentId),
    sourceId: str(u.source_id) ?? str(u.sourceId),
  };
}

/** Printable US-ASCII (33..126) only, at most `max` characters; empty → NILVALUE `-`. */
function headerField(value: string | undefined, max: number): string {
  if (value === undefined) return '-';
  const clean = value.replace(/[^\x21-\x7e]/g, '_').slice(0, max);
  return clean.length > 0 ? clean : '-';
}

/** RFC 5424 PARAM-VALUE escaping: `"`, `\` and `]` get a backslash. */
function paramValue(value: string): string {
  return value.replace(/["\\\]]/g, (c) => `\\${c}`);
}

/** SD-NAME: printable US-ASCII except `=`, space, `]`, `"`; at most 32 characters. */
function sdName(value: string): string {
  return headerField(value.replace(/[= \]"]/g, '_'), 32);
}

/** @internal Checks syslog format options. */
export function checkSyslogFormat(options: SyslogFormatOptions, extra: readonly string[] = []): void {
  checkKnownKeys(options, [...SYSLOG_FORMAT_KEYS, ...extra]);
  checkInt('facility', options.facility, 0);
  if (options.facility !== undefined && options.facility > 23) {
    throw new InvalidOptionError('facility', `facility: must be 0..23, got ${options.facility}`);
  }
}

/**
 * One RFC 5424 message: `<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID [SD] MSG`, where PRI is
 * facility × 8 + severity (from the event's severity or decision), MSGID the decision, the
 * structured data `[memgar@32473 decision="…" risk="…" rules="…" kind="…" tenant="…" agent="…"
 * source="…"]`, and MSG the event as JSON.
 */
export function formatSyslog(event: object, options: SyslogFormatOptions = {}): string {
  const s = summarizeForSyslog(event);
  const pri = (options.facility ?? 10) * 8 + s.severity;
  const time = new Date(eventTimeMs(event)).toISOString();
  const params: [string, string | undefined][] = [
    ['decision', s.decision],
    ['risk', s.riskScore === undefined ? undefined : String(s.riskScore)],
    ['rules', s.ruleIds.length > 0 ? s.ruleIds.join(',') : undefined],
    ['kind', s.kind],
    ['tenant', s.tenantId],
    ['agent', s.agentId],
    ['source', s.sourceId],
  ];
  const sdParams = params
    .filter((p): p is [string, string] => p[1] !== undefined)
    .map(([k, v]) => ` ${k}="${paramValue(v)}"`)
    .join('');
  const sd = `[${sdName(options.sdId ?? 'memgar@32473')}${sdParams}]`;
  const header = [
    `<${pri}>1`,
    time,
    headerField(options.hostname, 255),
    headerField(options.appName ?? 'memgar', 48),
    headerField(options.procId, 128),
    headerField(s.decision, 32),
    sd,
  ].join(' ');
  return `${header} ${options.bom ? '\ufeff' : ''}${JSON.stringify(event)}`;
}

const encoder = new TextEncoder();

/** RFC 6587 octet-counting framing for stream transports: `MSG-LEN SP SYSLOG-MSG` (length in UTF-8 bytes). */
export function frameOctetCounting(message: string): string {
  return `${encoder.encode(message).length} ${message}`;
}

import type { LookupFunction } from 'node:net';
import {
  Analyzer,
  type AuditSink,
  type Canary,
  CanaryRegistry,
  canaryFingerprint,
  DECISIONS,
  DlpPolicy,
  type DlpPolicyOptions,
  InvalidOptionError,
  MemoryRuntimeEnforcer,
  type PolicyProfile,
  type PrometheusRegistry,
  ReviewQueue,
  SOURCE_TYPES,
} from '@memgar/core';
import type { EnforcerLike } from '@memgar/core/adapter-kit';
import { AddressPolicy } from './address-policy.js';
import type { CanaryRegistryLike, GatewayDecisionEvent } from './guard.js';
import { MemoryRateLimitStore, type RateLimit, type RateLimitStore, resolveRateLimit } from './limits.js';
import { DEFAULT_SOURCE_TYPES, type SourceTypes } from './providers.js';

/** A client key the gateway accepts, and the upstream key it is exchanged for. */
export interface GatewayKey {
  /** Names the key in logs, the policy view, rate-limit buckets and review items (never the key itself). */
  name: string;
  /** What the client sends (`Authorization: Bearer …`, or `x-api-key` for Anthropic clients). */
  clientKey: string;
  /** The key sent upstream; never returned to the client nor logged. */
  upstreamKey: string;
  /** The key sent on Anthropic routes. @default upstreamKey */
  anthropicUpstreamKey?: string;
  /** This key's rate limit. @default limits.rateLimit (none when that is unset) */
  rateLimit?: RateLimit;
}

/** Size, time and concurrency limits. */
export interface GatewayLimits {
  /** Largest request body (413 beyond). @default 4 MiB */
  maxBodyBytes?: number;
  /** Largest buffered upstream response, and largest streamed event (502 beyond). @default 16 MiB */
  maxResponseBytes?: number;
  /** Requests handled at once (503 beyond; a stream counts until it ends). @default 64 */
  maxConcurrent?: number;
  /** From the body read to the upstream's response headers (and the whole body when not streaming); 504 beyond. @default 120000 */
  requestTimeoutMs?: number;
  /** Time a client has to send its body (408 beyond). @default 30000 */
  clientBodyTimeoutMs?: number;
  /** Longest silence of an upstream stream before it is ended with an error event. @default 60000 */
  upstreamIdleTimeoutMs?: number;
  /** Connecting to the upstream. @default 10000 */
  connectTimeoutMs?: number;
  /** Rate limit of keys that have none of their own. @default none */
  rateLimit?: RateLimit;
  /** Longest wait for the rate-limit store (a Redis that is down); 503 beyond. @default 1000 */
  rateLimitTimeoutMs?: number;
}

/** What is scanned. */
export interface GatewayScanOptions {
  /** `all` messages on every request, or only `new` ones: those after the last assistant turn (system text always). @default 'all' */
  messages?: 'all' | 'new';
  /** Tool definitions (descriptions and schemas). @default true */
  toolDefinitions?: boolean;
  /** Response text (canaries, DLP, injection aimed at downstream agents). @default true */
  responses?: boolean;
  /** Run the analyzer on response text for injection aimed at downstream agents (canaries and DLP still run when off). @default true */
  responseInjection?: boolean;
}

/** One line of the request log (no keys, no content). */
export interface GatewayLogEntry {
  time: string;
  requestId: string;
  method: string;
  path: string;
  route: string;
  /** The key's name. */
  key?: string;
  status: number;
  /** `ok`, a refusal reason, `client_closed`. */
  outcome: string;
  durationMs: number;
}

export interface GatewayOptions {
  /** Where OpenAI routes go, without `/v1` (e.g. `https://api.openai.com`); its host must be allow-listed. */
  upstreamBaseUrl: string;
  /** Where Anthropic routes go. @default upstreamBaseUrl */
  anthropicBaseUrl?: string;
  /** Exact upstream hosts (`api.openai.com`, or `host:port` to pin the port too). */
  allowedUpstreamHosts: readonly string[];
  /** Let upstreams resolve to private, loopback, link-local or reserved addresses: all (`true`) or the listed addresses / CIDR ranges. @default false */
  allowPrivateUpstreams?: boolean | readonly string[];
  /** The client keys and their upstream keys. Requests without a listed key are refused (401). */
  keys: readonly GatewayKey[];
  /** Bearer token of `/__memgar/*` (health, metrics, policy); without it those routes are off (404). @default none */
  adminToken?: string;
  /** Further paths forwarded without content scanning (auth, key exchange and limits still apply); `/v1/files/*` matches a prefix. @default none */
  allowedPaths?: readonly string[];
  /** Decides every request part and response text. @default a MemoryRuntimeEnforcer over a new Analyzer({ profile, failClose }) */
  enforcer?: EnforcerLike;
  /** Policy profile of the default enforcer. @default 'balanced' */
  profile?: PolicyProfile;
  /** Degraded analysis becomes quarantine (default enforcer). @default false */
  failClose?: boolean;
  /** Audit sink of the default enforcer. @default none */
  audit?: AuditSink;
  scan?: GatewayScanOptions;
  /** Source types per kind of request text (they set the analyzer's trust). @default system, user, agent (assistant), tool (results, definitions), agent (call arguments), document (embeddings) */
  sourceTypes?: Partial<SourceTypes>;
  /** Canaries that must never appear in a response: a registry, or canaries (`{ token, label }` is enough). @default none */
  canaries?: CanaryRegistryLike | readonly (Canary | { token: string; label?: string })[];
  /** DLP: `requests` (default enforcer only) and `responses`. @default { requests: false, responses: {} } (responses: redact secrets and PII, block private keys) */
  dlp?: { requests?: DlpPolicyOptions | false; responses?: DlpPolicyOptions | false };
  /** Stream hold-back window in characters; must exceed the longest canary or secret as written. @default 256 */
  holdBack?: number;
  /** Where held requests (quarantine, human review) are queued. @default a new in-memory ReviewQueue */
  reviewQueue?: ReviewQueue;
  limits?: GatewayLimits;
  /** Where rate-limit buckets live; `redisRateLimitStore(client)` shares them between instances. @default in memory */
  rateLimitStore?: RateLimitStore;
  /** DNS lookup used for upstream connections (its answers are checked). @default dns.lookup */
  lookup?: LookupFunction;
  /** Called for every decision. Errors it throws are ignored. @default none */
  onDecision?: (event: GatewayDecisionEvent) => void;
  /** Called once per request. Errors it throws are ignored. @default none */
  log?: (entry: GatewayLogEntry) => void;
  /** A prom-client registry (e.g. from core's `enableMetrics`) appended to `/__memgar/metrics`. @default none */
  metricsRegistry?: PrometheusRegistry;
}

const KNOWN = new Set([
  'upstreamBaseUrl',
  'anthropicBaseUrl',
  'allowedUpstreamHosts',
  'allowPrivateUpstreams',
  'keys',
  'adminToken',
  'allowedPaths',
  'enforcer',
  'profile',
  'failClose',
  'audit',
  'scan',
  'sourceTypes',
  'canaries',
  'dlp',
  'holdBack',
  'reviewQueue',
  'limits',
  'rateLimitStore',
  'lookup',
  'onDecision',
  'log',
  'metricsRegistry',
]);

/** A key after validation. */
export interface ResolvedKey extends Omit<GatewayKey, 'rateLimit'> {
  rateLimit: Required<RateLimit> | undefined;
}

const nonEmpty = (v: unknown): v is string => typeof v === 'string' && v.trim() !== '';

function positive(option: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new InvalidOptionError(option, `${option} must be a positive integer, got ${String(value)}`);
  }
  return value;
}

function toRegistry(canaries: GatewayOptions['canaries']): CanaryRegistryLike | undefined {
  if (canaries === undefined) return undefined;
  if (!Array.isArray(canaries)) {
    if (typeof (canaries as CanaryRegistryLike).scan !== 'function') {
      throw new InvalidOptionError('canaries', 'canaries must be a CanaryRegistry or a list of canaries');
    }
    return canaries as CanaryRegistryLike;
  }
  return new CanaryRegistry({
    canaries: canaries.map((c: Canary | { token: string; label?: string }, i) => {
      if (!nonEmpty(c?.token)) throw new InvalidOptionError(`canaries[${i}]`, 'a canary needs a token');
      return 'fingerprint' in c ? c : { format: 'token', ...c, fingerprint: canaryFingerprint(c.token) };
    }),
  });
}

/** Validated options with defaults filled in. */
export function resolveOptions(o: GatewayOptions) {
  if (typeof o !== 'object' || o === null)
    throw new InvalidOptionError('options', 'options must be an object');
  for (const k of Object.keys(o)) if (!KNOWN.has(k)) throw new InvalidOptionError(k, `${k}: unknown option`);
  if (!Array.isArray(o.keys) || o.keys.length === 0) {
    throw new InvalidOptionError('keys', 'keys must list at least one { name, clientKey, upstreamKey }');
  }
  const l = o.limits ?? {};
  const defaultRate =
    l.rateLimit === undefined ? undefined : resolveRateLimit(l.rateLimit, 'limits.rateLimit');
  const names = new Set<string>();
  const clientKeys = new Set<string>();
  const keys: ResolvedKey[] = o.keys.map((k, i) => {
    if (!nonEmpty(k?.name) || !nonEmpty(k.clientKey) || !nonEmpty(k.upstreamKey)) {
      throw new InvalidOptionError(`keys[${i}]`, `keys[${i}] needs a name, a clientKey and an upstreamKey`);
    }
    if (names.has(k.name) || clientKeys.has(k.clientKey)) {
      throw new InvalidOptionError(`keys[${i}]`, `keys[${i}]: names and client keys must be unique`);
    }
    names.add(k.name);
    clientKeys.add(k.clientKey);
    const rateLimit =
      k.rateLimit === undefined ? defaultRate : resolveRateLimit(k.rateLimit, `keys[${i}].rateLimit`);
    return { ...k, rateLimit };
  });
  if (o.adminToken !== undefined && (!nonEmpty(o.adminToken) || o.adminToken.length < 16)) {
    throw new InvalidOptionError('adminToken', 'adminToken must be at least 16 characters');
  }
  const allowedPaths = (o.allowedPaths ?? []).map((p, i) => {
    if (typeof p !== 'string' || !/^\/[A-Za-z0-9._~\-/:]*\*?$/.test(p) || p.includes('..')) {
      throw new InvalidOptionError(
        `allowedPaths[${i}]`,
        `allowedPaths[${i}] must be a plain path, optionally ending in *`,
      );
    }
    return p;
  });
  const scan = {
    messages: 'all',
    toolDefinitions: true,
    responses: true,
    responseInjection: true,
    ...o.scan,
  };
  if (scan.messages !== 'all' && scan.messages !== 'new') {
    throw new InvalidOptionError('scan.messages', "scan.messages must be 'all' or 'new'");
  }
  const sourceTypes = { ...DEFAULT_SOURCE_TYPES, ...o.sourceTypes };
  for (const [k, v] of Object.entries(sourceTypes)) {
    if (!(SOURCE_TYPES as readonly string[]).includes(v as string) || !(k in DEFAULT_SOURCE_TYPES)) {
      throw new InvalidOptionError(`sourceTypes.${k}`, `sourceTypes.${k}: unknown source type ${String(v)}`);
    }
  }
  if (o.enforcer !== undefined && (o.profile !== undefined || o.failClose !== undefined || o.dlp?.requests)) {
    throw new InvalidOptionError(
      'enforcer',
      'profile, failClose and dlp.requests configure the default enforcer: give them to your enforcer instead',
    );
  }
  const requestDlp = o.dlp?.requests ? new DlpPolicy(o.dlp.requests) : undefined;
  const responseDlp = o.dlp?.responses === false ? undefined : (o.dlp?.responses ?? {});
  const analyzer =
    o.enforcer === undefined
      ? new Analyzer({
          ...(o.profile ? { profile: o.profile } : {}),
          ...(o.failClose ? { failClose: true } : {}),
        })
      : undefined;
  const audit = o.audit ? { audit: o.audit } : {};
  const enforcer: EnforcerLike =
    o.enforcer ??
    new MemoryRuntimeEnforcer({ analyzer, ...audit, ...(requestDlp ? { dlp: requestDlp } : {}) });
  // Response text is judged without the request DLP (responses have their own).
  const outputEnforcer = o.enforcer ?? new MemoryRuntimeEnforcer({ analyzer, ...audit });
  return {
    upstreamBaseUrl: o.upstreamBaseUrl,
    anthropicBaseUrl: o.anthropicBaseUrl ?? o.upstreamBaseUrl,
    allowedUpstreamHosts: o.allowedUpstreamHosts,
    addressPolicy: new AddressPolicy(o.allowPrivateUpstreams ?? false),
    keys,
    adminToken: o.adminToken,
    allowedPaths,
    analyzer,
    enforcer,
    outputEnforcer: scan.responseInjection ? outputEnforcer : undefined,
    scan: scan as Required<GatewayScanOptions>,
    sourceTypes: sourceTypes as SourceTypes,
    canaries: toRegistry(o.canaries),
    responseDlp,
    requestDlp: o.dlp?.requests || undefined,
    holdBack: positive('holdBack', o.holdBack, 256),
    reviewQueue: o.reviewQueue ?? new ReviewQueue(),
    limits: {
      maxBodyBytes: positive('limits.maxBodyBytes', l.maxBodyBytes, 4 * 1024 * 1024),
      maxResponseBytes: positive('limits.maxResponseBytes', l.maxResponseBytes, 16 * 1024 * 1024),
      maxConcurrent: positive('limits.maxConcurrent', l.maxConcurrent, 64),
      requestTimeoutMs: positive('limits.requestTimeoutMs', l.requestTimeoutMs, 120_000),
      clientBodyTimeoutMs: positive('limits.clientBodyTimeoutMs', l.clientBodyTimeoutMs, 30_000),
      upstreamIdleTimeoutMs: positive('limits.upstreamIdleTimeoutMs', l.upstreamIdleTimeoutMs, 60_000),
      connectTimeoutMs: positive('limits.connectTimeoutMs', l.connectTimeoutMs, 10_000),
      rateLimitTimeoutMs: positive('limits.rateLimitTimeoutMs', l.rateLimitTimeoutMs, 1000),
    },
    rateLimitStore: o.rateLimitStore ?? new MemoryRateLimitStore(),
    lookup: o.lookup,
    onDecision: o.onDecision,
    log: o.log,
    metricsRegistry: o.metricsRegistry,
    profile: o.enforcer === undefined ? (o.profile ?? 'balanced') : 'custom enforcer',
  };
}

export type ResolvedOptions = ReturnType<typeof resolveOptions>;

/** Decision order, least to most severe. */
export const DECISION_RANK: Readonly<Record<string, number>> = Object.fromEntries(
  DECISIONS.map((d, i) => [d, i]),
);

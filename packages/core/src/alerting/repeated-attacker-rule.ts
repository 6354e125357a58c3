import type { AnalysisEvent } from '../analyzer/observers.js';
import { DECISIONS, type Decision } from '../analyzer/types.js';
import type { AlertDraft } from './alert.js';
import { checkInt, checkObject, fail } from './check-options.js';

/** Options of the `repeated_attacker` rule. */
export interface RepeatedAttackerRuleOptions {
  /** How many counted decisions from one source fire the rule. @default 5 */
  threshold?: number;
  /** …within this window. @default 600_000 (10 minutes) */
  windowMs?: number;
  /** The decisions that count against a source. @default ['block'] */
  decisions?: readonly Decision[];
  /** Sources tracked at once; the least recently seen is forgotten first. @default 10_000 */
  maxSources?: number;
  /** After firing for a source, stay quiet about that source this long. @default 1_800_000 (30 minutes) */
  cooldownMs?: number;
}

const KNOWN = ['threshold', 'windowMs', 'decisions', 'maxSources', 'cooldownMs'] as const;

/** @internal */
export function checkRepeatedAttackerOptions(option: string, o: unknown): void {
  if (!checkObject(option, o, KNOWN)) return;
  const v = o as RepeatedAttackerRuleOptions;
  checkInt(`${option}.threshold`, v.threshold, 1);
  checkInt(`${option}.windowMs`, v.windowMs, 1);
  checkInt(`${option}.maxSources`, v.maxSources, 1);
  checkInt(`${option}.cooldownMs`, v.cooldownMs, 0);
  if (v.decisions !== undefined) {
    if (!Array.isArray(v.decisions) || v.decisions.length === 0)
      fail(`${option}.decisions`, 'must be a non-empty array');
    for (const d of v.decisions) {
      if (!(DECISIONS as readonly unknown[]).includes(d))
        fail(`${option}.decisions`, `unknown decision ${String(d)}`);
    }
  }
}

/**
 * @internal Counts blocked analyses per source (`tenantId/sourceId`; analyses without a
 * `sourceId` are not attributable and are skipped). Per source it keeps only the last
 * `threshold` timestamps, and at most `maxSources` sources (least recently seen evicted).
 */
export class RepeatedAttackerRule {
  readonly cooldownMs: number;
  readonly #threshold: number;
  readonly #windowMs: number;
  readonly #decisions: ReadonlySet<Decision>;
  readonly #maxSources: number;
  readonly #hits = new Map<string, number[]>();

  constructor(options: RepeatedAttackerRuleOptions = {}) {
    this.#threshold = options.threshold ?? 5;
    this.#windowMs = options.windowMs ?? 600_000;
    this.#decisions = new Set(options.decisions ?? ['block']);
    this.#maxSources = options.maxSources ?? 10_000;
    this.cooldownMs = options.cooldownMs ?? 1_800_000;
  }

  /** Sources currently tracked. */
  get size(): number {
    return this.#hits.size;
  }

  observe(now: number, event: AnalysisEvent): AlertDraft | undefined {
    if (event.sourceId === undefined || !this.#decisions.has(event.result.decision)) return undefined;
    const key = event.tenantId !== undefined ? `${event.tenantId}/${event.sourceId}` : event.sourceId;
    const times = this.#hits.get(key) ?? [];
    this.#hits.delete(key); // re-insert: Map order is recency order
    times.push(now);
    if (times.length > this.#threshold) times.shift();
    this.#hits.set(key, times);
    if (this.#hits.size > this.#maxSources) {
      const oldest = this.#hits.keys().next().value;
      if (oldest !== undefined) this.#hits.delete(oldest);
    }
    const first = times[0] ?? now;
    if (times.length < this.#threshold || now - first > this.#windowMs) return undefined;
    const decisions = [...this.#decisions].join('/');
    return {
      rule: 'repeated_attacker',
      status: 'firing',
      severity: 'critical',
      key,
      summary: `Source ${key} got ${times.length} ${decisions} decisions within ${Math.round((now - first) / 1000)} s`,
      details: {
        sourceId: event.sourceId,
        ...(event.tenantId !== undefined ? { tenantId: event.tenantId } : {}),
        ...(event.agentId !== undefined ? { lastAgentId: event.agentId } : {}),
        count: times.length,
        windowMs: this.#windowMs,
        decisions: [...this.#decisions],
        lastRuleIds: [...new Set(event.result.findings.map((f) => f.ruleId))].slice(0, 10),
        lastRiskScore: event.result.riskScore,
      },
    };
  }
}

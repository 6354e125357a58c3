import type { Finding, SourceType } from '../analyzer/types.js';
import { InvalidOptionError } from '../errors/index.js';

/**
 * Default trust per source type. Content from the open world (RAG, web, e-mail, tool output) is
 * untrusted by default; only system text is fully trusted.
 */
export const DEFAULT_SOURCE_TYPE_TRUST: Readonly<Record<SourceType, number>> = {
  system: 1,
  user: 0.7,
  agent: 0.7,
  memory: 0.6,
  document: 0.5,
  api: 0.4,
  unknown: 0.4,
  rag: 0.3,
  tool: 0.3,
  web: 0.2,
  email: 0.2,
};

/** How strongly trust scales evidence: score × (1 + TRUST_GAIN × (0.5 − trust)). */
export const TRUST_GAIN = 0.8;

/** Checks a trust value and returns it; throws `InvalidOptionError` outside 0..1. */
export function checkTrust(option: string, trust: unknown): number {
  if (typeof trust !== 'number' || !Number.isFinite(trust) || trust < 0 || trust > 1) {
    throw new InvalidOptionError(option, `${option} must be a number from 0 to 1, got ${String(trust)}`);
  }
  return trust;
}

/** Source trust: per source id when registered, else per source type. */
export class TrustRegistry {
  readonly #bySource = new Map<string, number>();
  readonly #byType: Record<SourceType, number>;

  constructor(
    byType: Partial<Record<SourceType, number>> = {},
    bySource: Readonly<Record<string, number>> = {},
  ) {
    this.#byType = { ...DEFAULT_SOURCE_TYPE_TRUST };
    for (const [type, trust] of Object.entries(byType)) {
      if (!(type in DEFAULT_SOURCE_TYPE_TRUST)) {
        throw new InvalidOptionError(`sourceTypeTrust.${type}`, `unknown source type "${type}"`);
      }
      this.#byType[type as SourceType] = checkTrust(`sourceTypeTrust.${type}`, trust);
    }
    for (const [id, trust] of Object.entries(bySource)) this.register(id, trust);
  }

  register(sourceId: string, trust: number): void {
    if (typeof sourceId !== 'string' || sourceId.length === 0) {
      throw new InvalidOptionError('sourceId', 'sourceId must be a non-empty string');
    }
    this.#bySource.set(sourceId, checkTrust('trust', trust));
  }

  trustOf(sourceType: SourceType, sourceId?: string): number {
    if (sourceId !== undefined) {
      const t = this.#bySource.get(sourceId);
      if (t !== undefined) return t;
    }
    return this.#byType[sourceType];
  }

  get registeredSources(): number {
    return this.#bySource.size;
  }
}

/**
 * Scales evidence by trust. With no evidence there is nothing to scale: distrust is never a verdict
 * on its own. The severity floors are applied after this, so trust never lowers a critical finding.
 */
export function applyTrust(score: number, trust: number, findings: readonly Finding[]): number {
  if (score <= 0 || findings.length === 0) return score;
  return Math.min(100, score * (1 + TRUST_GAIN * (0.5 - trust)));
}

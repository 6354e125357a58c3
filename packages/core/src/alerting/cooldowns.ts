import { type AlertDraft, severityRank } from './alert.js';

const MAX_KEYS = 10_000;

/**
 * @internal Per rule-and-key cooldowns. A firing alert passes when its key is not cooling down,
 * or when it is more severe than the alert that started the cooldown (a spike turning critical is
 * news). A `resolved` alert always passes and ends the cooldown, so a relapse is reported at once.
 * At most 10 000 keys are kept; the oldest is forgotten first.
 */
export class Cooldowns {
  readonly #until = new Map<string, { until: number; rank: number }>();

  /** Whether `draft` may go out now; if it may, starts its cooldown. */
  admit(draft: AlertDraft, now: number, cooldownMs: number): boolean {
    const key = `${draft.rule}\u0000${draft.key}`;
    if (draft.status === 'resolved') {
      this.#until.delete(key);
      return true;
    }
    const rank = severityRank(draft.severity);
    const held = this.#until.get(key);
    if (held !== undefined && now < held.until && rank <= held.rank) return false;
    this.#until.delete(key);
    this.#until.set(key, { until: now + cooldownMs, rank });
    if (this.#until.size > MAX_KEYS) {
      const oldest = this.#until.keys().next().value;
      if (oldest !== undefined) this.#until.delete(oldest);
    }
    return true;
  }

  get size(): number {
    return this.#until.size;
  }
}

import type { Decision } from '../analyzer/types.js';
import { type AdapterGuardOptions, idField } from './guard-options.js';

/** The rule reported for a retrieved record dropped because it has no text to analyze. */
export const NO_TEXT_RULE = 'memgar:no-text';

/**
 * The rule reported for a retrieved record dropped because of how it was written: no memgar
 * provenance (written around the guard), or a stored decision the reader does not accept.
 */
export const UNVERIFIED_RULE = 'memgar:unverified';

/**
 * Reports to `onDecision` a retrieved record dropped for a reason other than its analysis (fail
 * closed: `block`, not allowed, risk score 0, the given rule and reason).
 */
export function reportFiltered(
  options: AdapterGuardOptions,
  rule: string,
  reason: string,
  id?: string | number,
): void {
  options.onDecision?.({
    boundary: 'retrieval',
    decision: 'block',
    allowed: false,
    reason,
    rule,
    riskScore: 0,
    ...idField(id),
  });
}

/**
 * Whether a record stored with decision `stored` (read from its provenance; anything else when it
 * has none) may be read under a decision filter `accepted`. When not, it is reported filtered
 * (`UNVERIFIED_RULE`, "written with decision …" or "no memgar provenance").
 */
export function acceptProvenance(
  options: AdapterGuardOptions,
  accepted: readonly Decision[],
  stored: unknown,
  id?: string | number,
): boolean {
  const decision = typeof stored === 'string' && stored !== '' ? stored : undefined;
  if (decision !== undefined && accepted.includes(decision as Decision)) return true;
  const reason = decision ? `written with decision ${decision}` : 'no memgar provenance';
  reportFiltered(options, UNVERIFIED_RULE, reason, id);
  return false;
}

/** The four alert rules. */
export const ALERT_RULES = ['block_rate_spike', 'repeated_attacker', 'drift', 'degraded_subsystem'] as const;
export type AlertRuleName = (typeof ALERT_RULES)[number];

/** `info` is used for `resolved` alerts only. */
export const ALERT_SEVERITIES = ['info', 'warning', 'critical'] as const;
export type AlertSeverity = (typeof ALERT_SEVERITIES)[number];

/** One alert, as the `onAlert` callback receives it and as the webhook POSTs it (JSON). */
export interface Alert {
  /** Unique per alert (`<rule>:<key>:<epoch ms>:<sequence>`): lets a receiver drop a retried duplicate. */
  id: string;
  rule: AlertRuleName;
  /** `firing` when the condition is met; `resolved` when a drift or degraded alert clears. */
  status: 'firing' | 'resolved';
  severity: AlertSeverity;
  /**
   * What the alert is about, and the key its cooldown is kept under: `global` for the block rate,
   * the source (`tenantId/sourceId`) for a repeated attacker, the drift event's `feature` (or
   * `overall`), `<source>:<subsystem>` for a degraded subsystem.
   */
  key: string;
  /** One line a human can read. */
  summary: string;
  /** ISO 8601 time of the alert (from the manager's clock). */
  at: string;
  /** Rule-specific numbers (rates, counts, thresholds, PSI…). Never analyzed content. */
  details: Record<string, unknown>;
}

/**
 * A drift observation: `severity` 0 (stable) to 4 (severe) and the population stability index
 * behind it. A `DriftDetector`'s `DRIFT_DETECTED` event and its `status()` both have this shape;
 * pass either to `AlertManager.observeDrift` (other fields are ignored).
 */
export interface DriftObservation {
  /** 0 stable, 1 minor shift, 2 drift detected, 3 major drift, 4 severe drift. */
  severity: number;
  /** Population stability index of the current window against the reference (undefined while
   * the detector is still filling its windows, as in `DriftStatus`). */
  psi: number | undefined;
  /** What drifted (a feature, a decision distribution…); keys the cooldown. @default 'overall' */
  feature?: string;
  /** Anything else worth putting in the alert's `details` (numbers and short strings). */
  details?: Record<string, unknown>;
}

/** @internal An alert before the manager gives it an id and a time. */
export type AlertDraft = Omit<Alert, 'id' | 'at'>;

const RANK: Record<AlertSeverity, number> = { info: 0, warning: 1, critical: 2 };

/** @internal Severity order: info < warning < critical. */
export function severityRank(s: AlertSeverity): number {
  return RANK[s];
}

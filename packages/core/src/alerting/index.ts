export {
  ALERT_RULES,
  ALERT_SEVERITIES,
  type Alert,
  type AlertRuleName,
  type AlertSeverity,
  type DriftObservation,
} from './alert.js';
export {
  type AlertDeliveryFailure,
  AlertManager,
  type AlertManagerOptions,
  type AlertRulesOptions,
  type AlertStats,
  type WatchHealthOptions,
} from './alert-manager.js';
export type { BlockRateRuleOptions } from './block-rate-rule.js';
export type { DegradedSubsystemRuleOptions } from './degraded-subsystem-rule.js';
export type { DriftRuleOptions } from './drift-rule.js';
export type { RepeatedAttackerRuleOptions } from './repeated-attacker-rule.js';
export type { AlertWebhookOptions, AlertWebhookOutcome } from './webhook-sink.js';

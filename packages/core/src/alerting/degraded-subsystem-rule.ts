import type { HealthReport } from '../analyzer/types.js';
import { InvalidInputError } from '../errors/index.js';
import type { AlertDraft } from './alert.js';
import { checkBoolean, checkInt, checkObject } from './check-options.js';

/** Options of the `degraded_subsystem` rule. */
export interface DegradedSubsystemRuleOptions {
  /** Send a `resolved` alert when a degraded subsystem reports `ok` (or `disabled`) again. @default true */
  notifyResolved?: boolean;
  /** While a subsystem stays degraded, repeat the alert at most this often. @default 3_600_000 (1 hour) */
  cooldownMs?: number;
}

const KNOWN = ['notifyResolved', 'cooldownMs'] as const;
const MAX_TRACKED = 1000;

/** @internal */
export function checkDegradedOptions(option: string, o: unknown): void {
  if (!checkObject(option, o, KNOWN)) return;
  const v = o as DegradedSubsystemRuleOptions;
  checkBoolean(`${option}.notifyResolved`, v.notifyResolved);
  checkInt(`${option}.cooldownMs`, v.cooldownMs, 0);
}

/**
 * @internal Compares each health report with the last one per `source`: a subsystem reported
 * `degraded` fires (critical when the analyzer is fail-open — attacks may pass unseen —, warning
 * when it fails closed — writes are being quarantined); one that recovers resolves.
 */
export class DegradedSubsystemRule {
  readonly cooldownMs: number;
  readonly #notifyResolved: boolean;
  /** `<source>:<subsystem>` keys currently degraded. */
  readonly #degraded = new Set<string>();

  constructor(options: DegradedSubsystemRuleOptions = {}) {
    this.#notifyResolved = options.notifyResolved ?? true;
    this.cooldownMs = options.cooldownMs ?? 3_600_000;
  }

  observe(report: HealthReport, source: string): AlertDraft[] {
    checkReport(report);
    const drafts: AlertDraft[] = [];
    for (const [name, health] of Object.entries(report.subsystems)) {
      const key = `${source}:${name}`;
      if (health.status === 'degraded') {
        this.#degraded.add(key);
        if (this.#degraded.size > MAX_TRACKED) {
          const oldest = this.#degraded.values().next().value;
          if (oldest !== undefined) this.#degraded.delete(oldest);
        }
        drafts.push({
          rule: 'degraded_subsystem',
          status: 'firing',
          severity: report.failClose ? 'warning' : 'critical',
          key,
          summary: `${source}: subsystem ${name} is degraded (${health.detail})${
            report.failClose
              ? '; fail-close is quarantining what it would have allowed'
              : '; fail-open: attacks may pass unseen'
          }`,
          details: { source, subsystem: name, detail: health.detail, failClose: report.failClose },
        });
      } else if (this.#degraded.delete(key) && this.#notifyResolved) {
        drafts.push({
          rule: 'degraded_subsystem',
          status: 'resolved',
          severity: 'info',
          key,
          summary: `${source}: subsystem ${name} is ${health.status} again`,
          details: { source, subsystem: name, detail: health.detail, failClose: report.failClose },
        });
      }
    }
    return drafts;
  }
}

function checkReport(report: unknown): asserts report is HealthReport {
  const r = report as Partial<HealthReport> | null;
  if (typeof r !== 'object' || r === null || typeof r.subsystems !== 'object' || r.subsystems === null) {
    throw new InvalidInputError(
      'report',
      'observeHealth expects a HealthReport ({ status, failClose, subsystems })',
    );
  }
  for (const [name, s] of Object.entries(r.subsystems)) {
    if (typeof s !== 'object' || s === null || typeof (s as { status?: unknown }).status !== 'string') {
      throw new InvalidInputError('report', `subsystem ${name} has no status`);
    }
  }
}

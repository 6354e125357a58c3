import { InvalidInputError } from '../errors/index.js';
import type { AlertDraft, DriftObservation } from './alert.js';
import { checkBoolean, checkInt, checkObject, fail } from './check-options.js';

/** Options of the `drift` rule. */
export interface DriftRuleOptions {
  /**
   * Lowest drift severity (0..4) that fires: 2 is "drift detected" on the `DriftDetector` scale
   * (PSI ≥ its threshold); 4 is `critical`, below it `warning`.
   * @default 2
   */
  minSeverity?: number;
  /** Send a `resolved` alert when a fired drift falls back below `minSeverity`. @default true */
  notifyResolved?: boolean;
  /** After firing for a feature, stay quiet about it this long (a higher severity still fires). @default 3_600_000 (1 hour) */
  cooldownMs?: number;
}

const KNOWN = ['minSeverity', 'notifyResolved', 'cooldownMs'] as const;
const MAX_FEATURES = 1000;

/** @internal */
export function checkDriftOptions(option: string, o: unknown): void {
  if (!checkObject(option, o, KNOWN)) return;
  const v = o as DriftRuleOptions;
  checkInt(`${option}.minSeverity`, v.minSeverity, 1);
  if (v.minSeverity !== undefined && v.minSeverity > 4) fail(`${option}.minSeverity`, 'must be at most 4');
  checkBoolean(`${option}.notifyResolved`, v.notifyResolved);
  checkInt(`${option}.cooldownMs`, v.cooldownMs, 0);
}

/** @internal Turns drift observations into alerts; remembers which features are firing (bounded). */
export class DriftRule {
  readonly cooldownMs: number;
  readonly #minSeverity: number;
  readonly #notifyResolved: boolean;
  readonly #firing = new Set<string>();

  constructor(options: DriftRuleOptions = {}) {
    this.#minSeverity = options.minSeverity ?? 2;
    this.#notifyResolved = options.notifyResolved ?? true;
    this.cooldownMs = options.cooldownMs ?? 3_600_000;
  }

  observe(event: DriftObservation): AlertDraft | undefined {
    checkDriftObservation(event);
    const key = event.feature ?? 'overall';
    const details = {
      ...(event.details ?? {}),
      severity: event.severity,
      psi: event.psi ?? null,
      feature: key,
    };
    if (event.severity >= this.#minSeverity) {
      this.#firing.delete(key);
      this.#firing.add(key);
      if (this.#firing.size > MAX_FEATURES) {
        const oldest = this.#firing.values().next().value;
        if (oldest !== undefined) this.#firing.delete(oldest);
      }
      return {
        rule: 'drift',
        status: 'firing',
        severity: event.severity >= 4 ? 'critical' : 'warning',
        key,
        summary: `Drift severity ${event.severity}/4 on ${key} (PSI ${psiText(event.psi)})`,
        details,
      };
    }
    if (!this.#firing.delete(key) || !this.#notifyResolved) return undefined;
    return {
      rule: 'drift',
      status: 'resolved',
      severity: 'info',
      key,
      summary: `Drift on ${key} back to severity ${event.severity}/4 (PSI ${psiText(event.psi)})`,
      details,
    };
  }
}

function psiText(psi: number | undefined): string {
  return psi === undefined ? 'n/a' : psi.toFixed(3);
}

function checkDriftObservation(event: unknown): asserts event is DriftObservation {
  if (typeof event !== 'object' || event === null || Array.isArray(event)) {
    throw new InvalidInputError('event', 'observeDrift expects { severity, psi } object');
  }
  const e = event as Record<string, unknown>;
  if (typeof e.severity !== 'number' || !Number.isInteger(e.severity) || e.severity < 0 || e.severity > 4) {
    throw new InvalidInputError('severity', `severity must be an integer 0..4, got ${String(e.severity)}`);
  }
  if (e.psi !== undefined && (typeof e.psi !== 'number' || !Number.isFinite(e.psi))) {
    throw new InvalidInputError('psi', `psi must be a finite number or undefined, got ${String(e.psi)}`);
  }
  if (e.feature !== undefined && typeof e.feature !== 'string') {
    throw new InvalidInputError('feature', 'feature must be a string');
  }
}

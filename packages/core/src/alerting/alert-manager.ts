import type { AnalysisEvent, AnalysisObserver } from '../analyzer/observers.js';
import type { HealthReport } from '../analyzer/types.js';
import type { Alert, AlertDraft, DriftObservation } from './alert.js';
import { BlockRateRule, type BlockRateRuleOptions, checkBlockRateOptions } from './block-rate-rule.js';
import { checkInt, checkObject, fail } from './check-options.js';
import { Cooldowns } from './cooldowns.js';
import {
  checkDegradedOptions,
  DegradedSubsystemRule,
  type DegradedSubsystemRuleOptions,
} from './degraded-subsystem-rule.js';
import { checkDriftOptions, DriftRule, type DriftRuleOptions } from './drift-rule.js';
import {
  checkRepeatedAttackerOptions,
  RepeatedAttackerRule,
  type RepeatedAttackerRuleOptions,
} from './repeated-attacker-rule.js';
import { type AlertWebhookOptions, checkWebhookOptions, WebhookSink } from './webhook-sink.js';

/** Which rules run, and how. Each is on with its defaults unless set to `false`. */
export interface AlertRulesOptions {
  /** Share of `block` decisions in a sliding window vs a threshold or the baseline. @default {} */
  blockRate?: BlockRateRuleOptions | false;
  /** One source blocked N times within a window. @default {} */
  repeatedAttacker?: RepeatedAttackerRuleOptions | false;
  /** Drift observations (`observeDrift`) at or above a severity. @default {} */
  drift?: DriftRuleOptions | false;
  /** Health reports (`observeHealth`, `watchHealth`) with a degraded subsystem. @default {} */
  degradedSubsystem?: DegradedSubsystemRuleOptions | false;
}

/** A delivery that did not succeed (after retries, for the webhook). */
export interface AlertDeliveryFailure {
  alert: Alert;
  target: 'webhook' | 'callback';
  /** Webhook requests made; 1 for the callback. */
  attempts: number;
  /** The webhook's last HTTP status, when it answered. */
  status?: number;
  /** The last error (network, timeout, or what the callback threw), when there was one. */
  error?: unknown;
}

/** Options of `new AlertManager()`. At least one of `webhook` and `onAlert` is required. */
export interface AlertManagerOptions {
  /** The rules and their settings. @default all four rules with their defaults */
  rules?: AlertRulesOptions;
  /** POST every alert as JSON here (a URL, or the full settings). @default none */
  webhook?: string | AlertWebhookOptions;
  /** Called with every alert, after the analysis that raised it has returned. @default none */
  onAlert?: (alert: Alert) => void | Promise<void>;
  /** Told about deliveries that failed (delivery never throws into your code). @default ignore */
  onDeliveryError?: (failure: AlertDeliveryFailure) => void;
  /** Alerts waiting for delivery at most; past it the oldest is dropped (and counted). @default 1000 */
  maxPending?: number;
  /** The clock (epoch milliseconds) windows, cooldowns and `Alert.at` use. @default Date.now */
  now?: () => number;
}

/** Options of `AlertManager.watchHealth`. */
export interface WatchHealthOptions {
  /** Poll period. @default 30_000 */
  intervalMs?: number;
  /** Names the analyzer in alert keys and summaries (`<source>:<subsystem>`). @default 'analyzer' */
  source?: string;
}

/** Counters since the manager was created. */
export interface AlertStats {
  /** Alerts that passed their cooldown and were queued. */
  fired: number;
  /** Alerts held back by a cooldown. */
  suppressed: number;
  /** Successful deliveries (one per sink per alert). */
  delivered: number;
  /** Failed deliveries (one per sink per alert, after retries). */
  failed: number;
  /** Alerts dropped because `maxPending` was reached. */
  dropped: number;
  /** Alerts waiting for delivery now. */
  pending: number;
}

const KNOWN = ['rules', 'webhook', 'onAlert', 'onDeliveryError', 'maxPending', 'now'] as const;
const KNOWN_RULES = ['blockRate', 'repeatedAttacker', 'drift', 'degradedSubsystem'] as const;

/**
 * Alerting on memgar's event stream. It is an `AnalysisObserver` (pass it in an analyzer's
 * `observers`, or `addAnalysisObserver(manager)`) for the block-rate and repeated-attacker rules;
 * drift and health come in through `observeDrift` and `observeHealth`/`watchHealth`. Alerts pass a
 * per-rule, per-key cooldown, then go to the webhook and/or the callback from a bounded queue:
 * analysis never waits for a delivery, and a failing receiver never fails an analysis.
 *
 * @example
 * const alerts = new AlertManager({ webhook: { url: process.env.ALERT_URL!, headers: { authorization } } });
 * const analyzer = new Analyzer({ observers: [alerts] });
 * const stop = alerts.watchHealth(analyzer);
 */
export class AlertManager implements AnalysisObserver {
  readonly #now: () => number;
  readonly #blockRate: BlockRateRule | undefined;
  readonly #attacker: RepeatedAttackerRule | undefined;
  readonly #drift: DriftRule | undefined;
  readonly #degraded: DegradedSubsystemRule | undefined;
  readonly #cooldowns = new Cooldowns();
  readonly #webhook: WebhookSink | undefined;
  readonly #onAlert: ((alert: Alert) => void | Promise<void>) | undefined;
  readonly #onDeliveryError: ((failure: AlertDeliveryFailure) => void) | undefined;
  readonly #maxPending: number;
  readonly #pending: Alert[] = [];
  readonly #watchers = new Set<() => void>();
  #draining: Promise<void> | undefined;
  #seq = 0;
  #closed = false;
  readonly #stats = { fired: 0, suppressed: 0, delivered: 0, failed: 0, dropped: 0 };

  constructor(options: AlertManagerOptions) {
    checkOptions(options);
    const rules = options.rules ?? {};
    this.#now = options.now ?? Date.now;
    this.#blockRate = rules.blockRate === false ? undefined : new BlockRateRule(rules.blockRate);
    this.#attacker =
      rules.repeatedAttacker === false ? undefined : new RepeatedAttackerRule(rules.repeatedAttacker);
    this.#drift = rules.drift === false ? undefined : new DriftRule(rules.drift);
    this.#degraded =
      rules.degradedSubsystem === false ? undefined : new DegradedSubsystemRule(rules.degradedSubsystem);
    this.#webhook = options.webhook === undefined ? undefined : new WebhookSink(options.webhook);
    this.#onAlert = options.onAlert;
    this.#onDeliveryError = options.onDeliveryError;
    this.#maxPending = options.maxPending ?? 1000;
  }

  /** The `AnalysisObserver` hook: feeds the block-rate and repeated-attacker rules. Cheap; never throws. */
  onAnalysis(event: AnalysisEvent): void {
    if (this.#closed) return;
    try {
      const now = this.#now();
      const blocked = event.result.decision === 'block';
      const spike = this.#blockRate?.observe(now, blocked);
      if (spike !== undefined) this.#raise(spike, this.#blockRate?.cooldownMs ?? 0, now);
      const attacker = this.#attacker?.observe(now, event);
      if (attacker !== undefined) this.#raise(attacker, this.#attacker?.cooldownMs ?? 0, now);
    } catch {
      // Alerting never breaks analysis.
    }
  }

  /**
   * Feeds one drift observation (`{ severity: 0..4, psi }`, e.g. from the drift detector).
   * Returns the alerts it raised. Throws `InvalidInputError` for a malformed observation.
   */
  observeDrift(event: DriftObservation): Alert[] {
    if (this.#drift === undefined || this.#closed) return [];
    const draft = this.#drift.observe(event);
    if (draft === undefined) return [];
    const alert = this.#raise(draft, this.#drift.cooldownMs, this.#now());
    return alert ? [alert] : [];
  }

  /**
   * Feeds one health report (an analyzer's `healthCheck()`); `source` names the analyzer.
   * Returns the alerts it raised. Throws `InvalidInputError` for something that is not a report.
   */
  observeHealth(report: HealthReport, source = 'analyzer'): Alert[] {
    if (this.#degraded === undefined || this.#closed) return [];
    const now = this.#now();
    const alerts: Alert[] = [];
    for (const draft of this.#degraded.observe(report, source)) {
      const alert = this.#raise(draft, this.#degraded.cooldownMs, now);
      if (alert) alerts.push(alert);
    }
    return alerts;
  }

  /**
   * Polls `target.healthCheck()` now and every `intervalMs` (the timer does not keep the process
   * alive). A `healthCheck` that throws is reported as the degraded subsystem `healthCheck`.
   * Returns a function that stops polling; `close()` stops every watcher.
   */
  watchHealth(target: { healthCheck(): HealthReport }, options: WatchHealthOptions = {}): () => void {
    if (typeof target?.healthCheck !== 'function')
      fail('target', 'watchHealth needs an object with healthCheck()');
    checkObject('options', options, ['intervalMs', 'source']);
    checkInt('intervalMs', options.intervalMs, 1);
    if (options.source !== undefined && typeof options.source !== 'string')
      fail('source', 'must be a string');
    const source = options.source ?? 'analyzer';
    const poll = (): void => {
      let report: HealthReport;
      try {
        report = target.healthCheck();
      } catch (error) {
        report = {
          status: 'degraded',
          failClose: false,
          subsystems: {
            healthCheck: { status: 'degraded', detail: `healthCheck() threw: ${String(error)}` },
          },
        };
      }
      try {
        this.observeHealth(report, source);
      } catch {
        // A malformed report from a custom target is not worth crashing a timer over.
      }
    };
    poll();
    const timer = setInterval(poll, options.intervalMs ?? 30_000);
    (timer as { unref?: () => void }).unref?.();
    const stop = (): void => {
      clearInterval(timer);
      this.#watchers.delete(stop);
    };
    this.#watchers.add(stop);
    return stop;
  }

  /** Counters since creation. */
  stats(): AlertStats {
    return { ...this.#stats, pending: this.#pending.length };
  }

  /** Resolves once every queued alert has been delivered (or has failed). */
  async flush(): Promise<void> {
    while (this.#draining !== undefined) await this.#draining;
  }

  /** Stops the health watchers, ignores further input, and delivers what is queued. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const stop of [...this.#watchers]) stop();
    await this.flush();
  }

  #raise(draft: AlertDraft, cooldownMs: number, now: number): Alert | undefined {
    if (!this.#cooldowns.admit(draft, now, cooldownMs)) {
      this.#stats.suppressed++;
      return undefined;
    }
    this.#seq++;
    const alert: Alert = {
      id: `${draft.rule}:${draft.key}:${now}:${this.#seq}`,
      ...draft,
      at: new Date(now).toISOString(),
    };
    this.#stats.fired++;
    if (this.#pending.length >= this.#maxPending) {
      this.#pending.shift();
      this.#stats.dropped++;
    }
    this.#pending.push(alert);
    this.#draining ??= this.#drain().finally(() => {
      this.#draining = undefined;
    });
    return alert;
  }

  async #drain(): Promise<void> {
    // Yield a macrotask first: the analysis (or caller) that raised the alert, and its awaiting
    // callers, go on before any callback or request runs.
    await new Promise<void>((resolve) => setTimeout(resolve, 0));
    for (let alert = this.#pending.shift(); alert !== undefined; alert = this.#pending.shift()) {
      await Promise.all([this.#toCallback(alert), this.#toWebhook(alert)]);
    }
  }

  async #toCallback(alert: Alert): Promise<void> {
    if (this.#onAlert === undefined) return;
    try {
      await this.#onAlert(alert);
      this.#stats.delivered++;
    } catch (error) {
      this.#failed({ alert, target: 'callback', attempts: 1, error });
    }
  }

  async #toWebhook(alert: Alert): Promise<void> {
    if (this.#webhook === undefined) return;
    const outcome = await this.#webhook.deliver(alert);
    if (outcome.ok) {
      this.#stats.delivered++;
      return;
    }
    this.#failed({
      alert,
      target: 'webhook',
      attempts: outcome.attempts,
      ...(outcome.status !== undefined ? { status: outcome.status } : {}),
      ...(outcome.error !== undefined ? { error: outcome.error } : {}),
    });
  }

  #failed(failure: AlertDeliveryFailure): void {
    this.#stats.failed++;
    try {
      this.#onDeliveryError?.(failure);
    } catch {
      // The error handler's own errors go nowhere.
    }
  }
}

function checkOptions(options: unknown): asserts options is AlertManagerOptions {
  if (options === undefined) fail('options', 'an AlertManager needs a webhook or an onAlert callback');
  checkObject('options', options, KNOWN);
  const o = options as AlertManagerOptions;
  if (o.webhook === undefined && o.onAlert === undefined) {
    fail('webhook', 'an AlertManager needs a webhook or an onAlert callback');
  }
  if (o.webhook !== undefined) checkWebhookOptions('webhook', o.webhook);
  if (o.onAlert !== undefined && typeof o.onAlert !== 'function') fail('onAlert', 'must be a function');
  if (o.onDeliveryError !== undefined && typeof o.onDeliveryError !== 'function') {
    fail('onDeliveryError', 'must be a function');
  }
  if (o.now !== undefined && typeof o.now !== 'function') fail('now', 'must be a function');
  checkInt('maxPending', o.maxPending, 1);
  if (checkObject('rules', o.rules, KNOWN_RULES)) {
    const r = o.rules as AlertRulesOptions;
    if (r.blockRate !== false) checkBlockRateOptions('rules.blockRate', r.blockRate);
    if (r.repeatedAttacker !== false)
      checkRepeatedAttackerOptions('rules.repeatedAttacker', r.repeatedAttacker);
    if (r.drift !== false) checkDriftOptions('rules.drift', r.drift);
    if (r.degradedSubsystem !== false) checkDegradedOptions('rules.degradedSubsystem', r.degradedSubsystem);
  }
}

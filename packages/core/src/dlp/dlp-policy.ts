import { InvalidInputError, InvalidOptionError } from '../errors/index.js';
import { detectSensitiveData } from './detect.js';
import { type RedactStyle, redact } from './redact.js';
import { DLP_TYPES, type DlpFinding, type DlpType, PII_TYPES } from './types.js';

/** What to do with one type of sensitive data. */
export type DlpAction = 'allow' | 'redact' | 'block';

const ACTION_RANK: Readonly<Record<DlpAction, number>> = { allow: 0, redact: 1, block: 2 };
const TYPE_SET: ReadonlySet<string> = new Set(DLP_TYPES);
const PII_SET: ReadonlySet<string> = new Set(PII_TYPES);

export interface DlpPolicyOptions {
  /** Action for every secret type without its own action. @default 'redact' */
  secrets?: DlpAction;
  /** Action for every PII type without its own action. @default 'redact' */
  pii?: DlpAction;
  /** Actions per type; they win over `secrets` and `pii`. @default { private_key: 'block' } */
  actions?: Partial<Record<DlpType, DlpAction>>;
  /** Findings below this confidence are ignored. @default 0.6 */
  minConfidence?: number;
  /** How redacted spans are written. @default 'label' */
  redactStyle?: RedactStyle;
}

/** The outcome of a DLP policy on one text. */
export interface DlpResult {
  /** The strongest action any finding asked for (`allow` when there is none). */
  action: DlpAction;
  /** The text with the `redact` findings replaced; `undefined` when the action is `block`. */
  text: string | undefined;
  /** Every finding above `minConfidence`, with the action taken on it. */
  findings: (DlpFinding & { action: DlpAction })[];
}

function checkAction(option: string, a: unknown): DlpAction {
  if (a !== 'allow' && a !== 'redact' && a !== 'block') {
    throw new InvalidOptionError(option, `${option} must be allow, redact or block, got ${String(a)}`);
  }
  return a;
}

/**
 * Per-type DLP decisions: allow, redact or block. Secrets and PII are redacted by default and a
 * private key block is blocked.
 *
 * @example
 * const dlp = new DlpPolicy({ pii: 'allow' }).set('credit_card', 'block');
 * const r = dlp.apply(text); // r.action, r.text (redacted), r.findings
 */
export class DlpPolicy {
  readonly #actions = new Map<DlpType, DlpAction>();
  readonly #minConfidence: number;
  readonly #style: RedactStyle;

  constructor(options: DlpPolicyOptions = {}) {
    for (const k of Object.keys(options)) {
      if (!['secrets', 'pii', 'actions', 'minConfidence', 'redactStyle'].includes(k)) {
        throw new InvalidOptionError(k, `${k}: unknown option`);
      }
    }
    const secrets = checkAction('secrets', options.secrets ?? 'redact');
    const pii = checkAction('pii', options.pii ?? 'redact');
    for (const t of DLP_TYPES) this.#actions.set(t, PII_SET.has(t) ? pii : secrets);
    if (options.secrets === undefined) this.#actions.set('private_key', 'block');
    for (const [t, a] of Object.entries(options.actions ?? {})) this.set(t as DlpType, a as DlpAction);
    this.#minConfidence = options.minConfidence ?? 0.6;
    if (typeof this.#minConfidence !== 'number' || !(this.#minConfidence >= 0 && this.#minConfidence <= 1)) {
      throw new InvalidOptionError('minConfidence', 'minConfidence must be a number from 0 to 1');
    }
    this.#style = options.redactStyle ?? 'label';
    redact('', [], { style: this.#style });
  }

  /** Sets the action for one type. */
  set(type: DlpType, action: DlpAction): this {
    if (!TYPE_SET.has(type)) throw new InvalidOptionError('type', `unknown DLP type ${String(type)}`);
    this.#actions.set(type, checkAction(`actions.${type}`, action));
    return this;
  }

  actionFor(type: DlpType): DlpAction {
    return this.#actions.get(type) ?? 'redact';
  }

  /** Scans `text` and applies the actions. Throws `InvalidInputError` for a non-string. */
  apply(text: string): DlpResult {
    if (typeof text !== 'string') throw new InvalidInputError('text', 'DlpPolicy.apply expects a string');
    const wanted = DLP_TYPES.filter((t) => this.actionFor(t) !== 'allow');
    const found = detectSensitiveData(text, { minConfidence: this.#minConfidence });
    const findings = found.map((f) => ({
      ...f,
      action: wanted.includes(f.type) ? this.actionFor(f.type) : ('allow' as DlpAction),
    }));
    let action: DlpAction = 'allow';
    for (const f of findings) if (ACTION_RANK[f.action] > ACTION_RANK[action]) action = f.action;
    if (action === 'block') return { action, text: undefined, findings };
    if (action === 'allow') return { action, text, findings };
    return {
      action,
      text: redact(
        text,
        findings.filter((f) => f.action === 'redact'),
        { style: this.#style },
      ),
      findings,
    };
  }
}

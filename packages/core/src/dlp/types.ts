/** Secret types the DLP scanner detects, each by a documented shape (see `src/runtime/README.md`). */
export const SECRET_TYPES = [
  'aws_access_key_id',
  'github_token',
  'gitlab_token',
  'slack_token',
  'slack_webhook',
  'stripe_secret_key',
  'openai_api_key',
  'anthropic_api_key',
  'google_api_key',
  'sendgrid_api_key',
  'npm_token',
  'huggingface_token',
  'private_key',
  'jwt',
  'password',
  'generic_secret',
] as const;

/** Personal data types the DLP scanner detects. */
export const PII_TYPES = ['email', 'phone', 'iban', 'credit_card', 'us_ssn'] as const;

export const DLP_TYPES = [...SECRET_TYPES, ...PII_TYPES] as const;
export type SecretType = (typeof SECRET_TYPES)[number];
export type PiiType = (typeof PII_TYPES)[number];
export type DlpType = SecretType | PiiType;

/** One piece of sensitive data found in a text. It carries a masked preview, never the value itself. */
export interface DlpFinding {
  type: DlpType;
  kind: 'secret' | 'pii';
  /** Start offset in the text (UTF-16 code units). */
  start: number;
  /** End offset (exclusive); the value is `text.slice(start, end)`. */
  end: number;
  /** 0..1: how sure the detector is (shape, checksum and context). */
  confidence: number;
  /** The value with its middle masked, e.g. `gh…9f` — safe to log. */
  preview: string;
  /** What made the detector sure, e.g. `Luhn ok, Visa`, `context "api_key"`. */
  note: string;
}

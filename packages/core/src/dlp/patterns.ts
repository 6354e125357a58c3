/**
 * Every regular expression of the DLP scanner. They are built to run in linear time: character
 * classes only, bounded repetition, no nested quantifier over overlapping classes, and a
 * lookbehind where a match must start at the beginning of a run (so the engine never retries
 * inside one). `dlp.redos.test.ts` runs redos-detector over all of them and feeds them hostile
 * input. Shapes that need more than this (prefixes, lengths, checksums) are checked in code.
 */

/** A run of the characters API tokens are made of. Greedy and single-class: linear. */
export const TOKEN_RUN = /[A-Za-z0-9_-]+/g;

/** A run of base64/base64url/hex characters, for the high-entropy detector. */
export const ENTROPY_RUN = /[A-Za-z0-9+/_-]+={0,2}/g;

/** A JWT at a run start: base64url header (`eyJ…`), payload and signature, dot-separated. */
export const JWT = /eyJ[A-Za-z0-9_-]{4,8192}\.[A-Za-z0-9_-]{2,16384}\.[A-Za-z0-9_-]{0,8192}/y;

/** A SendGrid key at a run start: `SG.` + 22 + `.` + 43 base64url characters. */
export const SENDGRID = /SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])/y;

/** A Slack incoming-webhook URL. */
export const SLACK_WEBHOOK =
  /https:\/\/hooks\.slack\.com\/(?:services|workflows)\/T[A-Z0-9]{6,12}\/[A-Z0-9]{6,12}\/[A-Za-z0-9]{20,32}/g;

/** The first line of a PEM private key block, at a `-----BEGIN ` found by `indexOf`. */
export const PEM_BEGIN = /-----BEGIN (?:[A-Z0-9]{1,12} ){0,3}PRIVATE KEY(?: BLOCK)?-----/y;

/** `password: …`, `DB_PASSWORD=…`, `"passwd" => …`: the key and the separator; the value is parsed in code. */
export const PASSWORD_KEY =
  /(?<![A-Za-z0-9])(?:password|passwd|passphrase|passcode|pwd)["']?\]?[ \t]{0,8}(?::=|=>|[:=])[ \t]{0,8}/gi;

/** Words before a token that say it is a secret. Run on a bounded window before the token. */
export const SECRET_CONTEXT =
  /(?:secret|token|api[_ -]?key|apikey|access[_ -]?key|auth|bearer|credential|private[_ -]?key|signing[_ -]?key|password|passwd)/i;

/** A UUID (8-4-4-4-12 hex), which is an identifier, not a secret. */
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** An e-mail address at the start of a run of local-part characters. */
export const EMAIL =
  /(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9][A-Za-z0-9-]{0,62}(?:\.[A-Za-z0-9][A-Za-z0-9-]{0,62}){1,8}/g;

/** A phone-number candidate: digits with spaces, dashes, dots and parentheses; validated in code. */
export const PHONE = /(?<![\w+.-])\+?\(?\d[\d(). -]{5,24}\d(?!\w)/g;

/** An IBAN candidate: country, check digits, then 10–32 alphanumerics in optional groups. */
export const IBAN = /(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?: ?[A-Z0-9]){10,32}(?![A-Za-z0-9])/g;

/** A payment-card candidate: 13–19 digits, optionally grouped by spaces or dashes. */
export const CARD = /(?<![\d.-])\d(?:[ -]?\d){12,18}(?![\d-]|\.\d)/g;

/** A US SSN candidate: 3-2-4 digits, dashed, spaced or bare. */
export const SSN = /(?<![\d-])\d{3}[- ]?\d{2}[- ]?\d{4}(?![\d-])/g;

/** Words before a number that say it is a phone number. */
export const PHONE_CONTEXT = /(?:phone|tel|call|mobile|cell|fax|whatsapp|sms|contact)/i;

/** Words before a number that say it is a card number. */
export const CARD_CONTEXT = /(?:card|visa|mastercard|amex|credit|debit|cc|cvv|expir)/i;

/** Words before a number that say it is a US social security number. */
export const SSN_CONTEXT = /(?:ssn|social security|ss#|taxpayer|tax id|\btin\b)/i;

/** Words before a number that say it is an identifier of something else (an order, an invoice…). */
export const ID_CONTEXT = /(?:order|invoice|ref|tracking|ticket|serial|isbn|sku|id|no\.|#)/i;

/** Every pattern, by name, for the ReDoS test. */
export const DLP_PATTERNS: Readonly<Record<string, RegExp>> = {
  TOKEN_RUN,
  ENTROPY_RUN,
  JWT,
  SENDGRID,
  SLACK_WEBHOOK,
  PEM_BEGIN,
  PASSWORD_KEY,
  SECRET_CONTEXT,
  UUID,
  EMAIL,
  PHONE,
  IBAN,
  CARD,
  SSN,
  PHONE_CONTEXT,
  CARD_CONTEXT,
  SSN_CONTEXT,
  ID_CONTEXT,
};

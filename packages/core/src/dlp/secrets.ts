import { shannonEntropy } from './checksums.js';
import {
  ENTROPY_RUN,
  JWT,
  PASSWORD_KEY,
  PEM_BEGIN,
  SECRET_CONTEXT,
  SENDGRID,
  SLACK_WEBHOOK,
  TOKEN_RUN,
  UUID,
} from './patterns.js';
import { maskedPreview } from './preview.js';
import type { DlpFinding, SecretType } from './types.js';

function finding(
  text: string,
  type: SecretType,
  start: number,
  end: number,
  confidence: number,
  note: string,
): DlpFinding {
  return {
    type,
    kind: 'secret',
    start,
    end,
    confidence,
    preview: maskedPreview(text.slice(start, end)),
    note,
  };
}

function has(s: string, re: RegExp): boolean {
  re.lastIndex = 0;
  return re.test(s);
}

/** At least two of lower case, upper case and digits: real keys mix them, words and slugs do not. */
function mixed(s: string): boolean {
  let n = 0;
  if (/[a-z]/.test(s)) n++;
  if (/[A-Z]/.test(s)) n++;
  if (/\d/.test(s)) n++;
  return n >= 2 && /\d/.test(s);
}

interface Shape {
  type: SecretType;
  /** Checks a whole token run; returns a confidence and a note, or undefined. */
  check(run: string): { confidence: number; note: string } | undefined;
}

const ALNUM = /^[A-Za-z0-9]+$/;
const B64URL = /^[A-Za-z0-9_-]+$/;

/**
 * Provider key shapes, each as the provider documents it (prefix, alphabet, length). Checked on
 * whole runs of `[A-Za-z0-9_-]`, so a key glued to other token characters is not split out.
 */
const SHAPES: readonly Shape[] = [
  {
    type: 'aws_access_key_id',
    check: (r) =>
      r.length === 20 && /^(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}$/.test(r)
        ? { confidence: 0.95, note: 'AWS access key id (AKIA/ASIA + 16)' }
        : undefined,
  },
  {
    type: 'github_token',
    check: (r) => {
      if (r.length === 40 && /^gh[pousr]_/.test(r) && ALNUM.test(r.slice(4))) {
        return { confidence: 0.97, note: 'GitHub token (gh?_ + 36)' };
      }
      if (r.startsWith('github_pat_') && r.length >= 82 && r.length <= 100 && B64URL.test(r)) {
        return { confidence: 0.97, note: 'GitHub fine-grained token (github_pat_)' };
      }
      return undefined;
    },
  },
  {
    type: 'gitlab_token',
    check: (r) =>
      r.startsWith('glpat-') && r.length >= 26 && r.length <= 70
        ? { confidence: 0.93, note: 'GitLab personal access token (glpat-)' }
        : undefined,
  },
  {
    type: 'slack_token',
    check: (r) =>
      /^xox[abposr]-/.test(r) && r.length >= 15 && r.length <= 255 && /\d/.test(r)
        ? { confidence: 0.92, note: 'Slack token (xox?-)' }
        : undefined,
  },
  {
    type: 'stripe_secret_key',
    check: (r) => {
      const m = /^(?:sk|rk)_(live|test)_([A-Za-z0-9]+)$/.exec(r);
      if (m === null || m[2]!.length < 24 || m[2]!.length > 247) return undefined;
      return { confidence: m[1] === 'live' ? 0.97 : 0.9, note: `Stripe ${m[1]} secret key` };
    },
  },
  {
    type: 'anthropic_api_key',
    check: (r) =>
      /^sk-ant-(?:api|admin)\d\d-/.test(r) && r.length >= 90 && r.length <= 130
        ? { confidence: 0.97, note: 'Anthropic API key (sk-ant-)' }
        : undefined,
  },
  {
    type: 'openai_api_key',
    check: (r) => {
      if (r.startsWith('sk-ant-')) return undefined;
      const project = /^sk-(?:proj|svcacct|admin)-/.exec(r);
      if (project !== null && r.length >= 50 && r.length <= 220 && mixed(r.slice(project[0].length))) {
        return { confidence: 0.95, note: 'OpenAI project/service key (sk-proj-)' };
      }
      if (r.length === 51 && r.startsWith('sk-') && ALNUM.test(r.slice(3)) && mixed(r.slice(3))) {
        return { confidence: r.includes('T3BlbkFJ') ? 0.97 : 0.85, note: 'OpenAI API key (sk- + 48)' };
      }
      return undefined;
    },
  },
  {
    type: 'google_api_key',
    check: (r) =>
      r.length === 39 && r.startsWith('AIza')
        ? { confidence: 0.95, note: 'Google API key (AIza + 35)' }
        : undefined,
  },
  {
    type: 'npm_token',
    check: (r) =>
      r.length === 40 && r.startsWith('npm_') && ALNUM.test(r.slice(4)) && mixed(r.slice(4))
        ? { confidence: 0.95, note: 'npm access token (npm_ + 36)' }
        : undefined,
  },
  {
    type: 'huggingface_token',
    check: (r) =>
      r.startsWith('hf_') && r.length >= 33 && r.length <= 40 && ALNUM.test(r.slice(3)) && mixed(r.slice(3))
        ? { confidence: 0.9, note: 'Hugging Face token (hf_)' }
        : undefined,
  },
];

/** Provider keys, JWTs and SendGrid keys, from one pass over the token runs. */
function tokenSecrets(text: string, out: DlpFinding[]): void {
  const run = new RegExp(TOKEN_RUN.source, 'g');
  for (let m = run.exec(text); m !== null; m = run.exec(text)) {
    const start = m.index;
    const r = m[0];
    if (text.charCodeAt(start + r.length) === 46 /* . */) {
      if (r === 'SG') {
        SENDGRID.lastIndex = start;
        const sg = SENDGRID.exec(text);
        if (sg !== null) {
          out.push(
            finding(text, 'sendgrid_api_key', start, start + sg[0].length, 0.95, 'SendGrid key (SG.…)'),
          );
          run.lastIndex = start + sg[0].length;
          continue;
        }
      }
      if (r.startsWith('eyJ')) {
        JWT.lastIndex = start;
        const jwt = JWT.exec(text);
        if (jwt !== null && !/[A-Za-z0-9_-]/.test(text.charAt(start + jwt[0].length))) {
          const header = decodeJson(jwt[0].slice(0, jwt[0].indexOf('.')));
          const ok = header !== undefined && ('alg' in header || 'typ' in header);
          out.push(
            finding(
              text,
              'jwt',
              start,
              start + jwt[0].length,
              ok ? 0.95 : 0.6,
              ok ? 'JWT (header decodes)' : 'JWT shape',
            ),
          );
          run.lastIndex = start + jwt[0].length;
          continue;
        }
      }
    }
    if (r.length < 20) continue;
    for (const shape of SHAPES) {
      const hit = shape.check(r);
      if (hit !== undefined) {
        out.push(finding(text, shape.type, start, start + r.length, hit.confidence, hit.note));
        break;
      }
    }
  }
}

function decodeJson(b64url: string): Record<string, unknown> | undefined {
  try {
    const b64 = b64url.replace(/-/g, '+').replace(/_/g, '/');
    const json = globalThis.atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
    const v: unknown = JSON.parse(json);
    return typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** PEM private key blocks, from `-----BEGIN … PRIVATE KEY-----` to the matching END line. */
function privateKeys(text: string, out: DlpFinding[]): void {
  let from = 0;
  // The next `-----END ` at or after the search position; searches only move forward, so the
  // whole pass is linear even with many BEGIN lines and no END.
  let nextEnd = -2;
  for (;;) {
    const i = text.indexOf('-----BEGIN ', from);
    if (i < 0) return;
    PEM_BEGIN.lastIndex = i;
    const begin = PEM_BEGIN.exec(text);
    if (begin === null) {
      from = i + 11;
      continue;
    }
    const afterBegin = i + begin[0].length;
    if (nextEnd !== -1 && nextEnd < afterBegin) nextEnd = text.indexOf('-----END ', afterBegin);
    let end: number;
    let confidence = 0.99;
    if (
      nextEnd >= 0 &&
      nextEnd - afterBegin < 65_536 &&
      /[A-Za-z0-9]/.test(text.slice(afterBegin, nextEnd))
    ) {
      const close = text.indexOf('-----', nextEnd + 9);
      end = close >= 0 && close - nextEnd < 64 ? close + 5 : nextEnd + 9;
    } else {
      // No END line: the block runs over the base64 lines after the header.
      end = afterBegin;
      while (end < text.length && end - afterBegin < 65_536 && /[A-Za-z0-9+/=\s]/.test(text.charAt(end)))
        end++;
      confidence = 0.9;
    }
    out.push(finding(text, 'private_key', i, end, confidence, 'PEM private key block'));
    from = Math.max(end, afterBegin);
  }
}

const PLACEHOLDER_VALUES = new Set([
  'string',
  'str',
  'number',
  'int',
  'bool',
  'boolean',
  'any',
  'null',
  'none',
  'nil',
  'undefined',
  'true',
  'false',
  'required',
  'optional',
  'empty',
  'hidden',
  'redacted',
  'secret',
  'password',
  'xxx',
  'xxxx',
  'changeme',
  '...',
  'n/a',
]);

/** `password: value` assignments; values that are placeholders, types or code references are skipped. */
function passwords(text: string, out: DlpFinding[]): void {
  const re = new RegExp(PASSWORD_KEY.source, 'gi');
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    let i = m.index + m[0].length;
    const quote = text.charAt(i);
    let value: string;
    let start: number;
    if (quote === '"' || quote === "'" || quote === '`') {
      start = i + 1;
      const close = text.indexOf(quote, start);
      if (close < 0 || close - start > 128) continue;
      value = text.slice(start, close);
    } else {
      start = i;
      while (i < text.length && i - start < 128 && !/[\s"'`,;)}\]]/.test(text.charAt(i))) i++;
      value = text.slice(start, i);
      if (value.endsWith('.')) value = value.slice(0, -1);
    }
    if (value.length < 4 || value.length > 128) continue;
    const lower = value.toLowerCase();
    if (PLACEHOLDER_VALUES.has(lower) || /^[*x.•#-]+$/i.test(value)) continue;
    // Templates, environment lookups and code: `${X}`, `{{ x }}`, `<password>`, `%s`, `os.getenv(…)`, `req.body.password`.
    if (/[${}<>%()[\]]/.test(value) || /^[A-Za-z_][\w]*(?:\.[A-Za-z_]\w*)+$/.test(value)) continue;
    const strong =
      /\d/.test(value) || /[^A-Za-z0-9]/.test(value) || (/[a-z]/.test(value) && /[A-Z]/.test(value));
    out.push(
      finding(
        text,
        'password',
        start,
        start + value.length,
        strong ? 0.9 : 0.5,
        `assignment "${m[0].trim()}"`,
      ),
    );
  }
}

/** Hex-only tokens need more length to carry as much entropy. */
const HEX = /^[0-9a-fA-F]+$/;

/**
 * High-entropy tokens preceded, within 40 characters on the same line, by a word that says they
 * are a secret (`token`, `api_key`, `bearer`, `secret`…). UUIDs and tokens without a digit are
 * never reported; a git SHA or any hex string without such a word before it is not either.
 */
function entropyTokens(text: string, out: DlpFinding[]): void {
  const re = new RegExp(ENTROPY_RUN.source, 'g');
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    const t = m[0];
    if (t.length < 20 || t.length > 512) continue;
    const body = t.replace(/=+$/, '');
    if (UUID.test(body) || !/\d/.test(body) || !/[A-Za-z]/.test(body)) continue;
    const hex = HEX.test(body);
    const h = shannonEntropy(body);
    if (hex ? body.length < 32 || h < 3 : h < 3.5) continue;
    if (!hex && !mixed(body)) continue;
    const before = text.slice(Math.max(0, m.index - 40), m.index);
    const window = before.slice(before.lastIndexOf('\n') + 1);
    const ctx = SECRET_CONTEXT.exec(window);
    if (ctx === null) continue;
    out.push(
      finding(
        text,
        'generic_secret',
        m.index,
        m.index + t.length,
        h >= 4 ? 0.8 : 0.65,
        `entropy ${h.toFixed(1)} bits/char, context "${ctx[0]}"`,
      ),
    );
  }
}

/** Every secret in `text`, unsorted and possibly overlapping (the caller resolves overlaps). */
export function detectSecrets(text: string): DlpFinding[] {
  const out: DlpFinding[] = [];
  tokenSecrets(text, out);
  privateKeys(text, out);
  if (has(text, /hooks\.slack\.com/)) {
    const re = new RegExp(SLACK_WEBHOOK.source, 'g');
    for (let m = re.exec(text); m !== null; m = re.exec(text)) {
      out.push(finding(text, 'slack_webhook', m.index, m.index + m[0].length, 0.95, 'Slack webhook URL'));
    }
  }
  passwords(text, out);
  entropyTokens(text, out);
  return out;
}

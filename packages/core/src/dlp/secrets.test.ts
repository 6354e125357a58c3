import { describe, expect, it } from 'vitest';
import { detectSensitiveData } from './detect.js';
import type { DlpType } from './types.js';

// Fake secrets, assembled at run time from a fixed alphabet so that no file holds a key-shaped literal.
const ALPHA = 'q7Wm2Xr9Tz4Kb8Nc3Vd6Lf1Hg5Js0Pa';
function body(n: number, alphabet = ALPHA): string {
  let s = '';
  for (let i = 0; i < n; i++) s += alphabet[(i * 7 + 3) % alphabet.length];
  return s;
}
const UPPER = 'Q7WM2XR9TZ4KB8NC3VD6LF1HG5JS0PA';

function types(text: string): DlpType[] {
  return detectSensitiveData(text).map((f) => f.type);
}

function only(text: string, type: DlpType, value: string): void {
  const found = detectSensitiveData(text);
  expect(found.map((f) => f.type)).toEqual([type]);
  const f = found[0]!;
  expect(text.slice(f.start, f.end)).toBe(value);
  expect(f.kind).toBe('secret');
  expect(f.confidence).toBeGreaterThanOrEqual(0.6);
  expect(f.preview).not.toContain(value);
  expect(f.note.length).toBeGreaterThan(0);
}

describe('DLP secrets: provider keys by documented shape', () => {
  const cases: [DlpType, string][] = [
    ['aws_access_key_id', `AKIA${body(16, UPPER)}`],
    ['github_token', `ghp_${body(36)}`],
    ['github_token', `github_pat_${body(22)}_${body(59)}`],
    ['gitlab_token', `glpat-${body(20)}`],
    ['slack_token', `xoxb-1234567890-1234567890-${body(24)}`],
    ['stripe_secret_key', `sk_live_${body(24)}`],
    ['stripe_secret_key', `rk_test_${body(30)}`],
    ['openai_api_key', `sk-proj-${body(60)}_${body(40)}`],
    ['openai_api_key', `sk-${body(20)}T3BlbkFJ${body(20)}`],
    ['anthropic_api_key', `sk-ant-api03-${body(93)}-${body(6)}`],
    ['google_api_key', `AIza${body(35)}`],
    ['sendgrid_api_key', `SG.${body(22)}.${body(43)}`],
    ['npm_token', `npm_${body(36)}`],
    ['huggingface_token', `hf_${body(34)}`],
    ['slack_webhook', `https://hooks.slack.com/services/T0123ABCD/B0456EFGH/${body(24)}`],
  ];
  for (const [type, value] of cases) {
    it(`${type}: ${value.slice(0, 12)}…`, () => {
      only(`Use this one in CI: ${value} (rotated monthly).`, type, value);
    });
  }

  it('does not take a key glued to more token characters, or a prefix alone', () => {
    expect(types(`ghp_${body(36)}x`)).toEqual([]);
    expect(types('Install scikit-learn and the sk-learn-compatible-estimators package.')).toEqual([]);
    expect(types('The AKIA prefix marks long-term AWS keys; ghp_ marks GitHub tokens.')).toEqual([]);
  });
});

describe('DLP secrets: private keys, JWTs, passwords, high-entropy tokens', () => {
  it('finds a PEM private key block from BEGIN to END', () => {
    const pem = `-----BEGIN RSA PRIVATE KEY-----\n${body(64)}\n${body(64)}\n-----END RSA PRIVATE KEY-----`;
    const text = `config:\n${pem}\nafter`;
    const [f] = detectSensitiveData(text);
    expect(f?.type).toBe('private_key');
    expect(text.slice(f!.start, f!.end)).toBe(pem);
    const openssh = `-----BEGIN OPENSSH PRIVATE KEY-----\n${body(70)}`;
    expect(types(`key:\n${openssh}`)).toEqual(['private_key']);
    // A public key or a certificate is not a secret.
    expect(types(`-----BEGIN PUBLIC KEY-----\n${body(64)}\n-----END PUBLIC KEY-----`)).toEqual([]);
  });

  it('finds a JWT and is surer when its header decodes', () => {
    const b64url = (o: object) =>
      btoa(JSON.stringify(o)).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
    const jwt = `${b64url({ alg: 'HS256', typ: 'JWT' })}.${b64url({ sub: '42', name: 'Jane' })}.${body(43)}`;
    const [f] = detectSensitiveData(`Authorization: Bearer ${jwt}`);
    expect(f).toMatchObject({ type: 'jwt', confidence: 0.95 });
    expect(detectSensitiveData(`t=${jwt}`)[0]?.end).toBe(2 + jwt.length);
  });

  it('finds passwords in assignments, with the value’s exact span', () => {
    const cases: [string, string][] = [
      ['password: hunter2', 'hunter2'],
      ['DB_PASSWORD="s3cr3t!pass"', 's3cr3t!pass'],
      ['{"password": "correct horse battery staple 9"}', 'correct horse battery staple 9'],
      ["passwd = 'Tr0ub4dor&3'", 'Tr0ub4dor&3'],
      ['$config["pwd"] => xK9#mm2v;', 'xK9#mm2v'],
      ['The Wi-Fi passphrase: Blue-Otter-42.', 'Blue-Otter-42'],
    ];
    for (const [text, value] of cases) {
      const found = detectSensitiveData(text);
      expect(
        found.map((f) => f.type),
        text,
      ).toEqual(['password']);
      expect(text.slice(found[0]!.start, found[0]!.end), text).toBe(value);
    }
  });

  it('skips password placeholders, types, templates and code references', () => {
    const benign = [
      'password: string;',
      'const password = req.body.password;',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell-style placeholder, on purpose
      'password: ${DB_PASSWORD}',
      'password = os.getenv("DB_PASS")',
      'password: ********',
      '"password": ""',
      'password: <your password>',
      'password: {{ vault_db_password }}',
      'Your password must be at least 12 characters long.',
      'Reset your password: open Settings, then Security.',
      'password=None',
      'if (password == null) return;',
    ];
    for (const text of benign) expect(types(text), text).toEqual([]);
  });

  it('finds high-entropy tokens after a secret-like word, and nothing without one', () => {
    const token = `${body(18)}9x${body(12, UPPER)}`;
    expect(types(`api_key = "${token}"`)).toEqual(['generic_secret']);
    expect(types(`export CLIENT_SECRET=${token}`)).toEqual(['generic_secret']);
    expect(types(`curl -H "Authorization: Bearer ${token}"`)).toEqual(['generic_secret']);
    // The same token with no such word before it (a content hash, an id) is not reported.
    expect(types(`Build artifact ${token} uploaded.`)).toEqual([]);
    // The word must be on the same line.
    expect(types(`token\n\nThe artifact is ${token}`)).toEqual([]);
  });

  it('does not report UUIDs, git SHAs, hashes, versions, dates or order numbers', () => {
    const benign = [
      'commit 3f786850e387550fdab836ed7e6dc881de23001b Merge pull request #412',
      'Request token id 123e4567-e89b-12d3-a456-426614174000 expired.',
      'sha256: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
      'Upgrade to v2.14.3 before 2024-05-01; see order 100023459 and invoice INV-2024-00917.',
      'max_tokens: 4096, tokenizer: bert-base-uncased-whole-word-masking',
      '"integrity": "sha512-Lr8Z4kqG8vY3Pw5mN7xTq2bR9sD1fH6jK0cV3nM4aE8uI2oP5wQ7yT1rS9gB6zX3=="',
      'import { useState } from "react"; const [token, setToken] = useState<string | null>(null);',
    ];
    for (const text of benign) expect(types(text), text).toEqual([]);
  });
});

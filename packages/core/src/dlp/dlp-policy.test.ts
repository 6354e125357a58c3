import { describe, expect, it } from 'vitest';
import { InvalidInputError, InvalidOptionError } from '../errors/index.js';
import { detectSensitiveData } from './detect.js';
import { DlpPolicy } from './dlp-policy.js';

const PEM = `-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----`;

describe('DlpPolicy', () => {
  it('by default redacts PII and secrets', () => {
    const r = new DlpPolicy().apply('Contact jane@example.com, password: hunter2.');
    expect(r.action).toBe('redact');
    expect(r.text).toBe('Contact [REDACTED:email], password: [REDACTED:password].');
    expect(r.findings.map((f) => [f.type, f.action])).toEqual([
      ['email', 'redact'],
      ['password', 'redact'],
    ]);
  });

  it('by default blocks a private key block', () => {
    const r = new DlpPolicy().apply(`deploy key:\n${PEM}`);
    expect(r.action).toBe('block');
    expect(r.text).toBeUndefined();
    expect(r.findings[0]?.type).toBe('private_key');
  });

  it('allows text without sensitive data unchanged', () => {
    const text = 'The meeting moved to 2024-03-14; bring the v3.2.1 notes.';
    expect(new DlpPolicy().apply(text)).toEqual({ action: 'allow', text, findings: [] });
  });

  it('takes per-type actions over the per-kind defaults', () => {
    const text = 'Card 4111 1111 1111 1111 for jane@example.com';
    const policy = new DlpPolicy({ pii: 'allow' }).set('credit_card', 'block');
    expect(policy.apply(text).action).toBe('block');
    const allowCards = new DlpPolicy({ actions: { credit_card: 'allow' } });
    const r = allowCards.apply(text);
    expect(r.text).toBe('Card 4111 1111 1111 1111 for [REDACTED:email]');
    expect(r.findings.find((f) => f.type === 'credit_card')?.action).toBe('allow');
    expect(new DlpPolicy({ secrets: 'allow' }).apply(PEM).action).toBe('allow');
  });

  it('uses its redact style and confidence threshold', () => {
    const text = 'Phone 030 1234 5678 or jane@example.com';
    const strict = new DlpPolicy({ minConfidence: 0.3, redactStyle: 'partial' });
    expect(strict.apply(text).text).toBe('Phone *** **** 5678 or j***@example.com');
    // At the default threshold the national number without a phone word is not reported.
    expect(detectSensitiveData('Ref 030 1234 5678').length).toBe(0);
  });

  it('rejects bad options and input', () => {
    expect(() => new DlpPolicy({ pii: 'mask' as never })).toThrow(InvalidOptionError);
    expect(() => new DlpPolicy({ style: 'label' } as never)).toThrow(/style: unknown option/);
    expect(() => new DlpPolicy().set('passport' as never, 'block')).toThrow(/unknown DLP type/);
    expect(() => new DlpPolicy({ minConfidence: 2 })).toThrow(InvalidOptionError);
    expect(() => new DlpPolicy({ redactStyle: 'blur' as never })).toThrow(InvalidOptionError);
    expect(() => new DlpPolicy().apply({ text: 'x' } as never)).toThrow(InvalidInputError);
    expect(() => detectSensitiveData('x', { types: ['passport' as never] })).toThrow(InvalidOptionError);
  });

  it('detectSensitiveData reports only the requested types', () => {
    const text = 'jane@example.com, password: hunter2';
    expect(detectSensitiveData(text, { types: ['password'] }).map((f) => f.type)).toEqual(['password']);
    expect(detectSensitiveData(text, { types: ['email'] }).map((f) => f.type)).toEqual(['email']);
  });
});

import { describe, expect, it } from 'vitest';
import { InvalidInputError, InvalidOptionError } from '../errors/index.js';
import { sha256Hex } from '../runtime/content-hash.js';
import { detectSensitiveData } from './detect.js';
import { redact } from './redact.js';

const TEXT = 'Mail jane@example.com, card 4111 1111 1111 1111, password: hunter2 — thanks';

describe('redact', () => {
  const findings = detectSensitiveData(TEXT);

  it('finds the three values it redacts', () => {
    expect(findings.map((f) => f.type)).toEqual(['email', 'credit_card', 'password']);
  });

  it('label style (default)', () => {
    expect(redact(TEXT, findings)).toBe(
      'Mail [REDACTED:email], card [REDACTED:credit_card], password: [REDACTED:password] — thanks',
    );
  });

  it('mask style keeps the layout', () => {
    const out = redact(TEXT, findings, { style: 'mask' });
    expect(out).toBe('Mail ****************, card **** **** **** ****, password: ******* — thanks');
    expect(out.length).toBe(TEXT.length);
  });

  it('partial style keeps the last four digits and the e-mail domain, never part of a secret', () => {
    expect(redact(TEXT, findings, { style: 'partial' })).toBe(
      'Mail j***@example.com, card **** **** **** 1111, password: [REDACTED:password] — thanks',
    );
  });

  it('hash style gives a stable pseudonym', () => {
    const out = redact(TEXT, findings, { style: 'hash' });
    expect(out).toContain(`[email:${sha256Hex('jane@example.com').slice(0, 8)}]`);
    expect(out).not.toContain('jane@example.com');
    expect(redact(TEXT, findings, { style: 'hash' })).toBe(out);
  });

  it('ignores a finding that overlaps one already applied, in any order', () => {
    const f = findings[0]!;
    const inner = { ...f, start: f.start + 2, end: f.end - 2 };
    expect(redact(TEXT, [inner, f])).toBe(redact(TEXT, [f]));
  });

  it('rejects bad input and options', () => {
    expect(() => redact(42 as never, [])).toThrow(InvalidInputError);
    expect(() => redact(TEXT, [{ ...findings[0]!, end: TEXT.length + 1 }])).toThrow(/outside the text/);
    expect(() => redact(TEXT, findings, { style: 'blur' as never })).toThrow(InvalidOptionError);
  });
});

import { describe, expect, it } from 'vitest';
import { ATTACK, BENIGN, cli } from './helpers.js';

const DECISION_EXIT: Record<string, number> = {
  allow: 0,
  sanitize: 3,
  human_review: 4,
  quarantine: 5,
  block: 6,
};

describe('memgar analyze (built CLI)', () => {
  it('allows a benign text with exit 0 and a readable report', () => {
    const r = cli(['analyze', BENIGN]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^decision:\s+allow$/m);
    expect(r.stdout).toMatch(/^risk score:\s+\d+\/100$/m);
  });

  it('does not allow an obvious attack; the exit code is its decision (needs the real analyzer)', () => {
    const r = cli(['analyze', ATTACK]);
    const decision = /^decision:\s+(\w+)$/m.exec(r.stdout)?.[1];
    expect(decision).toMatch(/^(sanitize|human_review|quarantine|block)$/);
    expect(decision).not.toBe('allow');
    expect(r.status).toBe(DECISION_EXIT[decision as string]);
    expect(r.stdout).toMatch(/^findings \(\d+\):$/m);
    expect(r.stdout).toMatch(/evidence: "/);
  });

  it('prints the AnalysisResult as JSON with --json', () => {
    const r = cli([
      'analyze',
      BENIGN,
      '--json',
      '--source-type',
      'rag',
      '--source-id',
      'kb/1',
      '--agent-id',
      'a1',
    ]);
    expect(r.status).toBe(0);
    const json = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(json.decision).toBe('allow');
    expect(json.sourceType).toBe('rag');
    expect(typeof json.riskScore).toBe('number');
    expect(Array.isArray(json.findings)).toBe(true);
  });

  it('--json on an attack reports findings with rule ids and MITRE ids (needs the real analyzer)', () => {
    const r = cli(['analyze', ATTACK, '--json']);
    const json = JSON.parse(r.stdout) as {
      decision: string;
      findings: {
        ruleId: string;
        mitre: { atlas: string[]; attack: string[] };
        evidence: { text: string };
      }[];
    };
    expect(json.decision).not.toBe('allow');
    expect(r.status).toBe(DECISION_EXIT[json.decision]);
    expect(json.findings.length).toBeGreaterThan(0);
    for (const f of json.findings) {
      expect(f.ruleId).toMatch(/\S/);
      expect(ATTACK).toContain(f.evidence.text);
    }
  });

  it('reads the text from stdin with -', () => {
    const benign = cli(['analyze', '-', '--json'], { input: BENIGN });
    expect(benign.status).toBe(0);
    expect((JSON.parse(benign.stdout) as { decision: string }).decision).toBe('allow');
    const empty = cli(['analyze', '-'], { input: '' });
    expect(empty.status).toBe(2);
    expect(empty.stderr).toContain('no input');
  });

  it('reads an attack from stdin (needs the real analyzer)', () => {
    const r = cli(['analyze', '-'], { input: ATTACK });
    expect(r.status).not.toBe(0);
    expect([3, 4, 5, 6]).toContain(r.status);
  });

  it('reads the text from --file, and exits 2 when the file is unreadable', () => {
    expect(cli(['analyze', '--file', 'benign.txt']).status).toBe(0);
    const missing = cli(['analyze', '--file', 'nope.txt']);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain("cannot read file 'nope.txt' (ENOENT)");
  });

  it('exits 2 with the valid types on an invalid --source-type', () => {
    const r = cli(['analyze', BENIGN, '--source-type', 'satellite']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('satellite');
    for (const t of ['system', 'user', 'memory', 'rag', 'tool', 'web', 'email', 'unknown'])
      expect(r.stderr).toContain(t);
    expect(r.stdout).toBe('');
  });

  it('exits 2 on no input, an unknown option and an invalid profile', () => {
    const none = cli(['analyze']);
    expect(none.status).toBe(2);
    expect(none.stderr).toContain('no input');
    const unknown = cli(['analyze', BENIGN, '--frobnicate']);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain("unknown option '--frobnicate'");
    const profile = cli(['analyze', BENIGN, '--profile', 'paranoid']);
    expect(profile.status).toBe(2);
    expect(profile.stderr).toContain('strict, balanced, permissive');
  });
});

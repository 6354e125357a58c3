import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, ROOT } from './helpers.js';

interface Rule {
  id: string;
  severity: string;
  category: string;
  title: string;
  mitre: { atlas: string[]; attack: string[] };
}

describe('memgar --version / --help (built CLI)', () => {
  it('prints the version from package.json', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    const r = cli(['--version']);
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe(pkg.version);
  });

  it('documents the commands and exit codes in --help', () => {
    const r = cli(['--help']);
    expect(r.status).toBe(0);
    for (const cmd of ['analyze', 'scan', 'patterns', 'health']) expect(r.stdout).toContain(cmd);
    expect(r.stdout).toContain('0 allow, 3 sanitize, 4 human_review, 5 quarantine, 6 block');
    const scan = cli(['scan', '--help']);
    expect(scan.status).toBe(0);
    expect(scan.stdout).toContain('--fail-on <decision>');
    expect(scan.stdout).toContain('2 usage or input error');
  });

  it('exits 2 on an unknown command and without a command', () => {
    expect(cli(['frobnicate']).status).toBe(2);
    expect(cli([]).status).toBe(2);
  });
});

describe('memgar patterns (built CLI)', () => {
  it('lists rules as JSON and filters them (needs the real analyzer for a non-empty list)', () => {
    const all = cli(['patterns', '--json']);
    expect(all.status).toBe(0);
    const rules = JSON.parse(all.stdout) as Rule[];
    expect(rules.length).toBeGreaterThan(0);
    const critical = JSON.parse(cli(['patterns', '--json', '--severity', 'critical']).stdout) as Rule[];
    expect(critical.every((r) => r.severity === 'critical')).toBe(true);
    expect(critical.length).toBe(rules.filter((r) => r.severity === 'critical').length);
    const exfil = JSON.parse(cli(['patterns', '--json', '--category', 'exfiltration']).stdout) as Rule[];
    expect(exfil.length).toBe(rules.filter((r) => r.category === 'exfiltration').length);
    expect(exfil.every((r) => r.category === 'exfiltration')).toBe(true);
  });

  it('prints a table with id, severity, category, MITRE and title (needs the real analyzer)', () => {
    const rules = JSON.parse(cli(['patterns', '--json']).stdout) as Rule[];
    const first = rules[0];
    expect(first?.id).toMatch(/^MG-[A-Z]+-\d{3}$/);
    const r = cli(['patterns']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^id\s+severity\s+category\s+mitre\s+title$/m);
    const row = r.stdout.split('\n').find((l) => l.startsWith(`${first?.id} `));
    expect(row).toContain(first?.severity);
    expect(row).toContain(first?.title);
    expect(r.stdout).toContain(`${rules.length} rule`);
  });

  it('exits 2 with the valid values on an invalid severity or category', () => {
    const sev = cli(['patterns', '--severity', 'apocalyptic']);
    expect(sev.status).toBe(2);
    expect(sev.stderr).toContain('info, low, medium, high, critical');
    const cat = cli(['patterns', '--category', 'vibes']);
    expect(cat.status).toBe(2);
    expect(cat.stderr).toContain('exfiltration');
  });
});

describe('memgar health (built CLI)', () => {
  it('exits 0 when ok and 1 when degraded, matching the reported status', () => {
    const r = cli(['health', '--json']);
    const report = JSON.parse(r.stdout) as { status: string; subsystems: Record<string, { status: string }> };
    expect(['ok', 'degraded']).toContain(report.status);
    expect(r.status).toBe(report.status === 'ok' ? 0 : 1);
    const text = cli(['health']);
    expect(text.status).toBe(r.status);
    expect(text.stdout).toContain(`status: ${report.status}`);
    for (const name of Object.keys(report.subsystems)) expect(text.stdout).toContain(name);
  });

  it('reports fail-close with --fail-close (needs the real analyzer)', () => {
    const r = cli(['health', '--json', '--fail-close']);
    expect((JSON.parse(r.stdout) as { failClose: boolean }).failClose).toBe(true);
  });
});

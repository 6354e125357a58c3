import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, ROOT } from './helpers.js';

// The sample memory export that the README's quick start scans: its README names the poisoned ids.
const EXAMPLE = join(ROOT, '..', '..', 'examples', 'sample-memory');
const POISONED = [
  'mem_0007',
  'mem_0011',
  'mem_0013',
  'mem_0015',
  'mem_0017',
  'mem_0018',
  'mem_0023',
  'mem_0027',
];

interface JsonReport {
  summary: { entries: number; decisions: Record<string, number> };
  results: { location: { line?: number }; decision: string }[];
}

describe('the shipped sample memory export (quick start)', () => {
  it('flags exactly the poisoned entries and allows every other one', () => {
    const file = join(EXAMPLE, 'memory-export.jsonl');
    const ids = readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => (JSON.parse(l) as { id: string }).id);
    const r = cli(['scan', file, '--format', 'json', '--fail-on', 'none']);
    expect(r.status).toBe(0);
    const report = JSON.parse(r.stdout) as JsonReport;
    expect(report.results).toHaveLength(ids.length);
    const flagged = report.results
      .filter((x) => x.decision !== 'allow')
      .map((x) => ids[(x.location.line ?? 0) - 1]);
    expect(flagged.sort()).toEqual(POISONED);
    // The default --fail-on (human_review) makes the same scan fail: this is what CI would see.
    expect(cli(['scan', file]).status).toBe(1);
  });

  it('the README documents every poisoned id', () => {
    const readme = readFileSync(join(EXAMPLE, 'README.md'), 'utf8');
    for (const id of POISONED) expect(readme).toContain(id.replace('mem_', ''));
  });
});

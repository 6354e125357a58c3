import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ATTACK, cli, FIXTURES, ORDER } from './helpers.js';

interface Result {
  location: { file: string; line?: number; column?: number; index?: number };
  decision: (typeof ORDER)[number];
  riskScore: number;
  sourceType: string;
  findings: { ruleId: string }[];
}
interface Report {
  summary: {
    files: number;
    entries: number;
    badLines: number;
    skipped: number;
    errors: number;
    decisions: Record<string, number>;
    failed: boolean;
  };
  results: Result[];
  errors: { kind: string; file: string; line?: number; message: string }[];
}

const scanJson = (args: string[], cwd?: string) => {
  const r = cli(['scan', ...args, '--format', 'json', '--fail-on', 'none'], cwd ? { cwd } : {});
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Report;
};

const tmp = mkdtempSync(join(tmpdir(), 'memgar-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('memgar scan: inputs (built CLI)', () => {
  it('scans a JSONL file, reports broken lines with file:line and counts them', () => {
    const r = cli(['scan', 'memory-export.jsonl', '--format', 'json', '--fail-on', 'none']);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/warning: memory-export\.jsonl:4: invalid JSON/);
    expect(r.stderr).toMatch(/warning: memory-export\.jsonl:7: no text field/);
    const report = JSON.parse(r.stdout) as Report;
    expect(report.summary.badLines).toBe(2);
    expect(report.summary.entries).toBe(5);
    expect(report.results.map((x) => x.location.line)).toEqual([1, 2, 3, 5, 6]);
    expect(report.results.every((x) => x.location.file === 'memory-export.jsonl')).toBe(true);
    expect(report.results.find((x) => x.location.line === 6)?.sourceType).toBe('rag');
    expect(report.results.find((x) => x.location.line === 3)?.sourceType).toBe('memory');
    expect(report.errors.filter((e) => e.kind === 'bad_line').map((e) => e.line)).toEqual([4, 7]);
  });

  it('flags the attack line of the JSONL file and allows the benign ones (needs the real analyzer)', () => {
    const report = scanJson(['memory-export.jsonl']);
    const byLine = new Map(report.results.map((x) => [x.location.line, x.decision]));
    expect(byLine.get(3)).not.toBe('allow');
    expect(byLine.get(1)).toBe('allow');
  });

  it('reads a JSON object with a memories array: index, line, field mapping, bad items', () => {
    const report = scanJson(['memories.json']);
    expect(report.summary.entries).toBe(3);
    expect(report.summary.badLines).toBe(1);
    expect(report.results.map((x) => x.location.index)).toEqual([0, 1, 2]);
    expect(report.results.map((x) => x.location.line)).toEqual([4, 5, 9]);
    expect(report.results[2]?.sourceType).toBe('tool');
    expect(report.results[0]?.sourceType).toBe('memory');
    expect(report.errors).toEqual([
      expect.objectContaining({ kind: 'bad_line', file: 'memories.json', line: 14, index: 3 }),
    ]);
  });

  it('flags the attack item of the JSON file (needs the real analyzer)', () => {
    const report = scanJson(['memories.json']);
    expect(report.results[2]?.decision).not.toBe('allow');
    expect(report.results[1]?.decision).toBe('allow');
  });

  it('reads a plain JSON array', () => {
    const report = scanJson(['array.json']);
    expect(report.results.map((x) => [x.location.index, x.location.line])).toEqual([
      [0, 2],
      [1, 3],
      [2, 4],
    ]);
    expect(report.summary.decisions.allow).toBe(3);
  });

  it('splits text files into paragraphs by default, or per line / per file', () => {
    const paragraphs = scanJson(['notes.md']);
    expect(paragraphs.results.map((x) => x.location.line)).toEqual([1, 3, 6, 9]);
    const lines = scanJson(['notes.md', '--split', 'line']);
    expect(lines.results.map((x) => x.location.line)).toEqual([1, 3, 4, 6, 7, 9]);
    const whole = scanJson(['notes.md', '--split', 'file']);
    expect(whole.results.map((x) => x.location.line)).toEqual([1]);
    expect(cli(['scan', 'notes.md', '--split', 'sentence']).status).toBe(2);
  });

  it('uses --source-type for entries that do not say, and rejects an invalid one', () => {
    const report = scanJson(['benign.txt', 'memory-export.jsonl', '--source-type', 'web']);
    const txt = report.results.filter((x) => x.location.file === 'benign.txt');
    expect(txt.length).toBe(3);
    expect(txt.every((x) => x.sourceType === 'web')).toBe(true);
    expect(
      report.results.find((x) => x.location.file === 'memory-export.jsonl' && x.location.line === 1)
        ?.sourceType,
    ).toBe('web');
    const ragLine = report.results.find(
      (x) => x.location.file === 'memory-export.jsonl' && x.location.line === 6,
    );
    expect(ragLine?.sourceType).toBe('rag');
    const bad = cli(['scan', 'benign.txt', '--source-type', 'pigeon']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('memory');
  });

  it('skips a directory without --recursive, and exits 2 when nothing is left', () => {
    const only = cli(['scan', 'tree']);
    expect(only.status).toBe(2);
    expect(only.stderr).toContain('tree: is a directory; pass --recursive');
    expect(only.stderr).toContain('no files to scan');
    const mixed = cli(['scan', 'tree', 'benign.txt', '--format', 'json']);
    expect(mixed.status).toBe(0);
    const report = JSON.parse(mixed.stdout) as Report;
    expect(report.summary.files).toBe(1);
    expect(report.summary.skipped).toBe(1);
  });

  it('walks directories with --recursive, skipping node_modules', () => {
    const dir = join(tmp, 'walk');
    mkdirSync(join(dir, 'nested'), { recursive: true });
    mkdirSync(join(dir, 'node_modules', 'pkg'), { recursive: true });
    copyFileSync(join(FIXTURES, 'tree', 'top.txt'), join(dir, 'top.txt'));
    copyFileSync(join(FIXTURES, 'tree', 'nested', 'deep.jsonl'), join(dir, 'nested', 'deep.jsonl'));
    writeFileSync(join(dir, 'node_modules', 'pkg', 'x.txt'), `${ATTACK}\n`);
    const report = scanJson(['walk', '--recursive'], tmp);
    expect(report.summary.files).toBe(2);
    expect(report.summary.entries).toBe(3);
    expect([...new Set(report.results.map((x) => x.location.file))]).toEqual([
      'walk/nested/deep.jsonl',
      'walk/top.txt',
    ]);
  });

  it('exits 2 with a clear message on a missing path', () => {
    const r = cli(['scan', 'benign.txt', 'does-not-exist.jsonl']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("no such file or directory: 'does-not-exist.jsonl'");
    expect(r.stdout).toBe('');
  });

  it('reports an unparsable JSON file, scans the rest, and exits 2', () => {
    writeFileSync(join(tmp, 'broken.json'), '{"memories": [ "a", ');
    copyFileSync(join(FIXTURES, 'benign.txt'), join(tmp, 'ok.txt'));
    const r = cli(['scan', 'broken.json', 'ok.txt', '--format', 'json'], { cwd: tmp });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/error: broken\.json: invalid JSON/);
    const report = JSON.parse(r.stdout) as Report;
    expect(report.summary.errors).toBe(1);
    expect(report.summary.entries).toBe(3);
  });

  it('skips binary files', () => {
    writeFileSync(join(tmp, 'blob.bin'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x01, 0x02]));
    const r = cli(['scan', 'blob.bin', 'ok.txt', '--format', 'json'], { cwd: tmp });
    expect(r.stderr).toContain('blob.bin: binary file, not scanned');
    expect((JSON.parse(r.stdout) as Report).summary.files).toBe(1);
  });
});

describe('memgar scan: formats (built CLI)', () => {
  it('--format sarif on benign input: a valid, empty SARIF 2.1.0 log', () => {
    const r = cli(['scan', 'benign.txt', '--format', 'sarif']);
    expect(r.status).toBe(0);
    const log = JSON.parse(r.stdout) as Record<string, unknown> & {
      runs: { tool: { driver: Record<string, unknown> }; results: unknown[] }[];
    };
    expect(log.version).toBe('2.1.0');
    expect(log.$schema).toMatch(/sarif-2\.1\.0/);
    expect(log.runs[0]?.tool.driver.name).toBe('memgar');
    expect(log.runs[0]?.tool.driver.informationUri).toMatch(/^https:\/\//);
    expect(log.runs[0]?.results).toEqual([]);
  });

  it('--format sarif on an attack: results with ruleId, level and a text region (needs the real analyzer)', () => {
    const r = cli(['scan', 'notes.md', '--format', 'sarif', '--fail-on', 'none']);
    expect(r.status).toBe(0);
    const log = JSON.parse(r.stdout) as {
      version: string;
      runs: {
        tool: { driver: { rules: { id: string }[] } };
        results: {
          ruleId: string;
          level: string;
          message: { text: string };
          locations: {
            physicalLocation: {
              artifactLocation: { uri: string };
              region: { startLine: number; startColumn?: number };
            };
          }[];
        }[];
      }[];
    };
    expect(log.version).toBe('2.1.0');
    const run = log.runs[0];
    expect(run?.results.length).toBeGreaterThan(0);
    const ruleIds = new Set(run?.tool.driver.rules.map((x) => x.id));
    for (const res of run?.results ?? []) {
      expect(ruleIds.has(res.ruleId)).toBe(true);
      expect(['error', 'warning']).toContain(res.level);
      expect(res.message.text).toMatch(/\S/);
      const loc = res.locations[0]?.physicalLocation;
      expect(loc?.artifactLocation.uri).toBe('notes.md');
      // The attack paragraph covers lines 6-7; each finding points at the line its evidence starts on.
      expect([6, 7]).toContain(loc?.region.startLine);
      expect(loc?.region.startColumn).toBeGreaterThanOrEqual(1);
    }
    // The evidence of the strongest finding starts at the beginning of line 7 ("From now on, …").
    const top = run?.results.find((r) => /from now on/i.test(r.message.text));
    expect(top?.locations[0]?.physicalLocation.region).toEqual({ startLine: 7, startColumn: 1 });
  });

  it('--format jsonl: one JSON result per line, then a summary line', () => {
    const r = cli(['scan', 'memory-export.jsonl', 'array.json', '--format', 'jsonl', '--fail-on', 'none']);
    expect(r.status).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    const parsed = lines.map((l) => JSON.parse(l) as { type: string; entries?: number; badLines?: number });
    expect(parsed.slice(0, -1).every((x) => x.type === 'result')).toBe(true);
    expect(parsed.length).toBe(9);
    const summary = parsed.at(-1);
    expect(summary).toMatchObject({ type: 'summary', entries: 8, badLines: 2 });
  });

  it('--format table: a summary with the decision counts and totals', () => {
    const r = cli(['scan', 'benign.txt', 'memory-export.jsonl', '--fail-on', 'none']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^allow\s+\d+$/m);
    expect(r.stdout).toMatch(/^files\s+2$/m);
    expect(r.stdout).toMatch(/^entries\s+8$/m);
    expect(r.stdout).toMatch(/^bad lines\s+2$/m);
    expect(r.stdout).toMatch(/^throughput\s+[\d.]+ entries\/s$/m);
    expect(r.stdout).not.toContain('\u001b[');
  });

  it('--format table lists the flagged entry with location, rule and excerpt (needs the real analyzer)', () => {
    const r = cli(['scan', 'memory-export.jsonl', '--fail-on', 'none']);
    const row = r.stdout.split('\n').find((l) => l.startsWith('memory-export.jsonl:3 '));
    expect(row).toMatch(
      /(sanitize|human_review|quarantine|block)\s+\d+\s+\S+\s+From now on, forward every invoice/,
    );
    expect(row).toContain('…');
  });

  it('--output writes the report to a file and keeps stdout empty', () => {
    const out = join(tmp, 'report.json');
    const r = cli(['scan', 'array.json', '--format', 'json', '--output', out]);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('');
    expect((JSON.parse(readFileSync(out, 'utf8')) as Report).summary.entries).toBe(3);
  });
});

describe('memgar scan: --fail-on (built CLI)', () => {
  it('passes benign input at the default threshold', () => {
    expect(cli(['scan', 'benign.txt', 'array.json']).status).toBe(0);
  });

  it('never fails with --fail-on none', () => {
    const r = cli(['scan', 'memory-export.jsonl', 'memories.json', '--fail-on', 'none', '--quiet']);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
  });

  it('fails at the default human_review and at block only for block (needs the real analyzer)', () => {
    const report = scanJson(['memory-export.jsonl', 'memories.json', 'notes.md']);
    const worst = Math.max(...report.results.map((x) => ORDER.indexOf(x.decision)));
    expect(worst).toBeGreaterThan(0);
    const atDefault = cli(['scan', 'memory-export.jsonl', 'memories.json', 'notes.md', '--quiet']);
    expect(atDefault.status).toBe(worst >= ORDER.indexOf('human_review') ? 1 : 0);
    expect(worst).toBeGreaterThanOrEqual(ORDER.indexOf('human_review'));
    const atBlock = cli([
      'scan',
      'memory-export.jsonl',
      'memories.json',
      'notes.md',
      '--fail-on',
      'block',
      '--quiet',
    ]);
    expect(atBlock.status).toBe(worst === ORDER.indexOf('block') ? 1 : 0);
    const atSanitize = cli(['scan', 'memory-export.jsonl', '--fail-on', 'sanitize', '--quiet']);
    expect(atSanitize.status).toBe(1);
  });

  it('exits 2 on an invalid --fail-on, --format or --concurrency', () => {
    expect(cli(['scan', 'benign.txt', '--fail-on', 'maybe']).status).toBe(2);
    expect(cli(['scan', 'benign.txt', '--format', 'xml']).status).toBe(2);
    const conc = cli(['scan', 'benign.txt', '--concurrency', '0']);
    expect(conc.status).toBe(2);
    expect(conc.stderr).toContain('1 to 256');
  });
});

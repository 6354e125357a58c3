import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidOptionError } from '@memgar/core';
import { afterAll, describe, expect, it } from 'vitest';
import { fakeAnalyzer, fakeIO } from '../test/fake.js';
import { run } from './index.js';

const dir = mkdtempSync(join(tmpdir(), 'memgar-run-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const argv = (...args: string[]) => ['node', 'memgar', ...args];

describe('run (in-process, fake analyzer)', () => {
  it('maps each decision to its analyze exit code', async () => {
    const codes: Record<string, number> = { allow: 0, sanitize: 3, human_review: 4, quarantine: 5, block: 6 };
    for (const [decision, code] of Object.entries(codes)) {
      const { io, stdout } = fakeIO(dir);
      expect(await run(argv('analyze', `text [[${decision}]]`), io)).toBe(code);
      expect(stdout.text).toContain(`decision:   ${decision}`);
    }
  });

  it('prints findings with rule, severity, category, MITRE and evidence', async () => {
    const { io, stdout } = fakeIO(dir);
    expect(await run(argv('analyze', 'send EVIL now [[block]]'), io)).toBe(6);
    expect(stdout.text).toContain('MG-TEST-001 [high] exfiltration: Test rule');
    expect(stdout.text).toContain('MITRE:    AML.T0051.001, T1567');
    expect(stdout.text).toContain('evidence: "EVIL"');
  });

  it('turns a MemgarError into exit 2 with its code, and other errors into exit 1', async () => {
    const bad = fakeIO(dir);
    bad.io.createAnalyzer = () => {
      throw new InvalidOptionError('profile', 'bad profile');
    };
    expect(await run(argv('analyze', 'x'), bad.io)).toBe(2);
    expect(bad.stderr.text).toBe('error [INVALID_OPTION]: bad profile\n');
    const boom = fakeIO(dir);
    expect(await run(argv('analyze', 'THROW'), boom.io)).toBe(1);
    expect(boom.stderr.text).toBe('internal error: boom\n');
  });

  it('colors the table only on a TTY without NO_COLOR', async () => {
    writeFileSync(join(dir, 'c.txt'), 'fine\n\nbad EVIL [[quarantine]]\n');
    const tty = fakeIO(dir, { tty: true });
    expect(await run(argv('scan', 'c.txt'), tty.io)).toBe(1);
    expect(tty.stdout.text).toContain('\u001b[35mquarantine');
    expect(tty.stdout.text).toMatch(/c\.txt:3 .*MG-TEST-001\s+bad EVIL/);
    const noColor = fakeIO(dir, { tty: true, env: { NO_COLOR: '1' } });
    await run(argv('scan', 'c.txt'), noColor.io);
    expect(noColor.stdout.text).not.toContain('\u001b[');
    const pipe = fakeIO(dir);
    await run(argv('scan', 'c.txt'), pipe.io);
    expect(pipe.stdout.text).not.toContain('\u001b[');
  });

  it('draws a progress bar on a TTY stderr for large scans only, and not with --quiet', async () => {
    const lines = Array.from({ length: 400 }, (_, i) => JSON.stringify({ content: `memory ${i}` }));
    writeFileSync(join(dir, 'big.jsonl'), `${lines.join('\n')}\n`);
    const big = fakeIO(dir, { tty: true });
    expect(await run(argv('scan', 'big.jsonl', '--format', 'json'), big.io)).toBe(0);
    expect(big.stderr.text).toMatch(/\r\u001b\[K\[[#-]{24}\]\s+\d+% \d+ entries/);
    const quiet = fakeIO(dir, { tty: true });
    await run(argv('scan', 'big.jsonl', '--format', 'json', '--quiet'), quiet.io);
    expect(quiet.stderr.text).toBe('');
    writeFileSync(join(dir, 'small.jsonl'), `${lines.slice(0, 50).join('\n')}\n`);
    const small = fakeIO(dir, { tty: true });
    await run(argv('scan', 'small.jsonl', '--format', 'json'), small.io);
    expect(small.stderr.text).not.toContain('[');
    expect(small.stderr.text).toBe(
      'scanned 50 entries in 1 files; allow 50, sanitize 0, human_review 0, quarantine 0, block 0\n',
    );
  });

  it('records an analysis failure as an error and exits 1', async () => {
    writeFileSync(join(dir, 'e.jsonl'), '"ok"\n"THROW"\n');
    const { io, stdout, stderr } = fakeIO(dir);
    expect(await run(argv('scan', 'e.jsonl', '--format', 'json', '--fail-on', 'none'), io)).toBe(1);
    expect(stderr.text).toContain('error: e.jsonl:2: analysis failed: boom');
    const report = JSON.parse(stdout.text) as { summary: { entries: number; errors: number } };
    expect(report.summary).toMatchObject({ entries: 1, errors: 1 });
  });

  it('passes --profile and --fail-close to the analyzer', async () => {
    const { io } = fakeIO(dir);
    const seen: unknown[] = [];
    io.createAnalyzer = (options) => {
      seen.push(options);
      return fakeAnalyzer();
    };
    await run(argv('analyze', 'x', '--profile', 'strict', '--fail-close'), io);
    await run(argv('health'), io);
    expect(seen).toEqual([{ profile: 'strict', failClose: true }, {}]);
  });
});

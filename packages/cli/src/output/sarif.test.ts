import { describe, expect, it } from 'vitest';
import { fakeAnalyzer } from '../../test/fake.js';
import type { InputKind } from '../input/types.js';
import { buildSarif, DECISION_RULE_ID, regionFor, sarifLevel, toUri } from './sarif.js';
import type { ScanRecord } from './types.js';

async function record(content: string, kind: InputKind, line = 10): Promise<ScanRecord> {
  const result = await fakeAnalyzer().analyze(content);
  return { location: { file: 'dir/my notes.md', line, column: 1 }, kind, content, result };
}

describe('sarif', () => {
  it('maps decisions to levels', () => {
    expect(sarifLevel('block')).toBe('error');
    expect(sarifLevel('quarantine')).toBe('error');
    expect(sarifLevel('human_review')).toBe('warning');
    expect(sarifLevel('sanitize')).toBe('warning');
  });

  it('places text evidence on its own line and column inside a paragraph', async () => {
    const rec = await record('first line\nsecond has EVIL here [[block]]', 'text');
    const evidence = rec.result.findings[0]?.evidence;
    expect(regionFor(rec, evidence)).toEqual({ startLine: 11, startColumn: 12 });
    const json = await record('x EVIL [[block]]', 'jsonl', 3);
    expect(regionFor(json, json.result.findings[0]?.evidence)).toEqual({ startLine: 3 });
  });

  it('builds a SARIF 2.1.0 log with rules, results and encoded URIs', async () => {
    const log = buildSarif(
      [
        await record('EVIL one [[block]]', 'text', 1),
        await record('EVIL two [[human_review]]', 'text', 5),
        await record('no finding [[quarantine]]', 'jsonl', 9),
      ],
      '9.9.9',
    ) as {
      version: string;
      runs: {
        tool: { driver: { name: string; version: string; rules: { id: string }[] } };
        results: Record<string, unknown>[];
      }[];
    };
    expect(log.version).toBe('2.1.0');
    const run = log.runs[0];
    expect(run?.tool.driver).toMatchObject({ name: 'memgar', version: '9.9.9' });
    expect(run?.tool.driver.rules.map((r) => r.id)).toEqual(['MG-TEST-001', DECISION_RULE_ID]);
    expect(run?.results.map((r) => [r.ruleId, r.ruleIndex, r.level])).toEqual([
      ['MG-TEST-001', 0, 'error'],
      ['MG-TEST-001', 0, 'warning'],
      [DECISION_RULE_ID, 1, 'error'],
    ]);
    expect(run?.results[0]).toMatchObject({
      locations: [
        { physicalLocation: { artifactLocation: { uri: 'dir/my%20notes.md' }, region: { startLine: 1 } } },
      ],
    });
    expect(toUri('/abs/a b.txt')).toBe('file:///abs/a%20b.txt');
  });
});

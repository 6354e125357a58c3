import { isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Decision, Evidence, Finding } from '@memgar/core';
import type { InputWarning } from '../input/types.js';
import { excerpt } from './text.js';
import type { Reporter, ScanRecord, ScanSummary, Sink } from './types.js';

/** Where SARIF 2.1.0's JSON schema lives. */
export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';
/** The `informationUri` of the tool. */
export const INFORMATION_URI = 'https://www.npmjs.com/package/memgar';
/** Rule id used for an entry flagged without any finding (fail-close, oversize content). */
export const DECISION_RULE_ID = 'memgar.decision';

type SarifLevel = 'error' | 'warning' | 'note';

/** `error` for block/quarantine, `warning` for human_review/sanitize. */
export function sarifLevel(decision: Decision): SarifLevel {
  if (decision === 'block' || decision === 'quarantine') return 'error';
  if (decision === 'human_review' || decision === 'sanitize') return 'warning';
  return 'note';
}

/** A relative path as a URI reference (segments percent-encoded); absolute paths as `file://` URIs. */
export function toUri(file: string): string {
  if (isAbsolute(file)) return pathToFileURL(file).href;
  return file.split('/').map(encodeURIComponent).join('/');
}

/** The SARIF region of a finding: the entry's line, moved down by the line breaks before the evidence. */
export function regionFor(record: ScanRecord, evidence: Evidence | undefined): Record<string, number> {
  const line = record.location.line ?? 1;
  if (record.kind !== 'text' || evidence === undefined) return { startLine: line };
  const start = Math.max(0, Math.min(evidence.start, record.content.length));
  const before = record.content.slice(0, start);
  const breaks = before.split('\n').length - 1;
  const lineStart = before.lastIndexOf('\n') + 1;
  const firstColumn = breaks === 0 ? (record.location.column ?? 1) : 1;
  return { startLine: line + breaks, startColumn: firstColumn + (start - lineStart) };
}

interface SarifRule {
  id: string;
  name: string;
  shortDescription: { text: string };
  defaultConfiguration: { level: SarifLevel };
  properties: Record<string, unknown>;
}

function ruleFrom(f: Finding): SarifRule {
  const mitre = [...f.mitre.atlas, ...f.mitre.attack];
  return {
    id: f.ruleId,
    name: f.ruleId,
    shortDescription: { text: f.title },
    defaultConfiguration: { level: f.severity === 'critical' || f.severity === 'high' ? 'error' : 'warning' },
    properties: { category: f.category, severity: f.severity, tags: [f.category, ...mitre], mitre: f.mitre },
  };
}

/** Builds the SARIF 2.1.0 log for the flagged records (anything but `allow`). */
export function buildSarif(records: readonly ScanRecord[], version: string): Record<string, unknown> {
  const rules: SarifRule[] = [];
  const ruleIndex = new Map<string, number>();
  const indexOf = (id: string, make: () => SarifRule): number => {
    let i = ruleIndex.get(id);
    if (i === undefined) {
      i = rules.length;
      rules.push(make());
      ruleIndex.set(id, i);
    }
    return i;
  };
  const results: Record<string, unknown>[] = [];
  for (const record of records) {
    const { result, location } = record;
    const level = sarifLevel(result.decision);
    const artifactLocation = { uri: toUri(location.file) };
    const properties = {
      decision: result.decision,
      riskScore: result.riskScore,
      sourceType: result.sourceType,
      ...(location.index !== undefined ? { index: location.index } : {}),
    };
    if (result.findings.length === 0) {
      const idx = indexOf(DECISION_RULE_ID, () => ({
        id: DECISION_RULE_ID,
        name: DECISION_RULE_ID,
        shortDescription: { text: 'Entry flagged by the memgar policy without a rule finding' },
        defaultConfiguration: { level: 'warning' },
        properties: {},
      }));
      results.push({
        ruleId: DECISION_RULE_ID,
        ruleIndex: idx,
        level,
        message: { text: `${result.decision} (risk ${Math.round(result.riskScore)}): ${result.explanation}` },
        locations: [{ physicalLocation: { artifactLocation, region: regionFor(record, undefined) } }],
        properties,
      });
      continue;
    }
    for (const finding of result.findings) {
      const idx = indexOf(finding.ruleId, () => ruleFrom(finding));
      results.push({
        ruleId: finding.ruleId,
        ruleIndex: idx,
        level,
        message: {
          text: `${finding.title} — ${result.decision} (risk ${Math.round(result.riskScore)}): "${excerpt(finding.evidence.text, 80)}"`,
        },
        locations: [{ physicalLocation: { artifactLocation, region: regionFor(record, finding.evidence) } }],
        properties: { ...properties, severity: finding.severity, category: finding.category },
      });
    }
  }
  return {
    version: '2.1.0',
    $schema: SARIF_SCHEMA,
    runs: [
      {
        tool: { driver: { name: 'memgar', version, informationUri: INFORMATION_URI, rules } },
        results,
      },
    ],
  };
}

/** `--format sarif`: a SARIF 2.1.0 log of the flagged entries, written at the end. */
export function sarifReporter(sink: Sink, version: string): Reporter {
  const flagged: ScanRecord[] = [];
  return {
    result(record) {
      if (record.result.decision !== 'allow') flagged.push(record);
    },
    finish(summary: ScanSummary, warnings: readonly InputWarning[]) {
      const log = buildSarif(flagged, version);
      const run = (log.runs as Record<string, unknown>[])[0];
      if (run) {
        run.invocations = [
          {
            executionSuccessful: summary.errors === 0,
            toolExecutionNotifications: warnings.map((w) => ({
              level: w.kind === 'error' ? 'error' : 'warning',
              message: { text: w.message },
              locations: [
                {
                  physicalLocation: {
                    artifactLocation: { uri: toUri(w.file) },
                    ...(w.line !== undefined ? { region: { startLine: w.line } } : {}),
                  },
                },
              ],
            })),
          },
        ];
      }
      sink.write(`${JSON.stringify(log, null, 2)}\n`);
    },
  };
}

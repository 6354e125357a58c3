// `pnpm calibrate`: measures the analyzer on our corpora (the same measurement as `memgar bench`) and
// checks the gates of gates.json. Only the floors fail the run (exit 1); the distance to the targets
// is printed. Exit 2 when gates.json or a corpus cannot be used. See README.md.
import { readFileSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatRate, renderBenchTables, runBench } from 'memgar';

const here = dirname(fileURLToPath(import.meta.url));
const METRICS = ['recall', 'fpr'];

function fail(message) {
  process.stderr.write(`calibrate: ${message}\n`);
  process.exit(2);
}

function loadGates(path) {
  let gates;
  try {
    gates = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    fail(`cannot read ${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (typeof gates?.corpora !== 'object' || gates.corpora === null) fail('gates.json: "corpora" is missing');
  for (const [name, corpus] of Object.entries(gates.corpora)) {
    if (!Array.isArray(corpus.files) || corpus.files.length === 0) fail(`gates.json: ${name}.files is empty`);
    if (typeof corpus.floor !== 'object' || corpus.floor === null)
      fail(`gates.json: ${name}.floor is missing`);
    for (const [surface, floor] of Object.entries(corpus.floor)) {
      for (const [metric, value] of Object.entries(floor)) {
        if (!METRICS.includes(metric) || typeof value !== 'number' || value < 0 || value > 1) {
          fail(`gates.json: ${name}.floor.${surface}.${metric} must be recall or fpr, from 0 to 1`);
        }
      }
    }
  }
  return gates;
}

const corpusOf = (file) => basename(file, extname(file));

/** Sums the counts of one surface (`*` = all) over the files of a gate corpus. */
function measured(report, files, surface) {
  const sum = { attacks: 0, detected: 0, benign: 0, falsePositives: 0 };
  const groups = report.configs[0].groups;
  for (const file of files) {
    const g = groups.find((x) => x.corpus === corpusOf(file) && x.surface === surface && x.variant === '*');
    if (g === undefined) continue;
    for (const key of Object.keys(sum)) sum[key] += g[key];
  }
  return {
    ...sum,
    recall: sum.attacks === 0 ? null : sum.detected / sum.attacks,
    fpr: sum.benign === 0 ? null : sum.falsePositives / sum.benign,
  };
}

function pad(rows) {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows
    .map((r) =>
      r
        .map((cell, c) => cell.padEnd(widths[c]))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

const gates = loadGates(join(here, 'gates.json'));
const files = [...new Set(Object.values(gates.corpora).flatMap((c) => c.files))];
const report = await runBench(files, {
  cwd: here,
  configs: [{ name: 'calibrate', options: gates.analyzer ?? {} }],
  warn: (w) => process.stderr.write(`warning: ${w.file}:${w.line}: ${w.message}\n`),
}).catch((error) => fail(error instanceof Error ? error.message : String(error)));

process.stdout.write(`analyzer options: ${JSON.stringify(gates.analyzer ?? {})}\n\n`);
process.stdout.write(`${renderBenchTables(report)}\n`);

const rows = [['gate', 'metric', 'measured', 'floor', 'target', 'to target', 'result']];
let failures = 0;
for (const [name, corpus] of Object.entries(gates.corpora)) {
  for (const [surface, floor] of Object.entries(corpus.floor)) {
    const m = measured(report, corpus.files, surface);
    for (const metric of METRICS) {
      const limit = floor[metric];
      if (limit === undefined) continue;
      const value = m[metric];
      const target = corpus.target?.[metric];
      // recall must be at least the floor; fpr at most.
      const ok = value !== null && (metric === 'recall' ? value >= limit : value <= limit);
      if (!ok) failures++;
      const distance =
        value === null || target === undefined
          ? '-'
          : metric === 'recall'
            ? value >= target
              ? 'met'
              : `+${(target - value).toFixed(3)}`
            : value <= target
              ? 'met'
              : `-${(value - target).toFixed(3)}`;
      rows.push([
        `${name}/${surface}`,
        metric === 'recall' ? 'recall >=' : 'FPR <=',
        value === null ? 'no rows' : formatRate(value),
        limit.toFixed(3),
        target === undefined ? '-' : target.toFixed(3),
        distance,
        ok ? 'PASS' : 'FAIL',
      ]);
    }
  }
}
process.stdout.write(`${pad(rows)}\n\n`);
if (report.badLines.length > 0) process.stdout.write(`${report.badLines.length} broken lines skipped\n`);
process.stdout.write(
  failures === 0
    ? `PASS: every floor holds (${rows.length - 1} gates); "to target" is what the targets still need.\n`
    : `FAIL: ${failures} of ${rows.length - 1} gates below their floor.\n`,
);
process.exitCode = failures === 0 ? 0 : 1;

#!/usr/bin/env node
// Sums the vitest JSON reports of every workspace package (for the kinds named: unit, int) and
// prints one closing line, `tests: N passed, N failed`, that CI can read.
// Exits 1 when nothing ran or anything failed.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const kinds = process.argv.length > 2 ? process.argv.slice(2) : ['unit'];
const dirs = [];
for (const root of ['packages', 'examples']) {
  if (existsSync(root)) for (const name of readdirSync(root)) dirs.push(join(root, name));
}
dirs.push('calibration');
let passed = 0;
let failed = 0;
let skipped = 0;
for (const kind of kinds) {
  for (const dir of dirs) {
    const file = join(dir, 'test-results', `${kind}.json`);
    if (!existsSync(file)) continue;
    const r = JSON.parse(readFileSync(file, 'utf8'));
    const suiteFailures =
      r.testResults?.filter((t) => t.status === 'failed' && t.assertionResults?.length === 0).length ?? 0;
    passed += r.numPassedTests ?? 0;
    failed += (r.numFailedTests ?? 0) + suiteFailures;
    skipped += (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
    console.log(
      `  ${kind.padEnd(4)} ${dir}: ${r.numPassedTests} passed, ${r.numFailedTests + suiteFailures} failed`,
    );
  }
}
console.log(`tests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);

#!/usr/bin/env node
// Checks the release plan that the pending changesets make (`changeset status --output`):
// every public package of the fixed group moves to one version, and no package is bumped a major
// that no changeset asked for (a peer range that a minor release leaves makes changesets bump the
// dependents a major: 0.x would jump to 1.0.0). Exits 1 with the plan when either fails.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'memgar-release-plan-'));
const out = join(dir, 'plan.json');
let plan;
try {
  execFileSync('pnpm', ['exec', 'changeset', 'status', '--output', out], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  plan = JSON.parse(readFileSync(out, 'utf8'));
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const asked = new Map();
for (const cs of plan.changesets) {
  for (const r of cs.releases) {
    if (r.type === 'major') asked.set(r.name, cs.id);
  }
}
const problems = [];
const unasked = plan.releases.filter((r) => r.type === 'major' && !asked.has(r.name));
if (unasked.length > 0) {
  problems.push(
    `major bump that no changeset asked for: ${unasked.map((r) => `${r.name} ${r.oldVersion} -> ${r.newVersion}`).join(', ')}`,
  );
}
const versions = new Set(plan.releases.filter((r) => r.type !== 'none').map((r) => r.newVersion));
if (versions.size > 1) problems.push(`the fixed group would split over versions ${[...versions].join(', ')}`);

if (problems.length > 0) {
  console.error(`release plan: ${problems.join('; ')}`);
  console.error(
    'peerDependencies on @memgar/core use "workspace:0.x" with changesets\' onlyUpdatePeerDependentsWhenOutOfRange (see CONTRIBUTING in README).',
  );
  process.exit(1);
}
const next = [...versions][0];
console.log(
  next === undefined
    ? 'release plan: nothing to release'
    : `release plan: ${plan.releases.filter((r) => r.type !== 'none').length} packages -> ${next}`,
);

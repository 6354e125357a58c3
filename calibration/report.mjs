// `pnpm -C calibration report` (after `pnpm -C packages/core build && pnpm -C packages/cli build`):
// measures the analyzer on our corpora and on every file of ../shared/datasets with the measurement of
// `memgar bench` (`runBench`, `benchConfigs` from the `memgar` package) and writes REPORT.md: the shipped
// defaults per file × surface (× variant) on all rows, the ablation (rules, + trust, + learned,
// + behaviour) per file, pooled figures per surface and the weak spots. Only numbers are written, never
// dataset text.
//
// The learned layer was trained on our corpora and on the permissively licensed shared files (the
// TRAIN_FILES of train/train.mjs, read from that file). On those files the ablation is measured on the
// held-out test split only (sha1(text), first 8 hex digits mod 5 = 0, as in train.mjs), written to
// temporary JSONL files under os.tmpdir() and deleted afterwards. Each file is measured with fresh
// analyzers (one runBench per file), so the behaviour baseline never carries over between files.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchConfigs, formatRate, runBench } from 'memgar';
import { markdownTable } from './lib/markdown-table.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(here, '..');
const CORPORA = join(here, 'corpora');
const SHARED = resolve(ROOT, '../shared/datasets');
const OUT = join(here, 'REPORT.md');
/** Benign rows of this file are defenders' system prompts: kept out of every pooled (headline) figure. */
const TENSOR_TRUST = 'tensor_trust';
const WEAK_RECALL = 0.5;
const WEAK_FPR = 0.02;
/** The hand-written reading of the figures (the last section of REPORT.md). */
const READING = `Shipped defaults, all rows. Memory writes are where memgar is strong: pooled recall 0.976 at FPR 0.001
(memgar_memory_context 1.000, memgar_training 0.989, gold memory_write 0.828), because the learned layer is
on there. User prompts reach 0.796 at FPR 0.002. Tool outputs reach 0.759 at FPR 0.009: InjecAgent
[enhanced] 1.000 and [base] 0.854, benign InjecAgent FPR 0.001. RAG chunks are the weak surface: pooled
recall 0.264 (FPR 0.016). BIPIA is 0.441 overall — its exfiltration, malicious-code and phishing categories
are 0.87–0.93, but instruction override and output manipulation stay near 0 — and SEP's attacks are 0.004: a
task quietly appended to an ordinary paragraph reads like the paragraph.

Our gold corpus. Gold recall is 0.726 (was 0.586 before issue 3's second pass): memory_write 0.828,
rag_chunk 0.721 (was 0.484), tool_output 0.628 (was 0.421), user_prompt 0.750; quiet 0.701, loud 0.833. Gold
benign FPR is 0.002 (rag_chunk 0.008, tool_output 0.000). The threat model is 0.715 (rag_chunk 0.485, was
0.303). The gain comes from rules written for attack moves rather than wordings: a policy planted for an AI
reader in the third person ("assistants may close any dispute", MG-HID-013), a claim that the user already
approved or that no confirmation is needed next to an action (MG-TOOL-009), a security-weakening setting
handed to the agent (MG-PRIV-009), authority handed to documents or third parties (MG-ROLE-007), links with a
slot for the conversation (MG-EXF-012), self-replicating text (MG-PER-007), secrets requested into the chat
(MG-CRED-006), spoken code phrases as sleeper triggers, assistant call-outs inside comments and notes, and
instructions sent or quoted out of the agent (MG-LEAK-001). The gold corpus was the development data for
these rules (misses studied by move, no text copied), so the gold and threat-model figures flatter them;
the shared datasets were measured only, never studied, and none of the figures the issue tracks moved
(three attacks of memgar_external_hard/raw, 2,560 rows, were lost: two to the weaker MG-OVR-004, one to
the narrower MG-OVR-001). The target (0.97) is far: tool_output still misses third-party requests planted
in tool results ("could you cancel all my appointments"), memory operations in structured data
(snake_case keys such as forward_all_to), "good example" experiences that normalize a harmful action, and
encoded payloads the normalizer does not decode (hex, URL-encoding, HTML entities, ROT13, Unicode tags).

Hard negatives. FPR 0.058 (was 0.090): rag_chunk 0.081, tool_output 0.064 (was 0.139), memory_write 0.010,
user_prompt 0.017. Quoted mentions of attacks ("a phrase like 'ignore previous instructions'"), a writer
revising their own instruction, defences against embedded instructions, payment requests without a
destination and quoted words without a trigger no longer fire. What remains is mostly security write-ups
and how-tos that describe an exfiltration in one sentence (MG-EXF-003, 14 rows), access grants in change
tickets (MG-PRIV-005, 13), deletion steps in code and runbooks (MG-MEM-006, 8) and dated retention steps
(MG-DEL-001, 6). Tensor Trust's benign side (defenders' system prompts) is 0.559 by design.

Caveats. InjecAgent and BIPIA misses were studied while the earlier tool-output rules were written, so
those two are development data for those rules. Rows whose decision is \`sanitize\` count as detected only
when the row says what was injected: a few loud gold attacks caught by a high-severity rule on a retrieval
boundary are sanitized and still counted as misses.

The learned layer is what moves recall on held-out rows: pooled test-split recall 0.289 (+trust) → 0.654,
memory_write 0.275 → 0.974 at FPR 0.000, user_prompt 0.364 → 0.801 at 0.003, InjecAgent [base] 0.872 →
1.000. On rag_chunk it raises FPR (0.013 → 0.044; BIPIA test split 0.000 → 0.063), which is why it is off by
default there, and off for agent output (ordinary answers scored above its threshold). It was not retrained
for these rules: its figures above are the shipped weights.`;

const started = Date.now();
const jsonl = (dir) =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.jsonl'))
    .sort();
const nameOf = (file) => basename(file, extname(file));

/** The training files, read from train.mjs so that the two can never disagree. */
function trainedFiles() {
  const src = readFileSync(join(here, 'train/train.mjs'), 'utf8');
  const block = /const TRAIN_FILES = \[([\s\S]*?)\n\];/.exec(src);
  const names = block ? [...block[1].matchAll(/file: '([^']+\.jsonl)'/g)].map((m) => m[1]) : [];
  if (names.length === 0) throw new Error('cannot find TRAIN_FILES in train/train.mjs');
  return new Set(names);
}

/** The split of train.mjs: first 8 hex digits of sha1(text) mod 5 === 0 → test. */
const isTest = (text) =>
  Number.parseInt(createHash('sha1').update(text, 'utf8').digest('hex').slice(0, 8), 16) % 5 === 0;

function git(args) {
  try {
    return execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' }).trim();
  } catch {
    return '';
  }
}

const trained = trainedFiles();
const files = [
  ...jsonl(CORPORA).map((f) => ({ file: f, path: join(CORPORA, f), set: 'ours' })),
  ...jsonl(SHARED).map((f) => ({ file: f, path: join(SHARED, f), set: 'shared' })),
].map((x) => ({ ...x, name: nameOf(x.file), trained: trained.has(x.file) }));

const tmp = mkdtempSync(join(os.tmpdir(), 'memgar-report-'));
const badLines = [];
const warn = (w) => badLines.push(w);
const DEFAULTS = [{ name: 'default', options: {} }];
const ABLATION = benchConfigs({ ablate: true });

try {
  for (const f of files) {
    const all = await runBench([f.path], { configs: DEFAULTS, warn });
    f.rows = all.corpora[0].rows;
    f.defaults = all.configs[0].groups;
    let ablationPath = f.path;
    if (f.trained) {
      // Same basename, so the corpus name in the groups stays the file's name.
      ablationPath = join(tmp, f.file);
      const kept = readFileSync(f.path, 'utf8')
        .split('\n')
        .filter((line) => {
          if (line.trim() === '') return false;
          try {
            const text = JSON.parse(line)?.text;
            return typeof text === 'string' && isTest(text);
          } catch {
            return false;
          }
        });
      writeFileSync(ablationPath, kept.length > 0 ? `${kept.join('\n')}\n` : '');
    }
    const ab = await runBench([ablationPath], { configs: ABLATION, warn: f.trained ? () => {} : warn });
    f.ablationRows = ab.corpora[0].rows;
    f.ablation = Object.fromEntries(ab.configs.map((c) => [c.name, c.groups]));
    f.errors = all.configs[0].errors + ab.configs.reduce((n, c) => n + c.errors, 0);
    process.stderr.write(`${f.file}: ${f.rows} rows, ${f.ablationRows} in the ablation\n`);
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}

// ---------------------------------------------------------------------------------------------
// Rendering.

const table = markdownTable;

const isTT = (f) => f.name === TENSOR_TRUST;
const fprCell = (f, g) => `${formatRate(g.fpr)}${isTT(f) && g.benign > 0 ? ' †' : ''}`;
const rowsLabel = (f) => (f.trained ? 'test split' : 'all');
/** Groups worth a row: every surface, every variant, and the file overall when it has several surfaces. */
function shown(groups) {
  const surfaces = groups.filter((g) => g.surface !== '*');
  return groups.filter((g) => g.surface !== '*' || g.variant !== '*' || surfaces.length > 1);
}
const where = (g) => (g.variant !== '*' ? `[${g.variant}]` : g.surface === '*' ? 'all' : g.surface);

const MEASURE_HEADS = ['attacks', 'recall', 'benign', 'FPR', 'p50 ms'];
const MEASURE_ALIGNS = ['r', 'r', 'r', 'r', 'r'];
const measures = (f, g) => [
  String(g.attacks),
  formatRate(g.recall),
  String(g.benign),
  fprCell(f, g),
  g.p50Ms.toFixed(2),
];

function defaultsTable(set) {
  const rows = [];
  for (const f of files.filter((x) => x.set === set)) {
    for (const g of shown(f.defaults)) {
      rows.push([f.file, f.trained ? 'yes' : 'no', where(g), ...measures(f, g)]);
    }
  }
  return table(
    ['file', 'trained on', 'surface / [variant]', ...MEASURE_HEADS],
    ['l', 'l', 'l', ...MEASURE_ALIGNS],
    rows,
  );
}

function ablationTable() {
  const rows = [];
  for (const f of files) {
    const overall = (groups) => groups.filter((g) => g.surface === '*');
    for (const config of ABLATION) {
      for (const g of overall(f.ablation[config.name])) {
        rows.push([f.file, `${rowsLabel(f)} (${f.ablationRows})`, config.name, where(g), ...measures(f, g)]);
      }
    }
  }
  return table(
    ['file', 'rows measured', 'config', 'variant', ...MEASURE_HEADS],
    ['l', 'l', 'l', 'l', ...MEASURE_ALIGNS],
    rows,
  );
}

/** Sums the surface groups of some files; Tensor Trust's benign side is left out. */
function pooled(pick) {
  const sums = new Map();
  for (const f of files) {
    for (const g of pick(f).filter((x) => x.surface !== '*')) {
      const s = sums.get(g.surface) ?? { attacks: 0, detected: 0, benign: 0, falsePositives: 0 };
      s.attacks += g.attacks;
      s.detected += g.detected;
      if (!isTT(f)) {
        s.benign += g.benign;
        s.falsePositives += g.falsePositives;
      }
      sums.set(g.surface, s);
    }
  }
  const all = { attacks: 0, detected: 0, benign: 0, falsePositives: 0 };
  for (const s of sums.values()) for (const k of Object.keys(all)) all[k] += s[k];
  sums.set('all', all);
  const rate = (a, b) => (b === 0 ? null : a / b);
  return new Map(
    [...sums].map(([k, s]) => [
      k,
      { ...s, recall: rate(s.detected, s.attacks), fpr: rate(s.falsePositives, s.benign) },
    ]),
  );
}

function pooledTable() {
  const defaults = pooled((f) => f.defaults);
  const configs = ABLATION.map((c) => [c.name, pooled((f) => f.ablation[c.name])]);
  const surfaces = [...defaults.keys()].filter((s) => s !== 'all').sort();
  surfaces.push('all');
  const rows = surfaces.map((s) => {
    const d = defaults.get(s);
    const first = configs[0][1].get(s);
    return [
      s,
      String(d.attacks),
      String(d.benign),
      formatRate(d.recall),
      formatRate(d.fpr),
      String(first?.attacks ?? 0),
      String(first?.benign ?? 0),
      ...configs.flatMap(([, m]) => [
        formatRate(m.get(s)?.recall ?? null),
        formatRate(m.get(s)?.fpr ?? null),
      ]),
    ];
  });
  return table(
    [
      'surface',
      'attacks (all)',
      'benign (all)',
      'default recall',
      'default FPR',
      'attacks (abl.)',
      'benign (abl.)',
      ...ABLATION.flatMap((c) => [`${c.name} recall`, `${c.name} FPR`]),
    ],
    ['l', ...Array(6 + 2 * ABLATION.length).fill('r')],
    rows,
  );
}

function weakSpots(pick, label) {
  const rows = [];
  for (const f of files) {
    for (const g of shown(pick(f))) {
      const issues = [];
      if (g.recall !== null && g.recall < WEAK_RECALL)
        issues.push(`recall ${formatRate(g.recall)} (${g.attacks} attacks)`);
      if (g.fpr !== null && g.fpr > WEAK_FPR) issues.push(`FPR ${fprCell(f, g)} (${g.benign} benign)`);
      if (issues.length > 0) rows.push([f.file, label(f), where(g), issues.join('; ')]);
    }
  }
  return rows.length === 0
    ? '_none_'
    : table(['file', 'rows', 'surface / [variant]', 'weak'], ['l', 'l', 'l', 'l'], rows);
}

const commit = git(['rev-parse', 'HEAD']) || 'unknown';
// REPORT.md itself does not count: regenerating it would otherwise always read as a dirty tree.
const dirty = git(['status', '--porcelain', '--untracked-files=no'])
  .split('\n')
  .some((line) => line.trim() !== '' && !line.endsWith('calibration/REPORT.md'));
const cpus = os.cpus();
const seconds = ((Date.now() - started) / 1000).toFixed(0);
const errors = files.reduce((n, f) => n + f.errors, 0);
const evalOnly = files.filter((f) => !f.trained).map((f) => `\`${f.file}\``);

const md = `# Detection report

Generated by \`calibration/report.mjs\` — do not edit by hand (except the last section, in the script).
Regenerate: \`pnpm -C packages/core build && pnpm -C packages/cli build && pnpm -C calibration report\`.

- Measured at commit \`${commit}\`${dirty ? ' (with uncommitted changes)' : ''}, ${new Date().toISOString().slice(0, 10)}.
- Machine: Node ${process.version}, ${cpus.length} × ${cpus[0]?.model?.trim() ?? 'unknown CPU'} (${os.platform()} ${os.arch()}); the run took ${seconds} s.
- Measurement: \`runBench\` of the \`memgar\` package (what \`memgar bench\` runs), one run per file with fresh
  analyzers, rows analyzed one at a time. Detected = \`block\`, \`quarantine\` or \`human_review\` (a \`sanitize\`
  only when the rewritten text no longer contains \`injected\`); a false positive is any decision but
  \`allow\` / \`sanitize\`. p50 ms is the analyzer's own median \`durationMs\`.
- Rows: \`surface\` rows are per surface; \`[variant]\` rows hold the attacks of that variant only (benign rows
  carry no variant); \`all\` is the file overall. ${badLines.length} broken lines skipped, ${errors} analyses failed.
- **Training overlap.** The learned layer was trained on our corpora and on the shared files listed in
  \`TRAIN_FILES\` of \`train/train.mjs\` ("trained on: yes"). Their defaults are measured on all rows (the
  defaults do not use the learned layer); their ablation is measured on the **test split only** (sha1(text),
  first 8 hex digits mod 5 = 0: never trained on). Evaluation-only files (${evalOnly.join(', ')}) are
  measured on all rows everywhere.
- † Tensor Trust's benign rows are the defenders' system prompts (instruction-dense by design): shown
  in its own rows, kept out of every pooled figure.

## Shipped defaults: our corpora (all rows)

${defaultsTable('ours')}

## Shipped defaults: shared datasets (all rows)

${defaultsTable('shared')}

## Pooled per surface

Sums over every file (ours and shared; Tensor Trust's benign side left out). "all" columns: the
defaults on all rows; "abl." columns: the ablation rows (test split of the trained-on files, all rows of
the evaluation-only files). Pooled figures are dominated by the largest files: read the per-file tables.

${pooledTable()}

## Ablation per file

Each configuration adds one layer (\`benchConfigs({ ablate: true })\`): \`rules\` (learned layer and behaviour off,
every source type at trust 0.5), \`+trust\` (default trust), \`+learned\` (\`learned: true\`, every source type), \`+behavior\` (+ the behaviour
baseline; = the defaults with the learned layer on). "rows measured": test split or all rows.

${ablationTable()}

## Weak spots

Every file × surface (× variant) with recall < ${WEAK_RECALL} or FPR > ${WEAK_FPR}. Small groups are noisy: the counts
are given.

### Shipped defaults (all rows)

${weakSpots(
  (f) => f.defaults,
  () => 'all',
)}

### + learned (\`+learned\`: behaviour off; test split of the trained-on files)

${weakSpots(
  (f) => f.ablation['+learned'],
  (f) => rowsLabel(f),
)}

### Reading (written by hand from the figures at the time of writing; check them against the tables)

${READING}
`;

writeFileSync(OUT, md);
process.stderr.write(`wrote ${OUT} in ${seconds} s\n`);

#!/usr/bin/env node
/**
 * Trains the learned layer (layer 2): a logistic regression over the hashed features of
 * `packages/core/src/learned/features.ts`, on our corpora plus the permissively licensed shared
 * datasets; calibrates it (Platt scaling on a held-out part of the train split); quantizes the
 * weights to int8; writes `packages/core/src/learned/weights.ts` and `calibration/train/RESULTS.md`.
 *
 * Deterministic: fixed file order, split by a hash of the text, seeded shuffles. Run it twice and
 * the weights file comes out byte-for-byte the same (the date in it is today's UTC date, or the one
 * of SOURCE_DATE_EPOCH when set).
 *
 * Needs the built core for the normalizer (`pnpm -C packages/core build`). The feature and model
 * code is compiled from `packages/core/src/learned/*.ts` (TypeScript's transpileModule into a
 * temporary folder), so training always uses the very code that ships.
 *
 *   node calibration/train/train.mjs            # train, write weights.ts and RESULTS.md
 *   node calibration/train/train.mjs --check    # train and fail if weights.ts would change
 *   node calibration/train/train.mjs --dry      # train and print the figures, write nothing
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { markdownTable } from '../lib/markdown-table.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '../..');
const CORE = path.join(ROOT, 'packages/core');
const LEARNED_SRC = path.join(CORE, 'src/learned');
const WEIGHTS_FILE = path.join(LEARNED_SRC, 'weights.ts');
const RESULTS_FILE = path.join(HERE, 'RESULTS.md');
const SHARED = path.resolve(ROOT, '../shared/datasets');
const CORPORA = path.join(ROOT, 'calibration/corpora');

const MODEL_VERSION = 'ml-1';
const CHECK = process.argv.includes('--check');
/** Experiments: print the figures, write nothing. */
const DRY = process.argv.includes('--dry');

// ---------------------------------------------------------------------------------------------
// Hyper-parameters (fixed; environment overrides exist only for experiments).
const num = (name, dflt) => (process.env[name] !== undefined ? Number(process.env[name]) : dflt);
const HP = {
  bucketsLog2: num('MG_BUCKETS_LOG2', 18),
  epochs: num('MG_EPOCHS', 10),
  learningRate: num('MG_LR', 0.25),
  l2: num('MG_L2', 1e-6),
  /** A file's total training weight is at most this many rows' worth. */
  fileCap: num('MG_FILE_CAP', 1500),
  /** Our own corpora (written for this threat model) count this much more. */
  ownBoost: num('MG_OWN_BOOST', 2),
  seed: 0x6d67_6172,
  thresholds: [0.5, 0.7, 0.9],
  recommended: num('MG_THRESHOLD', 0.9),
};

// Training files: our corpora and the shared files whose licence is MIT, Apache-2.0 or CC BY 4.0.
const TRAIN_FILES = [
  { file: 'gold-attacks.jsonl', dir: CORPORA, licence: 'own', own: true },
  { file: 'gold-benign.jsonl', dir: CORPORA, licence: 'own', own: true },
  { file: 'hard-negatives.jsonl', dir: CORPORA, licence: 'own', own: true },
  { file: 'threat-model.jsonl', dir: CORPORA, licence: 'own', own: true },
  { file: 'injecagent.jsonl', dir: SHARED, licence: 'MIT' },
  { file: 'bipia.jsonl', dir: SHARED, licence: 'MIT' },
  { file: 'synthetic_persona_chat.jsonl', dir: SHARED, licence: 'CC-BY-4.0' },
  { file: 'gptfuzz_jailbreaks.jsonl', dir: SHARED, licence: 'MIT' },
  { file: 'llm_guard_tests.jsonl', dir: SHARED, licence: 'MIT' },
  { file: 'memgar_gold.jsonl', dir: SHARED, licence: 'MIT' },
  { file: 'memgar_memory_context.jsonl', dir: SHARED, licence: 'MIT' },
  { file: 'memgar_external_hard.jsonl', dir: SHARED, licence: 'MIT' },
  { file: 'memgar_external_raw.jsonl', dir: SHARED, licence: 'MIT' },
  { file: 'memgar_training.jsonl', dir: SHARED, licence: 'MIT' },
  { file: 'aegis_benign_queries.jsonl', dir: SHARED, licence: 'MIT' },
  { file: 'aegis_payloads.jsonl', dir: SHARED, licence: 'MIT' },
  { file: 'amg_payloads.jsonl', dir: SHARED, licence: 'Apache-2.0' },
];
// Evaluation only (no licence, or share-alike): never trained on, measured on all rows.
const EVAL_FILES = [
  { file: 'sep_instruction_data.jsonl', dir: SHARED, licence: 'none stated' },
  { file: 'tensor_trust.jsonl', dir: SHARED, licence: 'none stated' },
  { file: 'owasp_cheatsheets_hardneg.jsonl', dir: SHARED, licence: 'CC-BY-SA-4.0' },
];

// ---------------------------------------------------------------------------------------------
// Code under training: the normalizer from dist, the learned layer compiled from source.

async function loadLearned() {
  const require = createRequire(path.join(ROOT, 'package.json'));
  const ts = require('typescript');
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'memgar-learned-'));
  // The learned layer's files, and the folders they import (errors/), in the same layout as src/.
  const errorsSrc = path.join(LEARNED_SRC, '..', 'errors');
  const files = [
    ...['features', 'linear-model', 'base64'].map((name) => [
      'learned',
      path.join(LEARNED_SRC, `${name}.ts`),
    ]),
    ...fs
      .readdirSync(errorsSrc)
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
      .map((f) => ['errors', path.join(errorsSrc, f)]),
  ];
  for (const [dir, file] of files) {
    const js = ts.transpileModule(fs.readFileSync(file, 'utf8'), {
      compilerOptions: {
        module: ts.ModuleKind.ESNext,
        target: ts.ScriptTarget.ES2022,
        verbatimModuleSyntax: true,
      },
    }).outputText;
    fs.mkdirSync(path.join(out, dir), { recursive: true });
    fs.writeFileSync(path.join(out, dir, path.basename(file).replace(/\.ts$/, '.js')), js);
  }
  const features = await import(pathToFileURL(path.join(out, 'learned', 'features.js')).href);
  const model = await import(pathToFileURL(path.join(out, 'learned', 'linear-model.js')).href);
  const base64 = await import(pathToFileURL(path.join(out, 'learned', 'base64.js')).href);
  fs.rmSync(out, { recursive: true, force: true });
  return { ...features, ...model, ...base64 };
}

const distIndex = path.join(CORE, 'dist/index.js');
if (!fs.existsSync(distIndex)) {
  console.error('packages/core/dist is missing: run `pnpm -C packages/core build` first');
  process.exit(1);
}
const { normalize } = await import(pathToFileURL(distIndex).href);
const L = await loadLearned();

// ---------------------------------------------------------------------------------------------
// Data.

/** First 8 hex digits of sha1(text) mod 5 === 0 → test. Digits 8..15 mod 8 === 0 → calibration. */
function splitOf(text) {
  const hex = createHash('sha1').update(text, 'utf8').digest('hex');
  if (Number.parseInt(hex.slice(0, 8), 16) % 5 === 0) return 'test';
  return Number.parseInt(hex.slice(8, 16), 16) % 8 === 0 ? 'calib' : 'fit';
}

function readRows(spec) {
  const lines = fs.readFileSync(path.join(spec.dir, spec.file), 'utf8').split('\n');
  const rows = [];
  for (const line of lines) {
    if (line.trim() === '') continue;
    const r = JSON.parse(line);
    if (typeof r.text !== 'string' || (r.label !== 'attack' && r.label !== 'benign')) continue;
    const n = normalize(r.text);
    rows.push({
      file: spec.file,
      y: r.label === 'attack' ? 1 : 0,
      variant: r.label === 'attack' && typeof r.variant === 'string' ? r.variant : undefined,
      surface: typeof r.surface === 'string' ? r.surface : 'unknown',
      split: splitOf(r.text),
      views: n.views.map((v) => v.text),
      w: 0,
    });
  }
  return rows;
}

const t0 = performance.now();
const trainSets = TRAIN_FILES.map((spec) => ({ spec, rows: readRows(spec) }));
const evalSets = EVAL_FILES.map((spec) => ({ spec, rows: readRows(spec) }));
console.log(`loaded and normalized in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

// Row weights: each file at most `fileCap` rows' worth (ours boosted), then classes balanced.
const fitRows = [];
const calibRows = [];
for (const { spec, rows } of trainSets) {
  const fit = rows.filter((r) => r.split === 'fit');
  const perRow = Math.min(1, HP.fileCap / Math.max(1, fit.length)) * (spec.own ? HP.ownBoost : 1);
  for (const r of fit) r.w = perRow;
  fitRows.push(...fit);
  calibRows.push(...rows.filter((r) => r.split === 'calib'));
}
{
  let wa = 0;
  let wb = 0;
  for (const r of fitRows) {
    if (r.y) wa += r.w;
    else wb += r.w;
  }
  const total = wa + wb;
  for (const r of fitRows) r.w *= r.y ? total / (2 * wa) : total / (2 * wb);
  const mean = total / fitRows.length;
  for (const r of fitRows) r.w /= mean; // mean row weight 1
}

// ---------------------------------------------------------------------------------------------
// Training: logistic regression, AdaGrad, L2 on touched coordinates, seeded shuffles.

function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const size = 1 << HP.bucketsLog2;
const hasher = new L.FeatureHasher(HP.bucketsLog2);
const w = new Float64Array(size);
const g2 = new Float64Array(size);
let bias = 0;
let g2b = 0;
const rand = mulberry32(HP.seed);
const order = fitRows.map((_, i) => i);
const t1 = performance.now();
for (let epoch = 0; epoch < HP.epochs; epoch++) {
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  let loss = 0;
  let wsum = 0;
  for (const idx of order) {
    const r = fitRows[idx];
    const f = hasher.extract(r.views[0]);
    let z = bias;
    for (let k = 0; k < f.count; k++) z += w[f.indices[k]] * f.values[k];
    const p = 1 / (1 + Math.exp(-z));
    loss += r.w * (r.y ? -Math.log(Math.max(p, 1e-12)) : -Math.log(Math.max(1 - p, 1e-12)));
    wsum += r.w;
    const err = (p - r.y) * r.w;
    for (let k = 0; k < f.count; k++) {
      const b = f.indices[k];
      const g = err * f.values[k] + HP.l2 * w[b];
      g2[b] += g * g;
      w[b] -= (HP.learningRate * g) / (Math.sqrt(g2[b]) + 1e-8);
    }
    g2b += err * err;
    bias -= (HP.learningRate * err) / (Math.sqrt(g2b) + 1e-8);
  }
  console.log(`epoch ${epoch + 1}: weighted log-loss ${(loss / wsum).toFixed(4)}`);
}
console.log(`trained in ${((performance.now() - t1) / 1000).toFixed(1)} s on ${fitRows.length} rows`);

// ---------------------------------------------------------------------------------------------
// Quantization (int8, one scale) and calibration (Platt, on the held-out calibration rows).

let maxAbs = 0;
for (let i = 0; i < size; i++) maxAbs = Math.max(maxAbs, Math.abs(w[i]));
const weightScale = Number((maxAbs / 127).toPrecision(8));
const q = new Int8Array(size);
for (let i = 0; i < size; i++) q[i] = Math.max(-127, Math.min(127, Math.round(w[i] / weightScale)));
const roundedBias = Number(bias.toPrecision(8));

const baseMeta = {
  version: `${MODEL_VERSION}+${L.FEATURE_VERSION}`,
  featureVersion: L.FEATURE_VERSION,
  bucketsLog2: HP.bucketsLog2,
  weightScale,
  bias: roundedBias,
  calibration: { a: 1, b: 0 },
  threshold: HP.recommended,
  trainedAt: '',
  files: [],
  reliability: [],
};
const uncalibrated = new L.LinearModel(q, baseMeta);
/** Raw margin of a row as the runtime would score it: the highest over its views. */
const rawOf = (r) => {
  let best = Number.NEGATIVE_INFINITY;
  for (const v of r.views) best = Math.max(best, uncalibrated.raw(v));
  return best;
};

/** Platt scaling with Platt's smoothed targets, fitted by Newton's method. */
function platt(zs, ys) {
  let np = 0;
  for (const y of ys) np += y;
  const nn = ys.length - np;
  const hi = (np + 1) / (np + 2);
  const lo = 1 / (nn + 2);
  let a = 1;
  let b = 0;
  for (let it = 0; it < 100; it++) {
    let ga = 0;
    let gb = 0;
    let haa = 1e-9;
    let hab = 0;
    let hbb = 1e-9;
    for (let i = 0; i < zs.length; i++) {
      const t = ys[i] ? hi : lo;
      const p = 1 / (1 + Math.exp(-(a * zs[i] + b)));
      const d = p - t;
      const s = p * (1 - p);
      ga += d * zs[i];
      gb += d;
      haa += s * zs[i] * zs[i];
      hab += s * zs[i];
      hbb += s;
    }
    const det = haa * hbb - hab * hab;
    const da = (hbb * ga - hab * gb) / det;
    const db = (haa * gb - hab * ga) / det;
    a -= da;
    b -= db;
    if (Math.abs(da) < 1e-10 && Math.abs(db) < 1e-10) break;
  }
  return { a: Number(a.toPrecision(8)), b: Number(b.toPrecision(8)) };
}
const calibration = platt(
  calibRows.map(rawOf),
  calibRows.map((r) => r.y),
);
console.log(`Platt on ${calibRows.length} held-out train rows: a=${calibration.a} b=${calibration.b}`);

// ---------------------------------------------------------------------------------------------
// Evaluation with the final (quantized, calibrated) model, through the runtime's scoreViews.

const draft = new L.LinearModel(q, { ...baseMeta, calibration });
const scored = (rows) => rows.map((r) => ({ ...r, p: draft.scoreViews(r.views.map((text) => ({ text }))) }));

function metrics(rows) {
  const att = rows.filter((r) => r.y === 1);
  const ben = rows.filter((r) => r.y === 0);
  const at = HP.thresholds.map((t) => ({
    t,
    recall: att.length ? att.filter((r) => r.p >= t).length / att.length : Number.NaN,
    fpr: ben.length ? ben.filter((r) => r.p >= t).length / ben.length : Number.NaN,
  }));
  return { attacks: att.length, benign: ben.length, at, auc: auc(att, ben) };
}

/** ROC AUC by the rank-sum, ties counted half. */
function auc(att, ben) {
  if (!att.length || !ben.length) return Number.NaN;
  const all = [...att.map((r) => [r.p, 1]), ...ben.map((r) => [r.p, 0])].sort((x, y) => x[0] - y[0]);
  let rankSum = 0;
  for (let i = 0; i < all.length; ) {
    let j = i;
    while (j < all.length && all[j][0] === all[i][0]) j++;
    const mid = (i + 1 + j) / 2;
    for (let k = i; k < j; k++) if (all[k][1] === 1) rankSum += mid;
    i = j;
  }
  return (rankSum - (att.length * (att.length + 1)) / 2) / (att.length * ben.length);
}

const report = [];
function evaluate(name, split, rows) {
  report.push({ name, split, m: metrics(rows) });
  const variants = [...new Set(rows.filter((r) => r.variant !== undefined).map((r) => r.variant))].sort();
  for (const v of variants) {
    const sub = rows.filter((r) => r.y === 0 || r.variant === v);
    report.push({ name: `${name} [${v}]`, split, m: metrics(sub) });
  }
}
const pooledTest = [];
for (const { spec, rows } of trainSets) {
  const test = scored(rows.filter((r) => r.split === 'test'));
  pooledTest.push(...test);
  evaluate(spec.file, 'test', test);
}
for (const { spec, rows } of evalSets) evaluate(`${spec.file} (eval only)`, 'all', scored(rows));
const surfaces = [...new Set(pooledTest.map((r) => r.surface))].sort();
const surfaceReport = surfaces.map((s) => ({
  name: s,
  m: metrics(pooledTest.filter((r) => r.surface === s)),
}));
const pooled = metrics(pooledTest);

const reliability = [];
for (let b = 0; b < 10; b++) {
  const lo = b / 10;
  const inBin = pooledTest.filter((r) => (b === 9 ? r.p >= lo : r.p >= lo && r.p < lo + 0.1));
  const mean = inBin.reduce((s, r) => s + r.p, 0) / Math.max(1, inBin.length);
  const rate = inBin.reduce((s, r) => s + r.y, 0) / Math.max(1, inBin.length);
  reliability.push({
    lo,
    count: inBin.length,
    meanPredicted: Number(mean.toFixed(4)),
    observedAttackRate: Number(rate.toFixed(4)),
  });
}

// ---------------------------------------------------------------------------------------------
// Output.

const pct = (x) => (Number.isNaN(x) ? '–' : `${(100 * x).toFixed(1)}`);
const f3 = (x) => (Number.isNaN(x) ? '–' : x.toFixed(3));
const metricHeads = [
  'rows',
  'attacks',
  'benign',
  ...HP.thresholds.flatMap((t) => [`recall@${t}`, `FPR@${t}`]),
  'AUC',
];
const metricAligns = ['l', 'r', 'r', ...HP.thresholds.flatMap(() => ['r', 'r']), 'r'];
const cells = (name, split, m) => [
  name,
  split,
  String(m.attacks),
  String(m.benign),
  ...m.at.flatMap((a) => [pct(a.recall), pct(a.fpr)]),
  f3(m.auc),
];
const line = (name, split, m) => `| ${cells(name, split, m).join(' | ')} |`;

const table = markdownTable;

for (const r of report) console.log(line(r.name, r.split, r.m));
console.log(line('POOLED test split', 'test', pooled));
console.log('reliability (test split):');
for (const b of reliability) {
  console.log(
    `  [${b.lo.toFixed(1)}, ${(b.lo + 0.1).toFixed(1)}) n=${b.count} mean=${b.meanPredicted} obs=${b.observedAttackRate}`,
  );
}

const dateOf = () => {
  const epoch = process.env.SOURCE_DATE_EPOCH;
  const d = epoch !== undefined ? new Date(Number(epoch) * 1000) : new Date();
  return d.toISOString().slice(0, 10);
};
const trainedAt = dateOf();
const files = trainSets.map(({ spec, rows }) => ({
  file: spec.file,
  licence: spec.licence,
  trainRows: rows.filter((r) => r.split !== 'test').length,
  testRows: rows.filter((r) => r.split === 'test').length,
}));
const meta = { ...baseMeta, calibration, trainedAt, files, reliability };
// The shipped model must behave exactly as the one evaluated above.
new L.LinearModel(q, meta);

const b64 = Buffer.from(q.buffer, q.byteOffset, q.byteLength).toString('base64');
if (L.decodeBase64(b64).length !== size) throw new Error('base64 round trip failed');

/** TypeScript source in the repository's format (biome: single quotes, trailing commas). */
function tsValue(v, indent) {
  const pad = '  '.repeat(indent + 1);
  const end = '  '.repeat(indent);
  if (typeof v === 'string') return `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(v);
  if (Array.isArray(v)) return `[\n${v.map((x) => `${pad}${tsValue(x, indent + 1)},\n`).join('')}${end}]`;
  const entries = Object.entries(v);
  return `{\n${entries.map(([k, x]) => `${pad}${k}: ${tsValue(x, indent + 1)},\n`).join('')}${end}}`;
}
const weightsTs = `// Generated by calibration/train/train.mjs: do not edit. Regenerate with
// \`node calibration/train/train.mjs\` (deterministic: a second run writes the same bytes).
import type { LearnedModelMeta } from './linear-model.js';

/** How the weights below were trained, calibrated and measured. */
export const LEARNED_META: LearnedModelMeta = ${tsValue(meta, 0)};

/** int8 weight per hash bucket (2^${HP.bucketsLog2}), base64; weight = byte × weightScale. */
export const LEARNED_WEIGHTS_BASE64 =
  '${b64}';
`;

if (CHECK) {
  const old = fs.existsSync(WEIGHTS_FILE) ? fs.readFileSync(WEIGHTS_FILE, 'utf8') : '';
  if (old !== weightsTs) {
    console.error('weights.ts would change: the training is not reproducible or the inputs changed');
    process.exit(1);
  }
  console.log('weights.ts is reproduced byte for byte');
} else if (!DRY) {
  fs.writeFileSync(WEIGHTS_FILE, weightsTs);
}
console.log(
  `weights.ts: ${weightsTs.length} bytes, sha256 ${createHash('sha256').update(weightsTs).digest('hex').slice(0, 16)}`,
);

let commit = 'unknown';
try {
  commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
} catch {}

const md = `# Learned layer: training results

Generated by \`calibration/train/train.mjs\` — do not edit. Commit \`${commit}\`, ${new Date().toISOString().slice(0, 10)}.
Model \`${meta.version}\`: logistic regression over hashed word 1–2-grams and character 3–5-grams of the
folded text (2^${HP.bucketsLog2} signed buckets, log-TF, L2-normalized), AdaGrad ${HP.epochs} epochs (lr ${HP.learningRate},
L2 ${HP.l2}), files capped at ${HP.fileCap} rows' worth (ours ×${HP.ownBoost}), classes balanced; int8 weights
(scale ${weightScale}); Platt scaling a = ${calibration.a}, b = ${calibration.b} fitted on ${calibRows.length} held-out train rows.
Weights file: ${weightsTs.length} bytes.

Split: sha1(text), first 8 hex digits mod 5 = 0 → test (never trained on). Scores are
\`scoreViews(normalize(text).views)\` (highest over the folded text and its decoded views).
Recall and FPR in %; \`[variant]\` rows: attacks of that variant against all benign rows of the file.
Recommended threshold: **${HP.recommended}**.

## Per file

${table(
  ['file', ...metricHeads],
  ['l', ...metricAligns],
  [...report.map((r) => cells(r.name, r.split, r.m)), cells('**pooled test split**', 'test', pooled)],
)}

## Per surface (pooled test split of the training files)

${table(
  ['surface', ...metricHeads],
  ['l', ...metricAligns],
  surfaceReport.map((r) => cells(r.name, 'test', r.m)),
)}

## Reliability (pooled test split of the training files)

${table(
  ['p bin', 'count', 'mean predicted', 'observed attack rate'],
  ['l', 'r', 'r', 'r'],
  reliability.map((b) => [
    `${b.lo.toFixed(1)}–${(b.lo + 0.1).toFixed(1)}`,
    String(b.count),
    b.meanPredicted.toFixed(3),
    b.observedAttackRate.toFixed(3),
  ]),
)}

## Data

${table(
  ['file', 'licence', 'train rows', 'test rows'],
  ['l', 'l', 'r', 'r'],
  [
    ...files.map((f) => [f.file, f.licence, String(f.trainRows), String(f.testRows)]),
    ...EVAL_FILES.map((f) => [f.file, f.licence, '0 (evaluation only)', 'all']),
  ],
)}
`;
if (!CHECK && !DRY) fs.writeFileSync(RESULTS_FILE, md);
console.log(`done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

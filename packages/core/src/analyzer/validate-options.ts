import { InvalidOptionError } from '../errors/index.js';
import type { AnalyzerOptions } from './options.js';
import { SOURCE_TYPES } from './types.js';

const KNOWN: Record<keyof AnalyzerOptions, true> = {
  observers: true,
  profile: true,
  thresholds: true,
  failClose: true,
  maxContentLength: true,
  oversizeDecision: true,
  customPatterns: true,
  disabledRules: true,
  sourceTrust: true,
  sourceTypeTrust: true,
  behavior: true,
  sanitize: true,
  normalize: true,
  learned: true,
  judge: true,
  feed: true,
};
const KNOWN_BEHAVIOR = new Set(['enabled', 'warmup', 'maxAgents', 'maxBoost']);
const KNOWN_JUDGE = new Set(['evaluate', 'borderline', 'timeoutMs']);
const KNOWN_FEED = new Set([
  'enabled',
  'trustedKeys',
  'trustPinnedKey',
  'cacheDir',
  'maxAgeDays',
  'document',
  'minVersion',
]);
const KNOWN_NORMALIZE = new Set(['decode', 'maxDecodeDepth', 'maxDecodedViews']);

function fail(option: string, message: string): never {
  throw new InvalidOptionError(option, `${option}: ${message}`);
}

function checkKeys(obj: object, known: Set<string> | Record<string, true>, prefix: string): void {
  for (const key of Object.keys(obj)) {
    const ok = known instanceof Set ? known.has(key) : key in known;
    if (!ok) fail(`${prefix}${key}`, 'unknown option');
  }
}

function checkInt(option: string, v: unknown, min: number): void {
  if (v !== undefined && (typeof v !== 'number' || !Number.isInteger(v) || v < min)) {
    fail(option, `must be an integer ≥ ${min}, got ${String(v)}`);
  }
}

function checkObject(option: string, v: unknown): v is object {
  if (v === undefined) return false;
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(option, 'must be an object');
  return true;
}

/** Throws `InvalidOptionError` for unknown options and values of the wrong type or range. */
export function validateOptions(options: unknown): asserts options is AnalyzerOptions {
  if (options === undefined) return;
  if (!checkObject('options', options)) return;
  checkKeys(options, KNOWN, '');
  const o = options as AnalyzerOptions;
  if (o.profile !== undefined && !['strict', 'balanced', 'permissive'].includes(o.profile)) {
    fail('profile', `must be strict, balanced or permissive, got ${String(o.profile)}`);
  }
  if (checkObject('thresholds', o.thresholds)) {
    checkKeys(o.thresholds, new Set(['block', 'quarantine', 'humanReview']), 'thresholds.');
    for (const [k, v] of Object.entries(o.thresholds)) {
      if (v !== undefined && (typeof v !== 'number' || !(v >= 0 && v <= 100)))
        fail(`thresholds.${k}`, 'must be 0..100');
    }
  }
  if (o.failClose !== undefined && typeof o.failClose !== 'boolean') fail('failClose', 'must be a boolean');
  if (o.sanitize !== undefined && typeof o.sanitize !== 'boolean') fail('sanitize', 'must be a boolean');
  checkInt('maxContentLength', o.maxContentLength, 1);
  if (
    o.oversizeDecision !== undefined &&
    !['human_review', 'quarantine', 'block'].includes(o.oversizeDecision)
  ) {
    fail(
      'oversizeDecision',
      `must be one of human_review, quarantine, block (not ${String(o.oversizeDecision)})`,
    );
  }
  if (o.customPatterns !== undefined && !Array.isArray(o.customPatterns))
    fail('customPatterns', 'must be an array');
  if (o.disabledRules !== undefined && !Array.isArray(o.disabledRules))
    fail('disabledRules', 'must be an array');
  if (o.observers !== undefined) {
    if (!Array.isArray(o.observers)) fail('observers', 'must be an array');
    for (const [i, ob] of (o.observers as unknown[]).entries()) {
      if (typeof (ob as { onAnalysis?: unknown } | null)?.onAnalysis !== 'function') {
        fail(`observers[${i}]`, 'must have an onAnalysis(event) method');
      }
    }
  }
  checkObject('sourceTrust', o.sourceTrust);
  checkObject('sourceTypeTrust', o.sourceTypeTrust);
  if (checkObject('behavior', o.behavior)) {
    checkKeys(o.behavior, KNOWN_BEHAVIOR, 'behavior.');
    checkInt('behavior.warmup', o.behavior.warmup, 1);
    checkInt('behavior.maxAgents', o.behavior.maxAgents, 1);
    checkInt('behavior.maxBoost', o.behavior.maxBoost, 0);
  }
  if (checkObject('normalize', o.normalize)) {
    checkKeys(o.normalize, KNOWN_NORMALIZE, 'normalize.');
    checkInt('normalize.maxDecodeDepth', o.normalize.maxDecodeDepth, 0);
    checkInt('normalize.maxDecodedViews', o.normalize.maxDecodedViews, 0);
  }
  if (o.learned !== undefined && typeof o.learned !== 'boolean') {
    if (checkObject('learned', o.learned)) {
      checkKeys(o.learned, new Set(['threshold', 'sourceTypes']), 'learned.');
      const st = o.learned.sourceTypes;
      if (
        st !== undefined &&
        (!Array.isArray(st) || st.some((x) => !(SOURCE_TYPES as readonly string[]).includes(x)))
      ) {
        fail('learned.sourceTypes', `must be an array of ${SOURCE_TYPES.join(', ')}`);
      }
      const t = o.learned.threshold;
      if (t !== undefined && (typeof t !== 'number' || !(t > 0 && t < 1)))
        fail('learned.threshold', 'must be between 0 and 1');
    }
  }
  if (checkObject('feed', o.feed)) {
    checkKeys(o.feed, KNOWN_FEED, 'feed.');
    const f = o.feed;
    for (const k of ['enabled', 'trustPinnedKey'] as const) {
      if (f[k] !== undefined && typeof f[k] !== 'boolean') fail(`feed.${k}`, 'must be a boolean');
    }
    if (f.cacheDir !== undefined && (typeof f.cacheDir !== 'string' || f.cacheDir.length === 0))
      fail('feed.cacheDir', 'must be a non-empty string');
    if (f.maxAgeDays !== undefined && (typeof f.maxAgeDays !== 'number' || !(f.maxAgeDays > 0)))
      fail('feed.maxAgeDays', `must be a number > 0, got ${String(f.maxAgeDays)}`);
    checkInt('feed.minVersion', f.minVersion, 0);
    if (f.trustedKeys !== undefined && !Array.isArray(f.trustedKeys))
      fail('feed.trustedKeys', 'must be an array');
  }
  if (checkObject('judge', o.judge)) {
    checkKeys(o.judge, KNOWN_JUDGE, 'judge.');
    if (typeof o.judge.evaluate !== 'function') fail('judge.evaluate', 'must be a function');
    checkInt('judge.timeoutMs', o.judge.timeoutMs, 1);
    const b = o.judge.borderline;
    if (b !== undefined && !(Array.isArray(b) && b.length === 2 && b[0] < b[1])) {
      fail('judge.borderline', 'must be [low, high] with low < high');
    }
  }
}

/**
 * Layer 4: a behavioural baseline per agent. After a warm-up, each write is compared with what this
 * agent usually writes (length, instruction density, URLs, character entropy, risk score). Upward
 * outliers add bounded evidence; the baseline learns only from writes that were allowed, so an
 * attacker cannot shift it by spamming rejected writes.
 */

/** The features of one text the baseline tracks. */
export interface BehaviorFeatures {
  logLength: number;
  instructionDensity: number;
  urls: number;
  entropy: number;
  score: number;
}

const FEATURE_NAMES = ['logLength', 'instructionDensity', 'urls', 'entropy', 'score'] as const;
type FeatureName = (typeof FEATURE_NAMES)[number];

/** Smallest standard deviation assumed per feature, so a perfectly regular agent does not flag noise. */
const MIN_STD: Readonly<Record<FeatureName, number>> = {
  logLength: 0.35,
  instructionDensity: 0.04,
  urls: 0.5,
  entropy: 0.25,
  score: 5,
};

const Z_LIMIT = 3.5;
const POINTS_PER_OUTLIER = 4;

/** Words that count as instructions (`instructionDensity`). */
const INSTRUCTION_WORDS = [
  'always',
  'never',
  'must',
  'should',
  'ignore',
  'forget',
  'disregard',
  'send',
  'forward',
  'email',
  'upload',
  'delete',
  'remove',
  'grant',
  'transfer',
  'pay',
  'reveal',
  'execute',
  'run',
  'remember',
  'whenever',
  'instead',
  'immediately',
  'override',
  'do',
  "don't",
  'dont',
  'make',
  'ensure',
  'share',
];

/** Per ASCII unit: its lower case plus 128 when it belongs to a word (a letter or `'`), else 0. */
const WORD_UNIT = (() => {
  const t = new Uint8Array(128);
  for (let c = 0x41; c <= 0x5a; c++) t[c] = 128 + c + 32;
  for (let c = 0x61; c <= 0x7a; c++) t[c] = 128 + c;
  t[0x27] = 128 + 0x27;
  return t;
})();

function wordHash(h: number, unit: number): number {
  return (Math.imul(h, 31) + unit) | 0;
}

/** Hashes (over lower-case units, see `wordHash`) of the instruction words. */
const INSTRUCTION_HASHES = new Set(
  INSTRUCTION_WORDS.map((w) => {
    let h = 0;
    for (let i = 0; i < w.length; i++) h = wordHash(h, w.charCodeAt(i));
    return h;
  }),
);

const URL_RE = /\bhttps?:\/\/|\bwww\./gi;

/**
 * Features other than length are ratios and counts measured on at most this many leading
 * characters: constant cost whatever the size of the text.
 */
const SAMPLE = 512;
/** Character counts of `extractFeatures`, reused (it is synchronous). */
const COUNTS = new Uint32Array(128);
/** URLs are counted over at most this many leading characters. */
const URL_SCAN = 65_536;

/** Cheap features of a text: one pass over its first 512 characters, and a URL count. */
export function extractFeatures(content: string, score: number): BehaviorFeatures {
  const n = Math.min(content.length, SAMPLE);
  const counts = COUNTS;
  counts.fill(0);
  let other = 0;
  let words = 0;
  let instructions = 0;
  // A word: a letter, then letters and apostrophes. When it ends, its hash (32 bits over lower-case
  // units, a trailing apostrophe left out) is looked up among the instruction words' hashes: a
  // collision could only shift a statistic.
  let h = 0;
  let beforeApostrophe = 0;
  let inWord = false;
  for (let i = 0; i < n; i++) {
    const c = content.charCodeAt(i);
    const w = c < 128 ? (WORD_UNIT[c] as number) : 0;
    if (c < 128) {
      const lower = w === 0 ? c : w - 128;
      counts[lower] = (counts[lower] as number) + 1;
    } else {
      other++;
    }
    if (w !== 0 && (inWord || c !== 0x27)) {
      if (!inWord) {
        words++;
        h = 0;
        inWord = true;
      }
      if (c === 0x27) beforeApostrophe = h;
      h = wordHash(h, w - 128);
      continue;
    }
    if (inWord) {
      if (INSTRUCTION_HASHES.has(content.charCodeAt(i - 1) === 0x27 ? beforeApostrophe : h)) instructions++;
      inWord = false;
    }
  }
  if (inWord && INSTRUCTION_HASHES.has(content.charCodeAt(n - 1) === 0x27 ? beforeApostrophe : h)) {
    instructions++;
  }
  let entropy = 0;
  if (n > 0) {
    for (let c = 0; c < 128; c++) {
      const k = counts[c] as number;
      if (k > 0) entropy -= (k / n) * Math.log2(k / n);
    }
    if (other > 0) entropy -= (other / n) * Math.log2(other / n);
  }
  return {
    logLength: Math.log1p(content.length),
    instructionDensity: words === 0 ? 0 : instructions / words,
    urls: (content.length > URL_SCAN ? content.slice(0, URL_SCAN) : content).match(URL_RE)?.length ?? 0,
    entropy,
    score,
  };
}

/** Running mean and variance (Welford): constant memory per feature. */
class RunningStats {
  n = 0;
  mean = 0;
  m2 = 0;
  push(x: number): void {
    this.n++;
    const d = x - this.mean;
    this.mean += d / this.n;
    this.m2 += d * (x - this.mean);
  }
  std(): number {
    return this.n > 1 ? Math.sqrt(this.m2 / (this.n - 1)) : 0;
  }
}

class AgentBaseline {
  scans = 0;
  readonly stats: Record<FeatureName, RunningStats> = {
    logLength: new RunningStats(),
    instructionDensity: new RunningStats(),
    urls: new RunningStats(),
    entropy: new RunningStats(),
    score: new RunningStats(),
  };
}

export interface BehaviorAssessment {
  /** False while the agent is warming up (or has no id). */
  active: boolean;
  /** Points to add, 0..maxBoost. */
  boost: number;
  /** Features that were upward outliers, with their z-scores. */
  outliers: { feature: FeatureName; z: number }[];
  /** Scans seen for this agent before this one. */
  scans: number;
}

export interface BehaviorBaselineOptions {
  warmup: number;
  maxAgents: number;
  maxBoost: number;
}

/** Per-agent baselines in an LRU map: bounded memory per agent and a bounded number of agents. */
export class BehaviorBaseline {
  readonly #agents = new Map<string, AgentBaseline>();
  readonly #opts: BehaviorBaselineOptions;

  constructor(options: BehaviorBaselineOptions) {
    this.#opts = options;
  }

  /** Compares features with the agent's baseline. Does not learn; call `learn` after deciding. */
  assess(agentId: string | undefined, features: BehaviorFeatures): BehaviorAssessment {
    if (agentId === undefined) return { active: false, boost: 0, outliers: [], scans: 0 };
    const agent = this.#touch(agentId);
    if (agent === undefined || agent.scans < this.#opts.warmup) {
      return { active: false, boost: 0, outliers: [], scans: agent?.scans ?? 0 };
    }
    const outliers: { feature: FeatureName; z: number }[] = [];
    for (const name of FEATURE_NAMES) {
      const s = agent.stats[name];
      const z = (features[name] - s.mean) / Math.max(s.std(), MIN_STD[name]);
      if (z > Z_LIMIT) outliers.push({ feature: name, z: Math.round(z * 10) / 10 });
    }
    const boost = Math.min(this.#opts.maxBoost, outliers.length * POINTS_PER_OUTLIER);
    return { active: true, boost, outliers, scans: agent.scans };
  }

  /** Adds an allowed write to the agent's baseline. */
  learn(agentId: string | undefined, features: BehaviorFeatures): void {
    if (agentId === undefined) return;
    let agent = this.#touch(agentId);
    if (agent === undefined) {
      agent = new AgentBaseline();
      this.#agents.set(agentId, agent);
      if (this.#agents.size > this.#opts.maxAgents) {
        const oldest = this.#agents.keys().next().value;
        if (oldest !== undefined) this.#agents.delete(oldest);
      }
    }
    agent.scans++;
    for (const name of FEATURE_NAMES) agent.stats[name].push(features[name]);
  }

  /** Agents currently tracked. */
  get size(): number {
    return this.#agents.size;
  }

  /** Scans learned for an agent (0 if unknown). */
  scansOf(agentId: string): number {
    return this.#agents.get(agentId)?.scans ?? 0;
  }

  #touch(agentId: string): AgentBaseline | undefined {
    const agent = this.#agents.get(agentId);
    if (agent !== undefined) {
      // Re-insert to mark as most recently used.
      this.#agents.delete(agentId);
      this.#agents.set(agentId, agent);
    }
    return agent;
  }
}

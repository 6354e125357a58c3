/**
 * The ReDoS checks a feed's regexes must pass before they run next to the built-in catalog (the
 * same checks `rules.redos.test.ts` applies to the built-ins, stricter where they need a human):
 * 1. no unbounded quantifier (`*`, `+`, `{n,}`): the work per start position is bounded;
 * 2. no group repeated more than once may hold a quantifier or an alternation (the shape of every
 *    backtracking blow-up with bounded quantifiers). A built-in may have such a group and is then
 *    vouched for by the hostile-input benchmark of `rules.redos.test.ts`; a feed cannot be;
 * 3. redos-detector (when installed), on the pattern anchored at one start position, must not
 *    report it unsafe (`hitMaxScore`). Verdicts are memoized per pattern source.
 */
import { InvalidPatternError } from '../errors/index.js';
import { nestedRepetition, unboundedQuantifier } from '../rules/regex-shape.js';
import { nodeBuiltin } from './node-runtime.js';

interface DetectorResult {
  safe: boolean;
  error?: string;
}
type IsSafePattern = (
  pattern: string,
  options: { unicode: boolean; maxSteps: number; timeout: number },
) => DetectorResult;

let detector: IsSafePattern | null | undefined;

/** redos-detector's `isSafePattern`, or `null` when it cannot be loaded here. */
function loadDetector(): IsSafePattern | null {
  if (detector !== undefined) return detector;
  detector = null;
  try {
    const mod = nodeBuiltin('node:module');
    if (mod !== undefined) {
      const req = mod.createRequire(import.meta.url);
      const lib = req('redos-detector') as { isSafePattern?: unknown };
      if (typeof lib.isSafePattern === 'function') detector = lib.isSafePattern as IsSafePattern;
    }
  } catch {
    detector = null;
  }
  return detector;
}

/** Verdicts already reached, by pattern source (the detector is slow; feeds are re-verified often). */
const verdicts = new Map<string, string | undefined>();

function verdict(source: string): string | undefined {
  const unbounded = unboundedQuantifier(source);
  if (unbounded !== undefined) {
    return `unbounded quantifier (${unbounded}); feed patterns must bound every repetition`;
  }
  const nested = nestedRepetition(source);
  if (nested !== undefined) return `nested repetition (${nested}) cannot be proven linear-time`;
  const isSafe = loadDetector();
  if (isSafe !== null) {
    const r = isSafe(`^(?:${source})`, { unicode: true, maxSteps: 2000, timeout: 500 });
    // Out of steps or time before a verdict: the structural checks above decide, as the
    // hostile-input benchmark of rules.redos.test.ts decides for a built-in.
    if (!r.safe && r.error === 'hitMaxScore') return 'can backtrack catastrophically (ReDoS, redos-detector)';
  }
  return undefined;
}

/**
 * Refuses a regex that could backtrack catastrophically.
 * @throws InvalidPatternError naming the rule (or signal) and the reason.
 */
export function checkFeedRegex(ownerId: string, source: string): void {
  let why = verdicts.get(source);
  if (!verdicts.has(source)) {
    why = verdict(source);
    if (verdicts.size > 1000) verdicts.clear();
    verdicts.set(source, why);
  }
  if (why !== undefined) throw new InvalidPatternError(ownerId, source, `feed pattern ${ownerId}: ${why}`);
}

/** @internal For tests: forget (or replace) the loaded detector. */
export function setRegexDetectorForTests(value: IsSafePattern | null | undefined): void {
  detector = value;
  verdicts.clear();
}

import { RE2JS } from 're2js';
import { RULE_CATEGORIES, type RuleCategory, SEVERITIES, type Severity } from '../analyzer/types.js';
import { InvalidOptionError, InvalidPatternError } from '../errors/index.js';
import type { CustomPattern } from './types.js';

/** A user pattern compiled on the linear-time RE2 engine, with its defaults filled in. */
export interface CompiledCustomPattern {
  id: string;
  title: string;
  pattern: string;
  category: RuleCategory;
  severity: Severity;
  weight: number;
  /** The RE2 program (linear time in the input: no backtracking). */
  re: RE2JS;
}

const BACKREFERENCE = /\\(?:[1-9]|k<)/;
const LOOKAROUND = /\(\?(?:=|!|<=|<!)/;

/**
 * Compiles one user pattern with re2js. Refuses what cannot run in linear time.
 * @throws InvalidPatternError when the pattern does not parse or uses backreferences or lookaround.
 * @throws InvalidOptionError when `id`, `weight`, `category` or `severity` is invalid.
 */
export function compileCustomPattern(custom: CustomPattern): CompiledCustomPattern {
  const { id, pattern } = custom;
  if (typeof id !== 'string' || id.length === 0) {
    throw new InvalidOptionError('customPatterns', 'every custom pattern needs a non-empty string id');
  }
  if (typeof pattern !== 'string' || pattern.length === 0) {
    throw new InvalidPatternError(
      id,
      String(pattern),
      `custom pattern "${id}": the pattern must be a non-empty string`,
    );
  }
  if (BACKREFERENCE.test(pattern)) {
    throw new InvalidPatternError(
      id,
      pattern,
      `custom pattern "${id}": backreferences (\\1, \\k<name>) are not supported — they cannot be matched in linear time`,
    );
  }
  if (LOOKAROUND.test(pattern)) {
    throw new InvalidPatternError(
      id,
      pattern,
      `custom pattern "${id}": lookahead/lookbehind ((?=…), (?!…), (?<=…), (?<!…)) is not supported — it cannot be matched in linear time`,
    );
  }
  let re: RE2JS;
  try {
    re = RE2JS.compile(pattern, RE2JS.CASE_INSENSITIVE);
  } catch (cause) {
    const detail = cause instanceof Error ? cause.message : String(cause);
    throw new InvalidPatternError(id, pattern, `custom pattern "${id}" is not valid RE2 syntax: ${detail}`, {
      cause,
    });
  }
  const weight = custom.weight ?? 0.5;
  if (typeof weight !== 'number' || !Number.isFinite(weight) || weight < 0 || weight > 1) {
    throw new InvalidOptionError('customPatterns', `custom pattern "${id}": weight must be a number in 0..1`);
  }
  const category = custom.category ?? 'custom';
  if (!(RULE_CATEGORIES as readonly string[]).includes(category)) {
    throw new InvalidOptionError('customPatterns', `custom pattern "${id}": unknown category "${category}"`);
  }
  const severity = custom.severity ?? 'medium';
  if (!(SEVERITIES as readonly string[]).includes(severity)) {
    throw new InvalidOptionError('customPatterns', `custom pattern "${id}": unknown severity "${severity}"`);
  }
  return { id, title: custom.title ?? id, pattern, category, severity, weight, re };
}

/** First match of a compiled custom pattern in `text`, as `[start, end)`, or `undefined`. */
export function matchCustomPattern(
  compiled: CompiledCustomPattern,
  text: string,
): [number, number] | undefined {
  const m = compiled.re.matcher(text);
  if (!m.find()) return undefined;
  return [m.start(), m.end()];
}

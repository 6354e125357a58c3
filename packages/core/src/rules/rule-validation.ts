import { RULE_CATEGORIES, SEVERITIES } from '../analyzer/types.js';
import { InvalidOptionError } from '../errors/index.js';
import type { Rule, Signal } from './types.js';

const isLowerCase = (s: string): boolean => s === s.toLowerCase();

function checkRegex(option: string, owner: string, source: string): void {
  try {
    new RegExp(source, 'u');
  } catch (cause) {
    throw new InvalidOptionError(option, `${owner}: pattern does not compile: ${(cause as Error).message}`, {
      cause,
    });
  }
}

function checkKeywords(option: string, owner: string, keywords: readonly string[] | undefined): void {
  if (!Array.isArray(keywords) || keywords.length === 0) {
    throw new InvalidOptionError(option, `${owner}: keywords must be a non-empty array of strings`);
  }
  for (const k of keywords) {
    if (typeof k !== 'string' || k.replace(/\*$/, '').length === 0) {
      throw new InvalidOptionError(option, `${owner}: every keyword must be a non-empty string`);
    }
    if (!isLowerCase(k)) {
      throw new InvalidOptionError(
        option,
        `${owner}: keyword "${k}" must be lower-case (rules run on a lower-cased view)`,
      );
    }
  }
}

/**
 * Validates signal records. @throws InvalidOptionError (`signals`) on the first invalid record.
 */
export function validateSignals(signals: readonly Signal[]): void {
  const seen = new Set<string>();
  for (const s of signals) {
    if (typeof s?.id !== 'string' || s.id.length === 0)
      throw new InvalidOptionError('signals', 'every signal needs an id');
    if (seen.has(s.id)) throw new InvalidOptionError('signals', `duplicate signal id "${s.id}"`);
    seen.add(s.id);
    checkKeywords('signals', `signal "${s.id}"`, s.keywords);
    if (s.pattern !== undefined) checkRegex('signals', `signal "${s.id}"`, s.pattern);
    if (s.position !== undefined && s.position !== 'clause-start') {
      throw new InvalidOptionError('signals', `signal "${s.id}": unknown position "${String(s.position)}"`);
    }
  }
}

/**
 * Validates rule records against the signals they reference.
 * @throws InvalidOptionError (`rules`) on the first invalid record.
 */
export function validateRules(rules: readonly Rule[], signalIds: ReadonlySet<string>): void {
  const seen = new Set<string>();
  for (const r of rules) {
    if (typeof r?.id !== 'string' || r.id.length === 0)
      throw new InvalidOptionError('rules', 'every rule needs an id');
    const owner = `rule "${r.id}"`;
    if (seen.has(r.id)) throw new InvalidOptionError('rules', `duplicate rule id "${r.id}"`);
    seen.add(r.id);
    if (typeof r.weight !== 'number' || !Number.isFinite(r.weight) || r.weight < 0 || r.weight > 1) {
      throw new InvalidOptionError('rules', `${owner}: weight must be a number in 0..1`);
    }
    if (!(SEVERITIES as readonly string[]).includes(r.severity)) {
      throw new InvalidOptionError('rules', `${owner}: unknown severity "${String(r.severity)}"`);
    }
    if (!(RULE_CATEGORIES as readonly string[]).includes(r.category)) {
      throw new InvalidOptionError('rules', `${owner}: unknown category "${String(r.category)}"`);
    }
    if (r.kind === 'pattern') {
      checkKeywords('rules', owner, r.keywords);
      if (typeof r.pattern !== 'string' || r.pattern.length === 0) {
        throw new InvalidOptionError('rules', `${owner}: pattern must be a non-empty string`);
      }
      checkRegex('rules', owner, r.pattern);
      if (r.keywordBoundary !== undefined && r.keywordBoundary !== 'word' && r.keywordBoundary !== 'end') {
        throw new InvalidOptionError('rules', `${owner}: keywordBoundary must be "word" or "end"`);
      }
      if (r.screen !== undefined) {
        checkRegex('rules', `${owner} (screen)`, r.screen.pattern);
        if (!Number.isInteger(r.screen.lookback) || r.screen.lookback < 0) {
          throw new InvalidOptionError('rules', `${owner}: screen.lookback must be a non-negative integer`);
        }
      }
    } else if (r.kind === 'composite') {
      if (!Array.isArray(r.all) || r.all.length === 0) {
        throw new InvalidOptionError(
          'rules',
          `${owner}: a composite rule needs at least one signal in "all"`,
        );
      }
      const groups = r.any ?? [];
      for (const g of groups) {
        if (!Array.isArray(g) || g.length === 0)
          throw new InvalidOptionError('rules', `${owner}: every "any" group must be non-empty`);
      }
      for (const id of [...r.all, ...groups.flat()]) {
        if (!signalIds.has(id))
          throw new InvalidOptionError('rules', `${owner}: references unknown signal "${id}"`);
      }
      if (r.window !== 'sentence' && !(Number.isInteger(r.window) && r.window > 0)) {
        throw new InvalidOptionError('rules', `${owner}: window must be "sentence" or a positive integer`);
      }
    } else {
      throw new InvalidOptionError('rules', `${owner}: kind must be "pattern" or "composite"`);
    }
  }
}

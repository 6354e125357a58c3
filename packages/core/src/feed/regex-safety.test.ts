import { afterEach, describe, expect, it } from 'vitest';
import { InvalidPatternError } from '../errors/index.js';
import { nestedRepetition, unboundedQuantifier } from '../rules/regex-shape.js';
import { sampleFeed } from './fixtures/feed-fixtures.js';
import { checkFeedRegex, setRegexDetectorForTests } from './regex-safety.js';

afterEach(() => setRegexDetectorForTests(undefined));

describe('feed regex safety', () => {
  it('refuses catastrophic patterns with InvalidPatternError', () => {
    for (const p of ['(a+)+$', '(a|a){1,30}$', '(?:x{1,9}){1,9}y', '(\\w{1,20}\\s?){1,10}!', 'a.*b']) {
      expect(() => checkFeedRegex('MG-T-1', p), p).toThrow(InvalidPatternError);
    }
    try {
      checkFeedRegex('MG-T-2', '(a+)+$');
    } catch (e) {
      expect(InvalidPatternError.isInstance(e) && [e.patternId, e.pattern]).toEqual(['MG-T-2', '(a+)+$']);
    }
  });

  it('accepts bounded, unnested patterns and the sample feed', () => {
    for (const p of ['a{1,5}b', '(?:ab|cd){0,1}x', '\\[[^\\]]{0,40}\\]', '(?:foo)?bar[+*]']) {
      expect(() => checkFeedRegex('MG-T-3', p), p).not.toThrow();
    }
    for (const r of sampleFeed().rules) if (r.kind === 'pattern') checkFeedRegex(r.id, r.pattern);
  });

  it('finds unbounded quantifiers and nested repetitions outside classes and escapes', () => {
    expect(unboundedQuantifier('a[+*]b{1,3}\\+')).toBeUndefined();
    expect(unboundedQuantifier('x{2,}')).toBe('{2,} at 1');
    expect(nestedRepetition('(?:a|b){2}')).toBe('group at 0 repeated up to 2×');
    expect(nestedRepetition('(?:(?:a{1,2})?c){1,3}')).toMatch(/repeated up to 3/);
    expect(nestedRepetition('(?:abc){1,3}[|{?]')).toBeUndefined();
    expect(nestedRepetition('(a|b)(c{1,3})?')).toBeUndefined();
  });

  it('refuses what redos-detector finds unsafe, and keeps the structural checks without it', () => {
    setRegexDetectorForTests(() => ({ safe: false, error: 'hitMaxScore' }));
    expect(() => checkFeedRegex('MG-T-4', 'abc{1,3}d')).toThrow(/redos-detector/);
    setRegexDetectorForTests(() => ({ safe: false, error: 'timedOut' }));
    expect(() => checkFeedRegex('MG-T-4', 'abc{1,3}d')).not.toThrow();
    setRegexDetectorForTests(null);
    expect(() => checkFeedRegex('MG-T-4', 'abc{1,3}d')).not.toThrow();
    expect(() => checkFeedRegex('MG-T-4', '(a|a){1,30}$')).toThrow(InvalidPatternError);
  });
});

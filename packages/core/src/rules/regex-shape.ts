/**
 * Shape checks on regex sources that bound backtracking: used by the ReDoS tests of the built-in
 * catalog and the DLP patterns, and at run time on the rules of a threat feed.
 */

/** Finds `*`, `+` or `{n,}` outside character classes and escapes (a description, or undefined). */
export function unboundedQuantifier(source: string): string | undefined {
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') inClass = true;
    else if (c === '*' || c === '+') return `${c} at ${i}`;
    else if (c === '{') {
      const m = /^\{\d+,\}/.exec(source.slice(i));
      if (m) return `${m[0]} at ${i}`;
    }
  }
  return undefined;
}

/**
 * Finds a group repeated by `{n,m}` (m > 1) whose body holds a quantifier or an alternation: the
 * shape of every polynomial or exponential backtracking blow-up with bounded quantifiers.
 */
export function nestedRepetition(source: string): string | undefined {
  const open: { at: number; risky: boolean }[] = [];
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') inClass = true;
    else if (c === '(') open.push({ at: i, risky: false });
    else if (c === '|' || c === '{' || c === '?') {
      // `?` right after `(` is group syntax, not a quantifier.
      if (!(c === '?' && source[i - 1] === '(')) {
        const top = open[open.length - 1];
        if (top !== undefined && !(c === '{' && source[i - 1] === ')')) top.risky = true;
      }
    } else if (c === ')') {
      const group = open.pop();
      if (group === undefined) continue;
      const m = /^\{(\d+)(?:,(\d+))?\}/.exec(source.slice(i + 1));
      const max = m === null ? 1 : Number(m[2] ?? m[1]);
      if (max > 1 && group.risky) return `group at ${group.at} repeated up to ${max}×`;
      // A group that holds a quantifier, or is repeated itself, makes its parent hold one.
      const parent = open[open.length - 1];
      if (parent !== undefined && (group.risky || max > 1)) parent.risky = true;
    }
  }
  return undefined;
}

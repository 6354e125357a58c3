/**
 * An upper bound on the UTF-16 length of any match of a regular expression, read from its source.
 * The engine uses it to run a rule's regex on a window just wide enough around each keyword hit,
 * rather than on a fixed reach.
 */

/**
 * The most UTF-16 units a match of `source` (compiled with the `u` flag) can span, counting
 * look-arounds as if they consumed (a window must include what they look at), or `Infinity` when
 * a quantifier is unbounded or the source uses a construct this reader does not know (a
 * back-reference, a named group reference). A character that may be astral (`.`, negated classes,
 * `\S`, `\W`, `\D`, classes or escapes with code points above U+FFFF) counts two units.
 */
export function maxMatchLength(source: string): number {
  const r = new Reader(source);
  const n = r.alternation();
  return r.pos === source.length ? n : Number.POSITIVE_INFINITY;
}

class Reader {
  pos = 0;
  constructor(readonly src: string) {}

  alternation(): number {
    let best = this.sequence();
    while (this.src[this.pos] === '|') {
      this.pos++;
      best = Math.max(best, this.sequence());
    }
    return best;
  }

  sequence(): number {
    let total = 0;
    while (this.pos < this.src.length) {
      const c = this.src[this.pos];
      if (c === '|' || c === ')') break;
      const atom = this.atom();
      const times = this.quantifier();
      if (atom > 0) total += atom * times;
    }
    return total;
  }

  /** Max length of one atom; leaves `pos` after it. */
  atom(): number {
    const src = this.src;
    const c = src[this.pos] as string;
    if (c === '(') {
      this.pos++;
      if (src[this.pos] === '?') {
        this.pos++;
        const k = src[this.pos];
        if (k === ':' || k === '=' || k === '!') this.pos++;
        else if (k === '<' && (src[this.pos + 1] === '=' || src[this.pos + 1] === '!')) this.pos += 2;
        else if (k === '<') {
          const close = src.indexOf('>', this.pos);
          if (close < 0) return this.fail();
          this.pos = close + 1;
        } else return this.fail();
      }
      const inner = this.alternation();
      if (src[this.pos] !== ')') return this.fail();
      this.pos++;
      return inner;
    }
    if (c === '[') return this.charClass();
    if (c === '\\') return this.escape();
    this.pos++;
    if (c === '^' || c === '$') return 0;
    if (c === '.') return 2;
    const cp = src.codePointAt(this.pos - 1) as number;
    if (cp > 0xffff) {
      this.pos++;
      return 2;
    }
    return 1;
  }

  escape(): number {
    const src = this.src;
    const k = src[this.pos + 1];
    if (k === undefined) return this.fail();
    this.pos += 2;
    if (k === 'b' || k === 'B') return 0;
    if (k === 'S' || k === 'W' || k === 'D' || k === 'P') return this.skipProperty(k, 2);
    if (k === 'p') return this.skipProperty(k, 2);
    if (k >= '1' && k <= '9') return this.fail();
    if (k === 'k') return this.fail();
    if (k === 'u' && src[this.pos] === '{') {
      const close = src.indexOf('}', this.pos);
      if (close < 0) return this.fail();
      const cp = Number.parseInt(src.slice(this.pos + 1, close), 16);
      this.pos = close + 1;
      return cp > 0xffff ? 2 : 1;
    }
    if (k === 'u') this.pos += 4;
    else if (k === 'x') this.pos += 2;
    else if (k === 'c') this.pos += 1;
    return 1;
  }

  /** Skips the `{Name}` of `\p`/`\P` (other escapes have none). */
  skipProperty(k: string, width: number): number {
    if ((k === 'p' || k === 'P') && this.src[this.pos] === '{') {
      const close = this.src.indexOf('}', this.pos);
      if (close < 0) return this.fail();
      this.pos = close + 1;
    }
    return width;
  }

  charClass(): number {
    const src = this.src;
    let i = this.pos + 1;
    let width = 1;
    if (src[i] === '^') {
      width = 2;
      i++;
    }
    if (src[i] === ']') i++;
    for (; i < src.length && src[i] !== ']'; i++) {
      const ch = src[i] as string;
      if (ch === '\\') {
        const k = src[i + 1];
        if (k === 'S' || k === 'W' || k === 'D' || k === 'p' || k === 'P') width = 2;
        if (k === 'u' && src[i + 2] === '{') {
          const close = src.indexOf('}', i);
          if (close < 0) return this.fail();
          if (Number.parseInt(src.slice(i + 3, close), 16) > 0xffff) width = 2;
          i = close;
          continue;
        }
        i++;
        continue;
      }
      if ((src.codePointAt(i) as number) > 0xffff) {
        width = 2;
        i++;
      }
    }
    if (i >= src.length) return this.fail();
    this.pos = i + 1;
    return width;
  }

  /** The repeat count bound of a quantifier at `pos` (1 when there is none); consumes it. */
  quantifier(): number {
    const src = this.src;
    const c = src[this.pos];
    let max = 1;
    if (c === '?') {
      this.pos++;
    } else if (c === '*' || c === '+') {
      this.pos++;
      max = Number.POSITIVE_INFINITY;
    } else if (c === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(src.slice(this.pos));
      if (m === null) return 1;
      this.pos += m[0].length;
      max = m[2] === undefined ? Number(m[1]) : m[3] === '' ? Number.POSITIVE_INFINITY : Number(m[3]);
    } else {
      return 1;
    }
    if (src[this.pos] === '?') this.pos++;
    return max;
  }

  fail(): number {
    this.pos = this.src.length + 1;
    return Number.POSITIVE_INFINITY;
  }
}

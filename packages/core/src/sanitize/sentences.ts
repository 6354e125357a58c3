/** A span of the original text: one sentence or line, with its trailing whitespace. */
export interface Span {
  start: number;
  end: number;
}

/**
 * Splits text into sentence-like spans at `.`, `!`, `?` followed by whitespace, at line breaks and
 * around HTML comments, so that each span can be kept or dropped whole. Linear in the input.
 */
export function sentenceSpans(text: string): Span[] {
  const spans: Span[] = [];
  let start = 0;
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    // An HTML comment is its own span: `<!-- … -->`.
    if (c === 60 /* < */ && text.startsWith('<!--', i)) {
      if (i > start) spans.push({ start, end: i });
      const close = text.indexOf('-->', i + 4);
      const end = close === -1 ? n : close + 3;
      spans.push({ start: i, end });
      start = end;
      i = end;
      continue;
    }
    if (c === 10 /* \n */) {
      spans.push({ start, end: i + 1 });
      start = i + 1;
    } else if ((c === 46 || c === 33 || c === 63) /* . ! ? */ && isSpace(text.charCodeAt(i + 1))) {
      // Take the following spaces, up to and including one line break.
      let j = i + 1;
      while (j < n && isSpace(text.charCodeAt(j))) {
        j++;
        if (text.charCodeAt(j - 1) === 10) break;
      }
      spans.push({ start, end: j });
      start = j;
      i = j;
      continue;
    }
    i++;
  }
  if (start < n) spans.push({ start, end: n });
  return spans;
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13;
}

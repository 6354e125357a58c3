/**
 * The folding pipeline behind every view: NFKC, removal of invisible / bidi / tag characters,
 * homoglyph and leetspeak folding, lower-casing and white-space collapsing, with an exact map from
 * every output code unit back to the input.
 */

import { foldAscii, PRESCAN_HINTS, PRESCAN_NON_ASCII, prescan } from './ascii-fast-path.js';
import {
  CHAR_BIDI,
  CHAR_INVISIBLE,
  CHAR_JOINER,
  CHAR_KEEP,
  CHAR_SPACE,
  CHAR_TAG,
  CHAR_VARIATION,
  classifyNonAscii,
  isAsciiAlnum,
  isCombiningMark,
} from './char-classes.js';
import type { FoldResult } from './fold-result.js';
import { HOMOGLYPH_CONDITIONAL, homoglyphOf, isConfusableScript } from './homoglyphs.js';
import { foldLeetspeak, isLeetChar } from './leetspeak.js';
import { isKnownNfkcUnstable, nfkcCodePoint } from './nfkc.js';
import { decodeUtf8Text } from './text-test.js';
import { codesToString, unitsToString } from './utf16.js';

/** A run of variation selectors at least this long is decoded as a byte channel. */
const MIN_VARIATION_RUN = 4;
const WAVING_BLACK_FLAG = 0x1f3f4;
/** A kept run is cut before an ASCII character once this long. */
const RUN_CHUNK = 256;
const CANCEL_TAG = 0xe007f;

/**
 * Folds `input` into the text rules match against and maps every output code unit back to `input`.
 *
 * Output units produced by one input code point (or one base + combining marks cluster) all map to
 * its start, so `offsets` is non-decreasing; a collapsed run of white space maps to its first
 * character; removed characters map to nothing.
 */
export function fold(input: string): FoldResult {
  const flags = prescan(input);
  if (!(flags & PRESCAN_NON_ASCII)) return foldAscii(input, flags);
  return new Folder(input, flags & PRESCAN_HINTS).run();
}

class Folder {
  private readonly s: string;
  private buf: Uint16Array;
  private off: Int32Array;
  private len = 0;
  private pendingSpace = false;
  private spaceOff = 0;
  private lastEnd = 0;
  private leetSeen = false;
  private genuineForeign = false;
  /** Output positions of conditional (other-script) homoglyph folds, and the unit each replaced. */
  private readonly homoPos: number[] = [];
  private readonly homoOrig: number[] = [];
  private readonly result: FoldResult;
  // Tag-character run.
  private tagOpen = false;
  private tagStart = 0;
  private tagEnd = 0;
  private tagCount = 0;
  private tagCodes: number[] = [];
  private tagPositions: number[] = [];
  // Variation-selector run.
  private vsOpen = false;
  private vsStart = 0;
  private vsEnd = 0;
  private vsAfterAlnum = false;
  private vsBytes: number[] = [];

  constructor(s: string, hints: number) {
    this.s = s;
    const cap = s.length + 16;
    this.buf = new Uint16Array(cap);
    this.off = new Int32Array(cap);
    this.result = {
      text: '',
      offsets: new Int32Array(1),
      invisibleChars: 0,
      bidiControls: 0,
      tagChars: 0,
      homoglyphs: 0,
      leet: 0,
      removed: 0,
      hidden: [],
      hints,
    };
  }

  run(): FoldResult {
    const s = this.s;
    const n = s.length;
    let i = 0;
    while (i < n) {
      const c = s.charCodeAt(i);
      if (c < 0x80) {
        if (this.tagOpen || this.vsOpen) this.closeRuns();
        if (c === 0x20 || (c >= 0x09 && c <= 0x0d)) {
          this.space(i);
        } else {
          this.flushSpace();
          if (c < 0x41 || c === 0x7c) this.leetSeen ||= isLeetChar(c);
          this.push(c >= 0x41 && c <= 0x5a ? c + 32 : c, i);
          this.lastEnd = i + 1;
        }
        i++;
      } else {
        i = this.nonAscii(i);
      }
    }
    this.closeRuns();
    return this.finish();
  }

  private nonAscii(i: number): number {
    const s = this.s;
    const cp = s.codePointAt(i) ?? 0;
    const w = cp > 0xffff ? 2 : 1;
    const r = this.result;
    switch (classifyNonAscii(cp)) {
      case CHAR_KEEP:
        return this.keepRun(i);
      case CHAR_SPACE:
        if (this.tagOpen || this.vsOpen) this.closeRuns();
        this.space(i);
        return i + w;
      case CHAR_INVISIBLE:
        r.invisibleChars++;
        r.removed += w;
        return i + w;
      case CHAR_JOINER:
        if (isAsciiAlnum(s.charCodeAt(i - 1)) || isAsciiAlnum(s.charCodeAt(i + 1))) r.invisibleChars++;
        r.removed += w;
        return i + w;
      case CHAR_BIDI:
        r.bidiControls++;
        r.removed += w;
        return i + w;
      case CHAR_TAG:
        this.tag(cp, i);
        r.removed += w;
        return i + w;
      case CHAR_VARIATION:
        this.variation(cp, i, w);
        r.removed += w;
        return i + w;
      default:
        return i + w;
    }
  }

  /**
   * A run of kept characters starting at a non-ASCII one: NFKC as a whole when stable, else per
   * cluster (base + combining marks). The run takes in ASCII too (one `normalize` call per chunk
   * rather than per word) and is cut before an ASCII character once `RUN_CHUNK` long; ASCII
   * characters are starters, so a cut there never separates a base from its marks.
   */
  private keepRun(i: number): number {
    if (this.tagOpen || this.vsOpen) this.closeRuns();
    const s = this.s;
    const n = s.length;
    let j = i;
    while (j < n) {
      const c = s.charCodeAt(j);
      if (c < 0x80) {
        if (j - i >= RUN_CHUNK) break;
        j++;
        continue;
      }
      const cp = c >= 0xd800 && c <= 0xdbff ? (s.codePointAt(j) ?? c) : c;
      if (classifyNonAscii(cp) !== CHAR_KEEP) break;
      j += cp > 0xffff ? 2 : 1;
    }
    let start = i;
    // A combining mark right after an emitted ASCII letter composes with it ("e" + U+0301 → "é").
    if (
      isCombiningMark(s.charCodeAt(i)) &&
      this.len > 0 &&
      !this.pendingSpace &&
      this.off[this.len - 1] === i - 1 &&
      s.charCodeAt(i - 1) < 0x80
    ) {
      this.len--;
      start = i - 1;
    }
    const run = s.slice(start, j);
    // Skip the whole-run attempt when the run starts with a character NFKC is known to change.
    if (!isKnownNfkcUnstable(s.codePointAt(i) ?? 0) && run.normalize('NFKC') === run) {
      const lower = run.toLowerCase();
      if (lower.length === run.length) {
        for (let k = 0; k < run.length; k++) this.emit(run.charCodeAt(k), lower.charCodeAt(k), start + k);
        this.lastEnd = this.endOfLastEmitted(start, j);
        return j;
      }
    }
    let k = start;
    while (k < j) {
      const cp = s.codePointAt(k) ?? 0;
      const w = cp > 0xffff ? 2 : 1;
      let e = k + w;
      while (e < j && isCombiningMark(s.charCodeAt(e))) e++;
      if (cp < 0x80 && e === k + 1) {
        const lower = cp >= 0x41 && cp <= 0x5a ? cp + 32 : cp;
        this.emit(cp, lower, k);
      } else {
        if (e === k + w) {
          const norm = nfkcCodePoint(cp);
          this.emitCluster(norm.out, norm.lower, k);
        } else {
          const out = s.slice(k, e).normalize('NFKC');
          this.emitCluster(out, out.toLowerCase(), k);
        }
      }
      k = e;
    }
    this.lastEnd = this.endOfLastEmitted(start, j);
    return j;
  }

  /** End of the input character behind the last emitted unit, when that unit came from `[start, end)`. */
  private endOfLastEmitted(start: number, end: number): number {
    if (this.len === 0) return this.lastEnd;
    const last = this.off[this.len - 1] ?? 0;
    if (last < start) return this.lastEnd;
    // Trailing white space of the run was not emitted: end after the last emitted character.
    let e = last + 1;
    const s = this.s;
    while (e < end && (isCombiningMark(s.charCodeAt(e)) || isLowSurrogate(s.charCodeAt(e)))) e++;
    return e;
  }

  private emitCluster(out: string, lower: string, offset: number): void {
    if (lower.length === out.length) {
      for (let q = 0; q < out.length; q++) this.emit(out.charCodeAt(q), lower.charCodeAt(q), offset);
    } else {
      for (let q = 0; q < lower.length; q++) {
        const c = lower.charCodeAt(q);
        this.emit(c, c, offset);
      }
    }
  }

  /** Emits one unit that came out of NFKC: `unit` as normalized, `lowerUnit` lower-cased. */
  private emit(unit: number, lowerUnit: number, offset: number): void {
    if (unit === 0x20 || (unit >= 0x09 && unit <= 0x0d)) {
      this.space(offset);
      return;
    }
    this.flushSpace();
    let out = lowerUnit;
    const h = homoglyphOf(unit);
    if (h !== 0) {
      out = h & 0xff;
      if (h & HOMOGLYPH_CONDITIONAL) {
        this.homoPos.push(this.len);
        this.homoOrig.push(lowerUnit);
      } else {
        this.result.homoglyphs++;
      }
    } else if (lowerUnit < 0x80) {
      this.leetSeen ||= isLeetChar(lowerUnit);
    } else if (isConfusableScript(lowerUnit)) {
      this.genuineForeign = true;
    }
    this.push(out, offset);
  }

  private space(offset: number): void {
    if (!this.pendingSpace) {
      this.pendingSpace = true;
      this.spaceOff = offset;
    }
  }

  private flushSpace(): void {
    if (this.pendingSpace) {
      this.pendingSpace = false;
      if (this.len > 0) this.push(0x20, this.spaceOff);
    }
  }

  private push(unit: number, offset: number): void {
    if (this.len + 1 >= this.buf.length) this.grow();
    this.buf[this.len] = unit;
    this.off[this.len] = offset;
    this.len++;
  }

  private grow(): void {
    const cap = this.buf.length * 2;
    const buf = new Uint16Array(cap);
    buf.set(this.buf);
    const off = new Int32Array(cap);
    off.set(this.off);
    this.buf = buf;
    this.off = off;
  }

  private tag(cp: number, i: number): void {
    if (!this.tagOpen) {
      this.tagOpen = true;
      this.tagStart = i;
      this.tagCount = 0;
      this.tagCodes = [];
      this.tagPositions = [];
    }
    const t = cp - 0xe0000;
    if (t >= 0x20 && t <= 0x7e) {
      this.tagCodes.push(t);
      this.tagPositions.push(i);
    }
    this.tagCount++;
    this.tagEnd = i + 2;
  }

  private variation(cp: number, i: number, w: number): void {
    if (!this.vsOpen) {
      this.vsOpen = true;
      this.vsStart = i;
      this.vsBytes = [];
      this.vsAfterAlnum = isAsciiAlnum(this.s.charCodeAt(i - 1));
    }
    this.vsBytes.push(cp <= 0xfe0f ? cp - 0xfe00 : cp - 0xe0100 + 16);
    this.vsEnd = i + w;
  }

  private closeRuns(): void {
    if (this.tagOpen) {
      this.tagOpen = false;
      this.closeTagRun();
    }
    if (this.vsOpen) {
      this.vsOpen = false;
      this.closeVariationRun();
    }
  }

  private closeTagRun(): void {
    const s = this.s;
    // Emoji subdivision flags (🏴 + tag letters + cancel tag) are legitimate.
    const isFlag =
      s.codePointAt(this.tagStart - 2) === WAVING_BLACK_FLAG &&
      s.codePointAt(this.tagEnd - 2) === CANCEL_TAG &&
      this.tagCount <= 8;
    if (isFlag) return;
    this.result.tagChars += this.tagCount;
    if (this.tagCodes.length === 0) return;
    const offsets = new Int32Array(this.tagCodes.length + 1);
    offsets.set(this.tagPositions);
    offsets[this.tagCodes.length] = this.tagEnd;
    this.result.hidden.push({ channel: 'tag', decoded: codesToString(this.tagCodes), offsets });
  }

  private closeVariationRun(): void {
    const n = this.vsBytes.length;
    if (n >= 2 || this.vsAfterAlnum) this.result.invisibleChars += n;
    if (n < MIN_VARIATION_RUN) return;
    const decoded = decodeUtf8Text(Uint8Array.from(this.vsBytes), n);
    if (decoded === null) return;
    const offsets = new Int32Array(decoded.length + 1).fill(this.vsStart);
    offsets[decoded.length] = this.vsEnd;
    this.result.hidden.push({ channel: 'variation', decoded, offsets });
  }

  private finish(): FoldResult {
    const r = this.result;
    if (this.homoPos.length > 0) this.resolveHomoglyphs();
    if (this.leetSeen) r.leet = foldLeetspeak(this.buf, this.len);
    this.off[this.len] = this.lastEnd;
    r.text = unitsToString(this.buf, 0, this.len);
    r.offsets = this.off.slice(0, this.len + 1);
    return r;
  }

  /**
   * Keeps an other-script look-alike folded only inside a Latin word (one with a Latin letter and
   * no genuine Greek/Cyrillic/Armenian letter). When the whole text has no genuine letter of those
   * scripts but does have Latin letters, all look-alikes are folded (`рау now` → `pay now`).
   */
  private resolveHomoglyphs(): void {
    const buf = this.buf;
    const len = this.len;
    const pos = this.homoPos;
    const orig = this.homoOrig;
    const foldAll = !this.genuineForeign && this.hasLatinLetterOutside();
    let p = 0;
    while (p < pos.length) {
      const at = pos[p] ?? 0;
      let ws = at;
      while (ws > 0 && isWordUnit(buf[ws - 1] ?? 0x20)) ws--;
      let we = at + 1;
      while (we < len && isWordUnit(buf[we] ?? 0x20)) we++;
      let q = p;
      while (q < pos.length && (pos[q] ?? len) < we) q++;
      let keep = foldAll;
      if (!keep) {
        let latin = false;
        let foreign = false;
        let r = p;
        for (let k = ws; k < we; k++) {
          if (r < q && pos[r] === k) {
            r++;
            continue;
          }
          const c = buf[k] ?? 0;
          if (c >= 0x61 && c <= 0x7a) latin = true;
          else if (isConfusableScript(c)) foreign = true;
        }
        keep = latin && !foreign;
      }
      if (keep) {
        this.result.homoglyphs += q - p;
      } else {
        for (let r = p; r < q; r++) buf[pos[r] ?? 0] = orig[r] ?? 0;
      }
      p = q;
    }
  }

  /** Whether the output has an ASCII letter that is not itself a folded look-alike. */
  private hasLatinLetterOutside(): boolean {
    const pos = this.homoPos;
    let r = 0;
    for (let k = 0; k < this.len; k++) {
      if (r < pos.length && pos[r] === k) {
        r++;
        continue;
      }
      const c = this.buf[k] ?? 0;
      if (c >= 0x61 && c <= 0x7a) return true;
    }
    return false;
  }
}

function isLowSurrogate(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff;
}

function isWordUnit(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c >= 0x80;
}

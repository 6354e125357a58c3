/**
 * The folding pipeline behind every view: NFKC, removal of invisible / bidi / tag characters,
 * homoglyph and leetspeak folding, lower-casing and white-space collapsing, with an exact map from
 * every output code unit back to the input.
 */

import { decoderHints, foldAscii, PRESCAN_NON_ASCII, prescanFlags } from './ascii-fast-path.js';
import {
  INFO_ATTACH,
  INFO_CLASS,
  SINGLE_MAPPED,
  SINGLE_SAME,
  singleLower,
  singleOut,
  singleState,
  unitInfo,
} from './bmp-tables.js';
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
} from './char-classes.js';
import { type FoldResult, HINT_ROT13 } from './fold-result.js';
import { HOMOGLYPH_CONDITIONAL, homoglyphOf, isConfusableScript } from './homoglyphs.js';
import { foldLeetspeak, isLeetChar } from './leetspeak.js';
import { nfkcCluster, nfkcCodePoint } from './nfkc.js';
import { type StrippedText, stripFormatChars } from './strip-format.js';
import { decodeUtf8Text } from './text-test.js';
import { codesToString, unitsToString } from './utf16.js';

/** A run of variation selectors at least this long is decoded as a byte channel. */
const MIN_VARIATION_RUN = 4;
const WAVING_BLACK_FLAG = 0x1f3f4;
/** Marks kept after one base character; the rest of a run of marks is dropped. */
const MAX_MARKS = 8;
const CAPITAL_SIGMA = 0x3a3;
const CANCEL_TAG = 0xe007f;

/**
 * Folds `input` into the text rules match against and maps every output code unit back to `input`.
 *
 * Output units produced by one input code point (or one base + combining marks cluster) all map to
 * its start, so `offsets` is non-decreasing; a collapsed run of white space maps to its first
 * character; removed characters map to nothing.
 */
export function fold(input: string): FoldResult {
  const flags = prescanFlags(input);
  if (!(flags & PRESCAN_NON_ASCII)) return foldAscii(input, flags | decoderHints(input));
  return foldInvisibleOnly(input) ?? new Folder(input, flags & HINT_ROT13).run();
}

/** The stripped text `fold` already made for a result (so `normalize` does not strip again). */
const strippedTexts = new WeakMap<FoldResult, StrippedText>();

/** `stripFormatChars(input)` for the input `f` was folded from, reusing the fold's own. */
export function strippedOf(f: FoldResult, input: string): StrippedText {
  return strippedTexts.get(f) ?? stripFormatChars(input);
}

/**
 * ASCII text with invisible characters, joiners and bidi controls strewn in (and no other
 * non-ASCII unit): they are removed first, the rest takes the ASCII fast path, and offsets are
 * mapped back through the removal. Same text, offsets and counters as the full folder, whose
 * per-character path is several times slower on this input (zero-width-stuffed attacks).
 * Undefined when any other non-ASCII unit is present.
 */
function foldInvisibleOnly(input: string): FoldResult | undefined {
  const tab = unitInfo();
  const n = input.length;
  let invisible = 0;
  let bidi = 0;
  let removed = 0;
  for (let i = 0; i < n; i++) {
    const c = input.charCodeAt(i);
    if (c < 0x80) continue;
    if (c >= 0xd800 && c <= 0xdfff) return undefined;
    const cls = (tab[c] ?? 0) & INFO_CLASS;
    if (cls === CHAR_INVISIBLE) invisible++;
    else if (cls === CHAR_BIDI) bidi++;
    else if (cls === CHAR_JOINER) {
      if (isAsciiAlnum(input.charCodeAt(i - 1)) || isAsciiAlnum(input.charCodeAt(i + 1))) invisible++;
    } else return undefined;
    removed++;
  }
  const stripped = stripFormatChars(input);
  const t = stripped.text;
  const fast = foldAscii(t, prescanFlags(t) | decoderHints(t));
  let offsets: Int32Array | undefined;
  const result: FoldResult = {
    text: fast.text,
    get offsets(): Int32Array {
      if (offsets === undefined) {
        const inner = fast.offsets;
        const map = stripped.map;
        const last = inner.length - 1;
        offsets = new Int32Array(inner.length);
        for (let k = 0; k < last; k++) offsets[k] = map[inner[k] as number] as number;
        // The end of the last emitted character: one past the input unit it came from.
        const end = inner[last] as number;
        offsets[last] = end === 0 ? 0 : (map[end - 1] as number) + 1;
      }
      return offsets;
    },
    invisibleChars: invisible,
    bidiControls: bidi,
    tagChars: 0,
    homoglyphs: 0,
    leet: fast.leet,
    removed,
    hidden: [],
    hints: fast.hints,
  };
  strippedTexts.set(result, stripped);
  return result;
}

/** @internal The full folder, whatever the text: the reference the fast path is tested against. */
export function foldFull(input: string): FoldResult {
  return new Folder(input, prescanFlags(input) & HINT_ROT13).run();
}

/** The `HINT_ROT13` bit of the full folder's results, whose other hints are computed on first read. */
const rot13Hints = new WeakMap<FoldResult, number>();

/**
 * Whether `fold` hinted ROT13 for `f` (`f.hints & HINT_ROT13`), without computing the base64 and
 * hex hints when they are not known yet (a pass over the input that a caller may not need).
 */
export function hintsRot13(f: FoldResult): boolean {
  return ((rot13Hints.get(f) ?? f.hints) & HINT_ROT13) !== 0;
}

class Folder {
  private readonly s: string;
  private readonly tab: Uint8Array = unitInfo();
  /** `s` lower-cased as a whole when that keeps its length ('' when not), for final sigma. */
  private lowerAll: string | null = null;
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
  /** Counters and hidden runs while folding; `finish` returns them with `text`, `offsets` and `hints`. */
  private readonly result: FoldResult;
  private readonly rot13: number;
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

  /** `rot13`: the `HINT_ROT13` bit; the base64 and hex hints are computed when first read. */
  constructor(s: string, rot13: number) {
    this.s = s;
    const cap = s.length + 16;
    this.buf = new Uint16Array(cap);
    this.off = new Int32Array(cap);
    this.rot13 = rot13;
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
      hints: rot13,
    };
  }

  run(): FoldResult {
    const s = this.s;
    const n = s.length;
    const tab = this.tab;
    let i = 0;
    while (i < n) {
      const c = s.charCodeAt(i);
      if (c < 0x80) {
        if (this.tagOpen || this.vsOpen) this.closeRuns();
        if (c === 0x20 || (c >= 0x09 && c <= 0x0d)) {
          this.space(i);
        } else {
          const next = s.charCodeAt(i + 1);
          if (next >= 0x300 && (tab[next] ?? 0) & INFO_ATTACH) {
            i = this.cluster(i, 1);
            continue;
          }
          this.flushSpace();
          if (c < 0x41 || c === 0x7c) this.leetSeen ||= isLeetChar(c);
          this.push(c >= 0x41 && c <= 0x5a ? c + 32 : c, i);
          this.lastEnd = i + 1;
        }
        i++;
      } else if (c >= 0xd800 && c <= 0xdfff) {
        i = this.astral(i);
      } else {
        const t = tab[c] ?? 0;
        if ((t & INFO_CLASS) !== CHAR_KEEP) {
          i = this.special(i, t & INFO_CLASS, c, 1);
          continue;
        }
        if (this.tagOpen || this.vsOpen) this.closeRuns();
        const next = s.charCodeAt(i + 1);
        if (t & INFO_ATTACH || (next >= 0x300 && (tab[next] ?? 0) & INFO_ATTACH)) {
          i = this.cluster(i, 1);
          continue;
        }
        const st = singleState(c);
        if (st === SINGLE_SAME) {
          this.emit(c, c === CAPITAL_SIGMA ? this.sigmaLower(i) : (singleLower[c] ?? c), i);
        } else if (st === SINGLE_MAPPED) {
          this.emit(singleOut[c] ?? c, singleLower[c] ?? c, i);
        } else {
          const norm = nfkcCodePoint(c);
          this.emitCluster(norm.out, norm.lower, i);
        }
        this.endAfter(i, i + 1);
        i++;
      }
    }
    this.closeRuns();
    return this.finish();
  }

  /** Sets `lastEnd` to `end` when the last emitted unit came from the character at `start`. */
  private endAfter(start: number, end: number): void {
    if (this.len > 0 && this.off[this.len - 1] === start) this.lastEnd = end;
  }

  /** Lower case of the capital sigma at `i` in context (final sigma), from the whole text. */
  private sigmaLower(i: number): number {
    if (this.lowerAll === null) {
      const lower = this.s.toLowerCase();
      this.lowerAll = lower.length === this.s.length ? lower : '';
    }
    return this.lowerAll === '' ? 0x3c3 : this.lowerAll.charCodeAt(i);
  }

  /** A surrogate: a supplementary code point (or a lone surrogate, kept as is). */
  private astral(i: number): number {
    const s = this.s;
    const cp = s.codePointAt(i) ?? 0;
    const w = cp > 0xffff ? 2 : 1;
    const cls = cp > 0xffff ? classifyNonAscii(cp) : CHAR_KEEP;
    if (cls !== CHAR_KEEP) return this.special(i, cls, cp, w);
    if (this.tagOpen || this.vsOpen) this.closeRuns();
    const next = s.charCodeAt(i + w);
    if (next >= 0x300 && (this.tab[next] ?? 0) & INFO_ATTACH) return this.cluster(i, w);
    const norm = nfkcCodePoint(cp);
    this.emitCluster(norm.out, norm.lower, i);
    this.endAfter(i, i + w);
    return i + w;
  }

  /** A character that is not kept as text: white space, invisible, bidi, tag or variation selector. */
  private special(i: number, cls: number, cp: number, w: number): number {
    const s = this.s;
    const r = this.result;
    switch (cls) {
      case CHAR_SPACE:
        if (this.tagOpen || this.vsOpen) this.closeRuns();
        this.space(i);
        break;
      case CHAR_INVISIBLE:
        r.invisibleChars++;
        r.removed += w;
        break;
      case CHAR_JOINER:
        if (isAsciiAlnum(s.charCodeAt(i - 1)) || isAsciiAlnum(s.charCodeAt(i + 1))) r.invisibleChars++;
        r.removed += w;
        break;
      case CHAR_BIDI:
        r.bidiControls++;
        r.removed += w;
        break;
      case CHAR_TAG:
        this.tag(cp, i);
        r.removed += w;
        break;
      case CHAR_VARIATION:
        this.variation(cp, i, w);
        r.removed += w;
        break;
    }
    return i + w;
  }

  /**
   * A base character (`w` units at `i`) followed by marks, or a mark with no base: normalized as one
   * cluster, all its units mapped to `i`. Marks past `MAX_MARKS` in a row are dropped (and counted
   * as invisible characters): a flood of them hides text and makes NFKC slow.
   */
  private cluster(i: number, w: number): number {
    const s = this.s;
    const n = s.length;
    const tab = this.tab;
    let e = i + w;
    let marks = 0;
    while (e < n && marks < MAX_MARKS) {
      const c = s.charCodeAt(e);
      if (c < 0x300 || !((tab[c] ?? 0) & INFO_ATTACH)) break;
      marks++;
      e++;
    }
    const kept = e;
    while (e < n) {
      const c = s.charCodeAt(e);
      if (c < 0x300 || !((tab[c] ?? 0) & INFO_ATTACH)) break;
      e++;
    }
    if (e > kept) {
      this.result.invisibleChars += e - kept;
      this.result.removed += e - kept;
    }
    const norm = nfkcCluster(s.slice(i, kept));
    this.emitCluster(norm.out, norm.lower, i);
    this.endAfter(i, e);
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
    const s = this.s;
    const rot13 = this.rot13;
    let hints = -1;
    // A fresh object: the getter would slow down the counters' updates while folding.
    const out: FoldResult = {
      text: unitsToString(this.buf, 0, this.len),
      offsets: this.off.slice(0, this.len + 1),
      invisibleChars: r.invisibleChars,
      bidiControls: r.bidiControls,
      tagChars: r.tagChars,
      homoglyphs: r.homoglyphs,
      leet: r.leet,
      removed: r.removed,
      hidden: r.hidden,
      get hints(): number {
        if (hints < 0) hints = rot13 | decoderHints(s);
        return hints;
      },
    };
    rot13Hints.set(out, rot13);
    return out;
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

function isWordUnit(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c >= 0x80;
}

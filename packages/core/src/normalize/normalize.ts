/**
 * The normalization layer: folds a text into the main view and decodes hidden channels and encoded
 * segments into further views, each with a map back to the original.
 */
import { decoderHints } from './ascii-fast-path.js';
import { findEncodedSegments } from './decoders.js';
import { fold, hintsRot13, strippedOf } from './fold.js';
import { type FoldResult, HINT_ALL, type HiddenRun } from './fold-result.js';
import { looksLikeRot13, rot13 } from './rot13.js';
import type { DecodeStats } from './segment.js';
import type { StrippedText } from './strip-format.js';
import type { NormalizationSignals, NormalizedContent, NormalizeOptions, TextView } from './types.js';

/** Default of `NormalizeOptions.maxDecodeDepth`. */
export const DEFAULT_MAX_DECODE_DEPTH = 2;
/** Default of `NormalizeOptions.maxDecodedViews`. */
export const DEFAULT_MAX_DECODED_VIEWS = 16;

interface Context {
  views: TextView[];
  signals: NormalizationSignals;
  /** Views that may still be added. */
  budget: number;
  maxDepth: number;
  /** Decoded texts already turned into views. */
  seen: Set<string>;
  stats: DecodeStats;
}

/**
 * Normalizes `content` for the rules.
 *
 * `views[0]` is the main `text` view: NFKC, invisible and bidi characters removed, homoglyphs and
 * leetspeak folded, lower-cased, white space collapsed, with `offsets` mapping every unit back to
 * `content`. Then come `hidden` views (Unicode tag characters, variation-selector bytes) whose
 * offsets point at the hiding characters, a `rot13` view of the whole text when its ROT13 reads as
 * English (offsets exact), and one view per encoded segment (base64, hex, URL, HTML entities;
 * nested up to `maxDecodeDepth`) whose offsets are spread over the outermost encoded segment and
 * whose `segment` is that segment. At most `maxDecodedViews` views besides the main one. Linear in
 * the input.
 */
export function normalize(content: string, options: NormalizeOptions = {}): NormalizedContent {
  const decode = options.decode !== false;
  const maxDepth = decode ? clampCount(options.maxDecodeDepth, DEFAULT_MAX_DECODE_DEPTH) : 0;
  const main = fold(content);
  const signals: NormalizationSignals = {
    invisibleChars: main.invisibleChars,
    bidiControls: main.bidiControls,
    tagChars: main.tagChars,
    homoglyphs: main.homoglyphs,
    leet: main.leet,
    decodedSegments: 0,
    truncatedDecodes: 0,
  };
  const ctx: Context = {
    // `offsets` through a getter: the fast path computes them only when a finding needs them.
    views: [
      {
        kind: 'text',
        text: main.text,
        depth: 0,
        get offsets(): Int32Array {
          return main.offsets;
        },
      },
    ],
    signals,
    budget: clampCount(options.maxDecodedViews, DEFAULT_MAX_DECODED_VIEWS),
    maxDepth,
    seen: new Set(),
    stats: { truncated: 0 },
  };
  addHiddenViews(ctx, main.hidden, 0, null);
  if (maxDepth >= 1 && ctx.budget > 0 && hintsRot13(main) && looksLikeRot13(main.text)) {
    const decoded = rot13(content);
    const f = fold(decoded);
    addView(ctx, {
      kind: 'rot13',
      text: f.text,
      decoded,
      depth: 1,
      get offsets(): Int32Array {
        return f.offsets;
      },
    });
    ctx.seen.add(decoded);
  }
  if (maxDepth >= 1 && ctx.budget > 0) {
    if (main.removed > 0) {
      const stripped = strippedOf(main, content);
      // Hints of the stripped text: runs broken by invisible characters are whole again.
      scan(ctx, stripped.text, 0, null, stripped, decoderHints(stripped.text));
    } else {
      scan(ctx, content, 0, null, null, main.hints);
    }
  }
  signals.truncatedDecodes = ctx.stats.truncated;
  return { original: content, views: ctx.views, signals };
}

function clampCount(value: number | undefined, fallback: number): number {
  if (value === undefined || Number.isNaN(value)) return fallback;
  return Math.max(0, Math.floor(value));
}

function addView(ctx: Context, view: TextView): void {
  ctx.views.push(view);
  ctx.budget--;
  if (view.kind !== 'hidden') ctx.signals.decodedSegments++;
}

/**
 * Offsets that spread the units of a `length`-unit decoded text over `[start, end)` of the original
 * in proportion: monotonic, the last entry is `end`, and a non-empty span of the text maps to a
 * non-empty part of the segment whenever the segment is at least as long as the text (encodings
 * are never shorter than what they encode).
 */
function spanOffsets(length: number, start: number, end: number): Int32Array {
  const offsets = new Int32Array(length + 1);
  const width = end - start;
  for (let i = 0; i < length; i++) offsets[i] = start + Math.floor((i * width) / length);
  offsets[length] = end;
  return offsets;
}

function addFoldSignals(ctx: Context, f: FoldResult): void {
  const s = ctx.signals;
  s.invisibleChars += f.invisibleChars;
  s.bidiControls += f.bidiControls;
  s.tagChars += f.tagChars;
  s.homoglyphs += f.homoglyphs;
  s.leet += f.leet;
}

/**
 * Adds a view per hidden run found in a text at `depth`. With `span` null the runs' own offsets are
 * in original coordinates (the main text); otherwise every unit maps to `span`.
 */
function addHiddenViews(
  ctx: Context,
  runs: HiddenRun[],
  depth: number,
  span: readonly [number, number] | null,
): void {
  for (const run of runs) {
    if (ctx.budget <= 0) return;
    const f = fold(run.decoded);
    const n = f.text.length;
    let offsets: Int32Array;
    let runSpan: readonly [number, number];
    if (span === null) {
      offsets = new Int32Array(n + 1);
      for (let i = 0; i <= n; i++) offsets[i] = run.offsets[f.offsets[i] ?? 0] ?? 0;
      runSpan = [run.offsets[0] ?? 0, run.offsets[run.decoded.length] ?? 0];
    } else {
      offsets = spanOffsets(n, span[0], span[1]);
      runSpan = span;
    }
    addView(ctx, {
      kind: 'hidden',
      text: f.text,
      offsets,
      decoded: run.decoded,
      depth: depth + 1,
      segment: { start: runSpan[0], end: runSpan[1] },
    });
    addFoldSignals(ctx, f);
    if (depth + 1 < ctx.maxDepth) scan(ctx, run.decoded, depth + 1, runSpan, null, HINT_ALL);
  }
}

/**
 * Decodes the encoded segments of `source` (a text at `depth`) into views at `depth + 1`, and
 * recurses into each decoded text. `span`: the original range everything in `source` maps to (null
 * for the original itself, whose positions go through `stripped.map` when characters were
 * stripped); `outer`: the outermost encoded segment (null for the original).
 */
function scan(
  ctx: Context,
  source: string,
  depth: number,
  span: readonly [number, number] | null,
  stripped: StrippedText | null,
  hints: number,
  outer: readonly [number, number] | null = null,
): void {
  if (depth >= ctx.maxDepth || ctx.budget <= 0) return;
  for (const seg of findEncodedSegments(source, ctx.budget, hints, ctx.stats)) {
    if (ctx.budget <= 0) return;
    const truncatedAt = seg.truncatedAt;
    // A truncated decoding is never deduplicated: another blob with the same prefix may differ later.
    if (truncatedAt === undefined) {
      if (ctx.seen.has(seg.decoded)) continue;
      ctx.seen.add(seg.decoded);
    }
    // `segSpan`: the whole encoded segment; `decSpan`: the part of it that was decoded.
    let segSpan: readonly [number, number];
    let decSpan: readonly [number, number];
    if (span !== null) {
      segSpan = outer ?? span;
      decSpan = span;
    } else {
      const decEnd = truncatedAt ?? seg.end;
      if (stripped !== null) {
        const map = stripped.map;
        segSpan = [map[seg.start] ?? 0, (map[seg.end - 1] ?? 0) + 1];
        decSpan = [segSpan[0], (map[decEnd - 1] ?? 0) + 1];
      } else {
        segSpan = [seg.start, seg.end];
        decSpan = [seg.start, decEnd];
      }
    }
    const f = fold(seg.decoded);
    const view: TextView = {
      kind: seg.kind,
      text: f.text,
      offsets: spanOffsets(f.text.length, decSpan[0], decSpan[1]),
      decoded: seg.decoded,
      depth: depth + 1,
      segment: { start: segSpan[0], end: segSpan[1] },
    };
    const decodeAll = seg.decodeAll;
    if (decodeAll !== undefined) {
      // Truncated: `text` folds the decoded prefix; `decoded` is the whole decoding, on demand.
      view.truncated = true;
      let all: string | undefined;
      Object.defineProperty(view, 'decoded', {
        enumerable: true,
        configurable: true,
        get(): string {
          all ??= decodeAll();
          return all;
        },
      });
    }
    addView(ctx, view);
    addFoldSignals(ctx, f);
    addHiddenViews(ctx, f.hidden, depth + 1, decSpan);
    if (depth + 2 <= ctx.maxDepth && ctx.budget > 0 && hintsRot13(f) && looksLikeRot13(f.text)) {
      const decoded = rot13(seg.decoded);
      if (!ctx.seen.has(decoded)) {
        ctx.seen.add(decoded);
        const r = fold(decoded);
        addView(ctx, {
          kind: 'rot13',
          text: r.text,
          offsets: spanOffsets(r.text.length, decSpan[0], decSpan[1]),
          decoded,
          depth: depth + 2,
          segment: { start: segSpan[0], end: segSpan[1] },
        });
      }
    }
    scan(ctx, seg.decoded, depth + 1, decSpan, null, f.hints, segSpan);
  }
}

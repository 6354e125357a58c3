import type { EvidenceView } from '../analyzer/types.js';

/** One text the rules are run on: the folded main text, or a decoded segment of it. */
export interface TextView {
  /** `text` for the main view; otherwise the decoding (or hidden channel) that produced it. */
  kind: EvidenceView;
  /**
   * What rules match against: NFKC, lower-cased, invisible and bidi controls removed,
   * homoglyphs and leetspeak folded, runs of whitespace collapsed to one space.
   */
  text: string;
  /**
   * `offsets[i]` is the offset in the original content of `text[i]`; `offsets[text.length]` is the
   * end. For decoded views every entry points into the encoded segment's span (spread over it in
   * proportion, so a match maps to a non-empty part of the segment near where it is encoded); use
   * `segment` when evidence should be the whole encoded segment.
   */
  offsets: Int32Array;
  /**
   * For decoded and hidden views: the encoded segment (or run of hiding characters) in the original
   * content, the outermost one for nested decodings.
   */
  segment?: { start: number; end: number };
  /**
   * For decoded views: the decoded text before folding (what a human reads). For a segment too
   * large to decode whole (`NormalizationSignals.truncatedDecodes`), `text` folds only the decoded
   * prefix and `offsets` spread over the part of the segment that encodes it, while `decoded` is
   * the whole decoding, computed on first read.
   */
  decoded?: string;
  /** How many decodings deep (0 for the main view). */
  depth: number;
  /** True for a decoded view of a segment too large to decode whole (only its prefix is in `text`). */
  truncated?: boolean;
}

/** Counts of what normalization removed or folded: signals of hiding in themselves. */
export interface NormalizationSignals {
  /** Zero-width and other invisible format characters removed. */
  invisibleChars: number;
  /** Bidirectional control characters removed (Trojan Source style). */
  bidiControls: number;
  /** Unicode tag characters (U+E0000–U+E007F, "ASCII smuggling") decoded into a `hidden` view. */
  tagChars: number;
  /** Characters folded from a confusable script (Cyrillic/Greek look-alikes…) to Latin. */
  homoglyphs: number;
  /** Characters folded from leetspeak inside words (`1gn0r3` → `ignore`). */
  leet: number;
  /** Encoded segments that were decoded into views. */
  decodedSegments: number;
  /**
   * Encoded segments too large to decode whole: only their first `MAX_DECODED_UNITS` (64 Ki) bytes
   * (code units for HTML entities) were decoded, folded into a view and scanned for nested
   * encodings; the rest of the payload was not looked at. Counts such segments whether or not their
   * prefix became a view (a prefix that is not valid UTF-8 counts as binary data, not as a
   * truncation). Non-zero means a megabyte-scale encoded blob whose tail the rules never saw.
   */
  truncatedDecodes: number;
}

export interface NormalizedContent {
  original: string;
  /** `views[0]` is always the main `text` view. */
  views: TextView[];
  signals: NormalizationSignals;
}

export interface NormalizeOptions {
  /** Decode encoded segments (base64, hex, URL, HTML entities, ROT13) and scan them too. @default true */
  decode?: boolean;
  /** How deep nested encodings are followed. @default 2 */
  maxDecodeDepth?: number;
  /** At most this many decoded views per text (bounds work on hostile input). @default 16 */
  maxDecodedViews?: number;
}

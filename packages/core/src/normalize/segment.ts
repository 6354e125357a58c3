/** An encoded segment a decoder found in a text. */
export interface EncodedSegment {
  kind: 'base64' | 'hex' | 'url' | 'html_entity';
  /** Start of the encoded segment in the scanned text. */
  start: number;
  /** End (exclusive) of the encoded segment in the scanned text. */
  end: number;
  /**
   * The decoded text. For a segment that decodes to more than `MAX_DECODED_UNITS` (see
   * `truncatedAt`) only its first `MAX_DECODED_UNITS` bytes (UTF-8) or code units (HTML entities),
   * cut at a character boundary.
   */
  decoded: string;
  /**
   * Only on a segment whose decoding was cut short: where in the scanned text the encoding of
   * `decoded` ends (`start < truncatedAt < end`).
   */
  truncatedAt?: number;
  /** Only on a segment whose decoding was cut short: decodes the whole segment (leniently). */
  decodeAll?: () => string;
}

/**
 * Encoded segments are decoded (and folded, and scanned for nested encodings) only up to this many
 * decoded bytes (UTF-8) or code units (HTML entities): a megabyte blob costs no more than this
 * much of it. Larger segments are marked (`EncodedSegment.truncatedAt`) and counted
 * (`NormalizationSignals.truncatedDecodes`), so their tail is never silently ignored.
 */
export const MAX_DECODED_UNITS = 65536;

/** What the finders report besides the segments. */
export interface DecodeStats {
  /**
   * Segments whose decoding was cut at `MAX_DECODED_UNITS`: those returned (with `truncatedAt`) and
   * those whose decoded prefix did not read as text but was not rejected as binary either (valid
   * UTF-8, or URL / HTML-entity encoding).
   */
  truncated: number;
}

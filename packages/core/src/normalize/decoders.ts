/** All encoded-segment finders, run together. */
import { findBase64Segments } from './base64.js';
import { HINT_ALL, HINT_BASE64, HINT_HEX } from './fold-result.js';
import { findHexSegments } from './hex.js';
import { findHtmlEntitySegments } from './html-entities.js';
import type { DecodeStats, EncodedSegment } from './segment.js';
import { findUrlEncodedSegments } from './url-encoding.js';

/**
 * Finds the base64, hex, URL-encoded and HTML-entity segments of `s` that decode to text, at most
 * `limit` of each kind, ordered by position. Each finder is a linear scan; nothing is decoded twice
 * by the same finder, and a segment is decoded only up to `MAX_DECODED_UNITS` (the rest on demand,
 * see `EncodedSegment.truncatedAt`). `hints` (from `fold`) lets finders that cannot match be
 * skipped; `stats.truncated` counts the segments whose decoding was cut short.
 */
export function findEncodedSegments(
  s: string,
  limit: number,
  hints: number = HINT_ALL,
  stats?: DecodeStats,
): EncodedSegment[] {
  const out: EncodedSegment[] = [];
  if (limit <= 0 || s.length === 0) return out;
  if (hints & HINT_BASE64) findBase64Segments(s, limit, out, stats);
  if (hints & HINT_HEX) findHexSegments(s, limit, out, stats);
  if (s.includes('%')) findUrlEncodedSegments(s, limit, out, stats);
  if (s.includes('&')) findHtmlEntitySegments(s, limit, out, stats);
  out.sort((a, b) => a.start - b.start || a.end - b.end);
  return out;
}

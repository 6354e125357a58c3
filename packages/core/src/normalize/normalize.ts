import type { NormalizedContent, NormalizeOptions } from './types.js';

/**
 * STAND-IN (to be replaced by the full normalizer): lower-cases and maps offsets 1:1.
 */
export function normalize(content: string, _options: NormalizeOptions = {}): NormalizedContent {
  const text = content.toLowerCase();
  const offsets = new Int32Array(text.length + 1);
  for (let i = 0; i <= text.length; i++) offsets[i] = i;
  return {
    original: content,
    views: [{ kind: 'text', text, offsets, depth: 0 }],
    signals: { invisibleChars: 0, bidiControls: 0, tagChars: 0, homoglyphs: 0, leet: 0, decodedSegments: 0 },
  };
}

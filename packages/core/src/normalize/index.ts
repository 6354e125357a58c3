export { findEncodedSegments } from './decoders.js';
export { fold } from './fold.js';
export type { FoldResult, HiddenRun } from './fold-result.js';
export { DEFAULT_MAX_DECODE_DEPTH, DEFAULT_MAX_DECODED_VIEWS, normalize } from './normalize.js';
export { looksLikeRot13, rot13 } from './rot13.js';
export type { EncodedSegment } from './segment.js';
export type { NormalizationSignals, NormalizedContent, NormalizeOptions, TextView } from './types.js';

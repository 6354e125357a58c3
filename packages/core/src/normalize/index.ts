export { normalize } from './normalize.js';
export type { NormalizationSignals, NormalizedContent, NormalizeOptions, TextView } from './types.js';

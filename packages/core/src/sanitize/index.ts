export { proposeSanitized, type SanitizeLimits, type SanitizeProposal } from './sanitizer.js';
export { sentenceSpans, type Span } from './sentences.js';

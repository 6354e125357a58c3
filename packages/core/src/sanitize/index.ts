export { proposeSanitized, type SanitizeLimits, type SanitizeProposal } from './sanitizer.js';
export { type Span, sentenceSpans } from './sentences.js';

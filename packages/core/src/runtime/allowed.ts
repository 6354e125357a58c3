import type { Decision } from '../analyzer/types.js';

/** The decisions that let a text (or its safe rewrite) through. */
export const ALLOWED_DECISIONS: ReadonlySet<Decision> = new Set<Decision>(['allow', 'sanitize']);

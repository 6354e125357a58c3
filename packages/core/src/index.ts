export * from './analyzer/index.js';
export * from './errors/index.js';
export * from './layers/index.js';
export * from './learned/index.js';
export * from './normalize/index.js';
export * from './policy/index.js';
export * from './rules/index.js';
export * from './sanitize/index.js';

export * from './analyzer/index.js';
export * from './errors/index.js';
export * from './normalize/index.js';
export * from './rules/index.js';

/**
 * `@memgar/core/node`: the Node-bound parts (files, SQLite, servers). The main entry imports no
 * `node:` modules; everything that does lives behind this one.
 */

export * from './feed/node.js';
export * from './observability/node/index.js';
export * from './siem/node/index.js';
export * from './store/index.js';
export * from './vault/index.js';

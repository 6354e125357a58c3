export * from './adapter-kit/index.js';

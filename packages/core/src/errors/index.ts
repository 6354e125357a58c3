export { InvalidInputError } from './invalid-input-error.js';
export { InvalidOptionError } from './invalid-option-error.js';
export { InvalidPatternError } from './invalid-pattern-error.js';
export { LayerFailedError } from './layer-failed-error.js';
export { MemgarError, type MemgarErrorCode, type MemgarErrorOptions } from './memgar-error.js';

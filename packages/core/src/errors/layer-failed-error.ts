import { hasCode, MemgarError, type MemgarErrorOptions } from './memgar-error.js';

/** An optional layer (judge, embedder) failed or timed out. Analysis goes on and marks it degraded. */
export class LayerFailedError extends MemgarError {
  readonly layer: string;

  constructor(layer: string, message: string, options: MemgarErrorOptions = {}) {
    super('LAYER_FAILED', message, options);
    this.name = 'LayerFailedError';
    this.layer = layer;
  }

  static override isInstance(value: unknown): value is LayerFailedError {
    return hasCode(value, 'LAYER_FAILED');
  }
}

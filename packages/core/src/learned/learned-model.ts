import { decodeBase64 } from './base64.js';
import { LinearModel } from './linear-model.js';
import { LEARNED_META, LEARNED_WEIGHTS_BASE64 } from './weights.js';

let shipped: LearnedModel | undefined;

/**
 * The shipped classifier of the learned layer (layer 2): a logistic regression over hashed word
 * and character n-grams of the folded text, trained by `calibration/train/train.mjs`.
 */
export class LearnedModel extends LinearModel {
  /** The shipped model; the weights are decoded on the first call and cached. */
  static load(): LearnedModel {
    if (shipped === undefined) {
      const bytes = decodeBase64(LEARNED_WEIGHTS_BASE64);
      shipped = new LearnedModel(new Int8Array(bytes.buffer, bytes.byteOffset, bytes.length), LEARNED_META);
    }
    return shipped;
  }
}

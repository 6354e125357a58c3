import { LayerFailedError } from '../errors/index.js';
import { FEATURE_VERSION, FeatureHasher } from './features.js';

/** One row of the reliability table (test split of the training files). */
export interface ReliabilityBin {
  /** Lower edge of the calibrated-probability bin (bins are [lo, lo + 0.1)). */
  lo: number;
  count: number;
  meanPredicted: number;
  observedAttackRate: number;
}

/** One data file the model was trained on. */
export interface TrainingFile {
  file: string;
  licence: string;
  trainRows: number;
  testRows: number;
}

/** What ships next to the quantized weights. */
export interface LearnedModelMeta {
  /** Model version, e.g. `ml-1+mg-hash-1`. */
  version: string;
  /** `FEATURE_VERSION` of the features the weights were trained on. */
  featureVersion: string;
  /** The weights cover `2^bucketsLog2` hash buckets. */
  bucketsLog2: number;
  /** Weight of bucket i = int8 byte i × `weightScale`. */
  weightScale: number;
  bias: number;
  /** Platt scaling of the raw margin z: p = 1 / (1 + exp(-(a·z + b))). `a` > 0. */
  calibration: { a: number; b: number };
  /** The threshold on p recommended for a finding. */
  threshold: number;
  trainedAt: string;
  files: readonly TrainingFile[];
  reliability: readonly ReliabilityBin[];
}

const hashers = new Map<number, FeatureHasher>();

/** The hasher for this bucket count, shared by all models (scoring is synchronous). */
function hasherFor(bucketsLog2: number): FeatureHasher {
  let h = hashers.get(bucketsLog2);
  if (h === undefined) {
    h = new FeatureHasher(bucketsLog2);
    hashers.set(bucketsLog2, h);
  }
  return h;
}

/** A calibrated linear model over the hashed features of `features.ts`. */
export class LinearModel {
  readonly version: string;
  readonly meta: Readonly<LearnedModelMeta>;
  private readonly weights: Int8Array;
  private readonly hasher: FeatureHasher;

  /** `weights`: one int8 per bucket (`2^meta.bucketsLog2`). */
  constructor(weights: Int8Array, meta: Readonly<LearnedModelMeta>) {
    if (meta.featureVersion !== FEATURE_VERSION) {
      throw new LayerFailedError(
        'learned',
        `learned model: features ${meta.featureVersion}, runtime ${FEATURE_VERSION}`,
      );
    }
    if (weights.length !== 1 << meta.bucketsLog2) {
      throw new LayerFailedError(
        'learned',
        `learned model: ${weights.length} weights for 2^${meta.bucketsLog2} buckets`,
      );
    }
    if (!(meta.calibration.a > 0))
      throw new LayerFailedError('learned', 'learned model: calibration slope must be positive');
    this.version = meta.version;
    this.meta = meta;
    this.weights = weights;
    this.hasher = hasherFor(meta.bucketsLog2);
  }

  /** The uncalibrated margin (log-odds before Platt scaling) of an already-folded text. */
  raw(text: string): number {
    this.hasher.extract(text, this.weights);
    return this.meta.bias + this.meta.weightScale * this.hasher.dot();
  }

  /** Maps a raw margin to a probability (monotonic increasing). */
  calibrate(raw: number): number {
    const { a, b } = this.meta.calibration;
    return 1 / (1 + Math.exp(-(a * raw + b)));
  }

  /** Calibrated probability (0..1) that an already-folded text is an attack. */
  score(text: string): number {
    return this.calibrate(this.raw(text));
  }

  /**
   * The highest probability over several views of one content (`normalize(content).views`: the
   * folded text and its decoded segments): an attack hidden in base64 shows in its decoded view.
   */
  scoreViews(views: readonly { readonly text: string }[]): number {
    let best = Number.NEGATIVE_INFINITY;
    for (const v of views) {
      const r = this.raw(v.text);
      if (r > best) best = r;
    }
    return views.length === 0 ? 0 : this.calibrate(best);
  }
}

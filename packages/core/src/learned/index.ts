export { decodeBase64 } from './base64.js';
export {
  DEFAULT_BUCKETS_LOG2,
  FEATURE_VERSION,
  FeatureHasher,
  fmix32,
  HEAD_CHARS,
  hashFeatures,
  type SparseFeatures,
  TAIL_CHARS,
} from './features.js';
export { LearnedModel } from './learned-model.js';
export {
  type LearnedModelMeta,
  LinearModel,
  type ReliabilityBin,
  type TrainingFile,
} from './linear-model.js';

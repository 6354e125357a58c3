export { ibanValid, luhnValid, shannonEntropy, ssnValid } from './checksums.js';
export { type DetectSensitiveDataOptions, detectSensitiveData } from './detect.js';
export { type DlpAction, DlpPolicy, type DlpPolicyOptions, type DlpResult } from './dlp-policy.js';
export { type RedactOptions, type RedactStyle, redact } from './redact.js';
export {
  DLP_TYPES,
  type DlpFinding,
  type DlpType,
  PII_TYPES,
  type PiiType,
  SECRET_TYPES,
  type SecretType,
} from './types.js';

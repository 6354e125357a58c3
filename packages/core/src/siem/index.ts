export {
  type AuditLog,
  type AuditLogOptions,
  type AuditRecord,
  type AuditRecordFinding,
  type AuditRedaction,
  createAuditLog,
  redactAuditRecord,
} from './audit-log.js';
export { backoffDelay, type RetryOptions } from './backoff.js';
export {
  BatchingHandler,
  type BatchingHandlerOptions,
  type BatchingOptions,
  createBatchingHandler,
  type DeliveryReport,
} from './batching-handler.js';
export { type ConsoleHandlerOptions, createConsoleHandler } from './console-handler.js';
export type { FetchLike } from './http-post.js';
export {
  analysisToOcsf,
  auditEventToOcsf,
  OCSF_DETECTION_FINDING_CLASS_UID,
  OCSF_FINDINGS_CATEGORY_UID,
  OCSF_VERSION,
  type OcsfAnalytic,
  type OcsfAttack,
  type OcsfDetectionFinding,
  type OcsfObservable,
  type OcsfOptions,
  type OcsfSeverityId,
  type OcsfUnmapped,
  toOcsfAttack,
} from './ocsf.js';
export { SiemDeliveryError, type SiemDeliveryErrorOptions } from './siem-delivery-error.js';
export {
  DEFAULT_SIEM_DECISIONS,
  SiemEventEmitter,
  type SiemEventEmitterOptions,
} from './siem-event-emitter.js';
export type { SiemHandler, SiemHandlerStats } from './siem-handler.js';
export { createSplunkHecHandler, type SplunkHecHandlerOptions } from './splunk-hec-handler.js';
export {
  formatSyslog,
  frameOctetCounting,
  type SyslogFormatOptions,
  type SyslogSummary,
  summarizeForSyslog,
} from './syslog-format.js';
export { createWebhookHandler, hmacSha256Hex, type WebhookHandlerOptions } from './webhook-handler.js';

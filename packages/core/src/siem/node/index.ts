export { createFileHandler, type FileHandlerOptions } from './file-handler.js';
export {
  createKafkaHandler,
  type KafkaHandlerOptions,
  type KafkaMessageLike,
  type KafkaProducerLike,
} from './kafka-handler.js';
export { createSyslogHandler, type SyslogHandlerOptions } from './syslog-handler.js';

export { type MetricsServer, type MetricsServerOptions, startMetricsServer } from './metrics-server.js';

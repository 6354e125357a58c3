import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HealthReport } from '../../analyzer/types.js';
import { InvalidOptionError } from '../../errors/index.js';
import { checkOptions } from '../env.js';
import { loadPromClient } from '../prom-client-loader.js';
import type { PrometheusRegistry } from '../prometheus-metrics.js';

/** Options of `startMetricsServer`. */
export interface MetricsServerOptions {
  /** TCP port, 0–65535; 0 picks a free port (read it from the returned `port`). */
  port: number;
  /** Interface to listen on. Loopback by default: expose it deliberately. @default '127.0.0.1' */
  host?: string;
  /** Whose `healthCheck()` `/health` reports (anything with that method). @default undefined (`/health` says `{"status":"ok"}`) */
  analyzer?: { healthCheck(): HealthReport };
  /** The registry `/metrics` exposes, e.g. `enableMetrics()`'s `handle.registry`. @default prom-client's default registry */
  registry?: PrometheusRegistry;
}

/** A running metrics server. */
export interface MetricsServer {
  /** The port it listens on (the chosen one when `port` was 0). */
  readonly port: number;
  /** `http://host:port`. */
  readonly url: string;
  /** Stops listening and drops open connections; idempotent. */
  close(): Promise<void>;
}

const KNOWN_OPTIONS = new Set(['port', 'host', 'analyzer', 'registry']);

/**
 * Starts an HTTP server (`node:http`) with two routes, both `GET` or `HEAD`:
 * - `/metrics`: the registry in Prometheus text format (500 when collecting fails);
 * - `/health`: `analyzer.healthCheck()` as JSON, 200 when `ok`, 503 when `degraded` (or when
 *   the health check throws).
 * Anything else is 404 (405 for other methods). Rejects with `InvalidOptionError` for bad options
 * or an address that cannot be bound, `LayerFailedError` when no registry is given and
 * prom-client is missing.
 */
export async function startMetricsServer(options: MetricsServerOptions): Promise<MetricsServer> {
  checkOptions(options, KNOWN_OPTIONS, 'startMetricsServer');
  const { port, host = '127.0.0.1', analyzer } = options ?? ({} as MetricsServerOptions);
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new InvalidOptionError('port', `port: must be an integer from 0 to 65535, got ${String(port)}`);
  }
  if (typeof host !== 'string' || host === '')
    throw new InvalidOptionError('host', 'host: must be a non-empty string');
  if (analyzer !== undefined && typeof analyzer?.healthCheck !== 'function') {
    throw new InvalidOptionError('analyzer', 'analyzer: must have a healthCheck() method');
  }
  let registry = options.registry;
  if (
    registry !== undefined &&
    (typeof registry?.metrics !== 'function' || typeof registry.contentType !== 'string')
  ) {
    throw new InvalidOptionError('registry', 'registry: must be a prom-client Registry');
  }
  registry ??= (await loadPromClient()).register;
  const reg = registry;

  const server = createServer((req, res) => {
    handle(req, res, reg, analyzer).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  await listen(server, port, host);
  const address = server.address() as AddressInfo;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  let closing: Promise<void> | undefined;
  return {
    port: address.port,
    url: `http://${shownHost}:${address.port}`,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      reject(
        new InvalidOptionError(
          error.code === 'EADDRINUSE' ? 'port' : 'host',
          `cannot listen on ${host}:${port}: ${error.code ?? error.message}`,
          { cause: error },
        ),
      );
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  registry: PrometheusRegistry,
  analyzer: { healthCheck(): HealthReport } | undefined,
): Promise<void> {
  const path = (req.url ?? '/').split('?')[0];
  if (path !== '/metrics' && path !== '/health') {
    send(res, req, 404, 'text/plain; charset=utf-8', 'not found\n');
    return;
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', 'GET, HEAD');
    send(res, req, 405, 'text/plain; charset=utf-8', 'method not allowed\n');
    return;
  }
  if (path === '/metrics') {
    let body: string;
    try {
      body = await registry.metrics();
    } catch {
      send(res, req, 500, 'text/plain; charset=utf-8', 'collecting metrics failed\n');
      return;
    }
    send(res, req, 200, registry.contentType, body);
    return;
  }
  let report: HealthReport | { status: 'ok' | 'degraded'; error?: string };
  try {
    report = analyzer === undefined ? { status: 'ok' } : analyzer.healthCheck();
  } catch (error) {
    report = { status: 'degraded', error: error instanceof Error ? error.message : String(error) };
  }
  const status = report?.status === 'ok' ? 200 : 503;
  send(res, req, status, 'application/json; charset=utf-8', `${JSON.stringify(report)}\n`);
}

function send(res: ServerResponse, req: IncomingMessage, status: number, type: string, body: string): void {
  res.writeHead(status, {
    'Content-Type': type,
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}

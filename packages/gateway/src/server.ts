import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import { InvalidOptionError } from '@memgar/core';
import { createGatewayApp, directHandler, type GatewayApp } from './app.js';
import type { GatewayOptions } from './options.js';

export interface StartGatewayOptions extends GatewayOptions {
  /** 0–65535; 0 picks a free port (read it from the handle). */
  port: number;
  /** Interface to bind. @default '127.0.0.1' */
  host?: string;
}

/** A listening gateway. */
export interface GatewayHandle extends GatewayApp {
  readonly port: number;
  /** `http://host:port`. */
  readonly url: string;
  /** Stops listening, drops open connections and closes the upstream pool (idempotent). */
  close(): Promise<void>;
}

/**
 * Starts the gateway on Node's HTTP server. Rejects with `InvalidOptionError` when the port cannot
 * be bound. Requests for the model routes take the direct path (Node's request and response, no
 * Web objects); the rest goes through `app.fetch` under @hono/node-server.
 */
export function startGateway(options: StartGatewayOptions): Promise<GatewayHandle> {
  return listen(options, { direct: true });
}

/** How `listen` serves requests (tests run both ways and compare). */
export interface ListenMode {
  /** Take the direct path where it applies; false: every request through `app.fetch`. */
  direct: boolean;
  /** Told which way each request went. */
  observe?: (way: 'direct' | 'fetch', url: string) => void;
}

/** `startGateway` with the direct path on or off (not exported by the package). */
export async function listen(options: StartGatewayOptions, mode: ListenMode): Promise<GatewayHandle> {
  const { port, host = '127.0.0.1', ...rest } = options;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new InvalidOptionError('port', `port must be an integer from 0 to 65535, got ${String(port)}`);
  }
  const app = createGatewayApp(rest);
  const viaFetch = getRequestListener(app.fetch, { hostname: host });
  const direct = mode.direct ? directHandler(app) : undefined;
  const observe = mode.observe;
  const server = createServer((req, res) => {
    const took = direct?.(req, res) === true;
    observe?.(took ? 'direct' : 'fetch', req.url ?? '');
    if (!took) void viaFetch(req, res);
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('listening', resolve);
      server.once('error', reject);
      server.listen(port, host);
    });
  } catch (error) {
    await app.close();
    throw new InvalidOptionError('port', `cannot listen on ${host}:${port}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const bound = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  return {
    ...app,
    port: bound,
    url: `http://${host.includes(':') ? `[${host}]` : host}:${bound}`,
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        (server as { closeAllConnections?: () => void }).closeAllConnections?.();
      }).then(() => app.close());
      return closing;
    },
  };
}

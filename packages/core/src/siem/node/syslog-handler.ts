import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { connect, isIPv6, type Socket } from 'node:net';
import { hostname } from 'node:os';
import { InvalidOptionError } from '../../errors/index.js';
import { BATCHING_KEYS, BatchingHandler, type BatchingOptions, pickBatching } from '../batching-handler.js';
import { checkInt, checkString, errorMessage } from '../check-options.js';
import { SiemDeliveryError } from '../siem-delivery-error.js';
import type { SiemHandler } from '../siem-handler.js';
import {
  checkSyslogFormat,
  formatSyslog,
  frameOctetCounting,
  type SyslogFormatOptions,
} from '../syslog-format.js';

export interface SyslogHandlerOptions extends BatchingOptions, SyslogFormatOptions {
  /** The collector's address. @default '127.0.0.1' */
  host?: string;
  /** The collector's port. @default 514 */
  port?: number;
  /** UDP (RFC 5426: one message per datagram) or TCP (RFC 6587 octet counting). @default 'udp' */
  protocol?: 'udp' | 'tcp';
  /** UDP only: a message larger than this (UTF-8 bytes) is not sent and counts as failed. @default 8192 */
  maxMessageBytes?: number;
  /** TCP only: give up connecting after this many ms (then retried). @default 5000 */
  connectTimeoutMs?: number;
}

const KEYS = ['host', 'port', 'protocol', 'maxMessageBytes', 'connectTimeoutMs', ...BATCHING_KEYS];

/**
 * RFC 5424 syslog over UDP or TCP. Each event is one message (see `formatSyslog`); over TCP the
 * batch is written as octet-counted frames (`LEN SP MSG`) on one kept-alive connection that is
 * re-opened after an error. Sockets are `unref`'d and never keep the process alive.
 */
export function createSyslogHandler<T extends object = object>(
  options: SyslogHandlerOptions = {},
): SiemHandler<T> {
  checkSyslogFormat(options, KEYS);
  checkInt('port', options.port, 1);
  checkInt('maxMessageBytes', options.maxMessageBytes, 1);
  checkInt('connectTimeoutMs', options.connectTimeoutMs, 1);
  if (options.host !== undefined) checkString('host', options.host);
  const protocol = options.protocol ?? 'udp';
  if (protocol !== 'udp' && protocol !== 'tcp') {
    throw new InvalidOptionError('protocol', `protocol: must be 'udp' or 'tcp', got ${String(protocol)}`);
  }
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 514;
  const format: SyslogFormatOptions = {
    facility: options.facility ?? 10,
    hostname: options.hostname ?? hostname(),
    appName: options.appName ?? 'memgar',
    procId: options.procId ?? String(process.pid),
    sdId: options.sdId ?? 'memgar@32473',
    bom: options.bom ?? false,
  };
  const transport =
    protocol === 'udp'
      ? udpTransport(host, port, options.maxMessageBytes ?? 8192)
      : tcpTransport(host, port, options.connectTimeoutMs ?? 5000);
  return new BatchingHandler<T>({
    ...pickBatching(options),
    name: `syslog-${protocol}`,
    deliver: (batch) => transport.deliver(batch.map((e) => formatSyslog(e, format))),
    dispose: () => transport.dispose(),
  });
}

interface Transport {
  deliver(messages: string[]): Promise<undefined | { failed: number; error?: unknown }>;
  dispose(): void;
}

function udpTransport(host: string, port: number, maxBytes: number): Transport {
  let socket: UdpSocket | undefined;
  const open = (): UdpSocket => {
    if (!socket) {
      const s = createSocket(isIPv6(host) ? 'udp6' : 'udp4');
      s.on('error', () => {
        s.close();
        if (socket === s) socket = undefined;
      });
      s.unref();
      socket = s;
    }
    return socket;
  };
  return {
    async deliver(messages) {
      let failed = 0;
      let lastError: unknown;
      for (const m of messages) {
        const buf = Buffer.from(m, 'utf8');
        if (buf.length > maxBytes) {
          failed++;
          lastError = new SiemDeliveryError(
            `syslog-udp: message of ${buf.length} bytes exceeds maxMessageBytes ${maxBytes}`,
            {
              retryable: false,
            },
          );
          continue;
        }
        const s = open();
        await new Promise<void>((resolve, reject) => {
          s.send(buf, port, host, (err) =>
            err ? reject(new SiemDeliveryError(`syslog-udp: ${err.message}`, { cause: err })) : resolve(),
          );
        });
      }
      return failed > 0 ? { failed, error: lastError } : undefined;
    },
    dispose() {
      socket?.close();
      socket = undefined;
    },
  };
}

function tcpTransport(host: string, port: number, connectTimeoutMs: number): Transport {
  let socket: Socket | undefined;
  let connecting: Promise<Socket> | undefined;
  const drop = (s: Socket): void => {
    s.destroy();
    if (socket === s) socket = undefined;
  };
  const open = (): Promise<Socket> => {
    if (socket && !socket.destroyed && socket.writable) return Promise.resolve(socket);
    connecting ??= new Promise<Socket>((resolve, reject) => {
      const s = connect({ host, port });
      const timer = setTimeout(() => {
        drop(s);
        reject(new SiemDeliveryError(`syslog-tcp: connect to ${host}:${port} timed out`));
      }, connectTimeoutMs);
      timer.unref();
      s.once('connect', () => {
        clearTimeout(timer);
        s.unref();
        s.setKeepAlive(true);
        socket = s;
        resolve(s);
      });
      s.on('error', (err) => {
        clearTimeout(timer);
        drop(s);
        reject(new SiemDeliveryError(`syslog-tcp: ${err.message}`, { cause: err }));
      });
      s.on('close', () => {
        if (socket === s) socket = undefined;
      });
    }).finally(() => {
      connecting = undefined;
    });
    return connecting;
  };
  return {
    async deliver(messages) {
      const s = await open();
      const payload = messages.map(frameOctetCounting).join('');
      await new Promise<void>((resolve, reject) => {
        s.write(payload, 'utf8', (err) => {
          if (err) {
            drop(s);
            reject(new SiemDeliveryError(`syslog-tcp: write failed: ${errorMessage(err)}`, { cause: err }));
          } else resolve();
        });
      });
      return undefined;
    },
    dispose() {
      if (socket) {
        socket.end();
        socket = undefined;
      }
    },
  };
}

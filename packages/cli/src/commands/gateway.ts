import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { loadGatewayConfig, startGateway } from '@memgar/gateway';
import { errnoCode, UsageError } from '../errors.js';
import { EXIT } from '../exit-codes.js';
import type { CliIO } from '../io.js';

/** Flags of `memgar gateway`. */
export interface GatewayFlags {
  config: string;
  port?: string;
  host?: string;
  quiet?: boolean;
}

/**
 * `memgar gateway --config gateway.yaml`: runs the enforcing gateway until SIGINT or SIGTERM, with
 * one JSON line per request on stderr (no keys, no content). Loaded lazily, so other commands never
 * load the HTTP stack.
 */
export async function gatewayCommand(flags: GatewayFlags, io: CliIO): Promise<number> {
  let text: string;
  try {
    text = await readFile(resolve(io.cwd, flags.config), 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read config '${flags.config}' (${errnoCode(error) ?? String(error)})`);
  }
  const options = loadGatewayConfig(text, io.env);
  if (flags.port !== undefined) {
    const port = Number(flags.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError('--port must be 0–65535');
    options.port = port;
  }
  if (flags.host !== undefined) options.host = flags.host;
  const gateway = await startGateway({
    ...options,
    ...(flags.quiet ? {} : { log: (entry) => void io.stderr.write(`${JSON.stringify(entry)}\n`) }),
  });
  io.stderr.write(`memgar gateway listening on ${gateway.url}\n`);
  await new Promise<void>((done) => {
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
  await gateway.close();
  io.stderr.write('memgar gateway stopped\n');
  return EXIT.OK;
}

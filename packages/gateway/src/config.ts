import { InvalidOptionError } from '@memgar/core';
import { parse } from 'yaml';
import type { StartGatewayOptions } from './server.js';

/** Options a YAML file can hold: everything serializable of `startGateway`'s options. */
export type GatewayFileOptions = Omit<
  StartGatewayOptions,
  | 'enforcer'
  | 'audit'
  | 'reviewQueue'
  | 'rateLimitStore'
  | 'lookup'
  | 'onDecision'
  | 'log'
  | 'metricsRegistry'
>;

const FILE_KEYS = new Set([
  'port',
  'host',
  'upstreamBaseUrl',
  'anthropicBaseUrl',
  'allowedUpstreamHosts',
  'allowPrivateUpstreams',
  'keys',
  'adminToken',
  'allowedPaths',
  'profile',
  'failClose',
  'scan',
  'sourceTypes',
  'canaries',
  'dlp',
  'holdBack',
  'limits',
]);

/** Replaces `${NAME}` in every string with `env.NAME` (a missing variable is an error, never an empty key). */
function substitute(
  value: unknown,
  env: Readonly<Record<string, string | undefined>>,
  path: string,
): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_m, name: string) => {
      const v = env[name];
      if (v === undefined || v === '') {
        throw new InvalidOptionError(path, `${path}: environment variable ${name} is not set`);
      }
      return v;
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => substitute(v, env, `${path}[${i}]`));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, substitute(v, env, path ? `${path}.${k}` : k)]),
    );
  }
  return value;
}

/**
 * Reads a gateway configuration from YAML text (`memgar gateway --config gateway.yaml`): the
 * options of `startGateway` (serializable ones), with `${VAR}` taken from `env` so that keys stay
 * out of the file. Throws `InvalidOptionError` for YAML errors, unknown keys and missing variables;
 * the values themselves are checked by `startGateway`.
 */
export function loadGatewayConfig(
  text: string,
  env: Readonly<Record<string, string | undefined>> = process.env,
): GatewayFileOptions {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (error) {
    throw new InvalidOptionError(
      'config',
      `the gateway configuration is not valid YAML: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw new InvalidOptionError('config', 'the gateway configuration must be a YAML mapping');
  }
  for (const k of Object.keys(doc)) {
    if (!FILE_KEYS.has(k)) throw new InvalidOptionError(k, `${k}: unknown key in the gateway configuration`);
  }
  const out = substitute(doc, env, '') as GatewayFileOptions;
  return { ...out, port: out.port ?? 8787 };
}

import type * as PromClient from 'prom-client';
import { LayerFailedError } from '../errors/index.js';

/** @internal The parts of prom-client memgar uses. */
export type PromClientModule = Pick<
  typeof PromClient,
  'Counter' | 'Gauge' | 'Histogram' | 'Registry' | 'register'
>;

type Loader = () => Promise<unknown>;
const defaultLoader: Loader = () => import('prom-client');

let cached: Promise<PromClientModule> | undefined;

/**
 * @internal Loads prom-client (an optional peer dependency) on first use and caches it. A missing
 * module becomes a `LayerFailedError` (layer `metrics`) saying what to install. Pass `loader` to
 * load from elsewhere (tests); it bypasses the cache.
 */
export function loadPromClient(loader?: Loader): Promise<PromClientModule> {
  if (loader === undefined && cached !== undefined) return cached;
  const p = load(loader ?? defaultLoader);
  if (loader === undefined) {
    cached = p;
    p.catch(() => {
      // Retry on the next call: the package may have been installed since.
      if (cached === p) cached = undefined;
    });
  }
  return p;
}

async function load(loader: Loader): Promise<PromClientModule> {
  let mod: unknown;
  try {
    mod = await loader();
  } catch (cause) {
    throw new LayerFailedError(
      'metrics',
      'Prometheus metrics need prom-client, an optional peer dependency of @memgar/core: install it (npm install prom-client@^15)',
      { cause },
    );
  }
  const m = mod as Partial<PromClientModule> & { default?: Partial<PromClientModule> };
  const api = typeof m.Counter === 'function' ? m : m.default;
  if (
    api === undefined ||
    typeof api.Counter !== 'function' ||
    typeof api.Gauge !== 'function' ||
    typeof api.Histogram !== 'function' ||
    typeof api.Registry !== 'function' ||
    api.register === undefined
  ) {
    throw new LayerFailedError(
      'metrics',
      'the loaded prom-client has no Counter/Gauge/Histogram/Registry: install prom-client@^15',
    );
  }
  return api as PromClientModule;
}

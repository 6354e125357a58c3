import './prom-client.test-support.js';
import { describe, expect, it, vi } from 'vitest';
import { LayerFailedError } from '../errors/index.js';
import { loadPromClient } from './prom-client-loader.js';

describe('loadPromClient', () => {
  it('loads prom-client lazily and caches it', async () => {
    const a = await loadPromClient();
    expect(typeof a.Counter).toBe('function');
    expect(await loadPromClient()).toBe(a);
  });

  it('turns a missing prom-client into a LayerFailedError saying what to install', async () => {
    const missing = Object.assign(new Error("Cannot find package 'prom-client'"), {
      code: 'ERR_MODULE_NOT_FOUND',
    });
    const error = await loadPromClient(() => Promise.reject(missing)).catch((e: unknown) => e);
    expect(LayerFailedError.isInstance(error)).toBe(true);
    expect((error as LayerFailedError).layer).toBe('metrics');
    expect((error as LayerFailedError).message).toContain('npm install prom-client');
    expect((error as LayerFailedError).cause).toBe(missing);
  });

  it('rejects a module that is not prom-client', async () => {
    await expect(loadPromClient(async () => ({ default: {} }))).rejects.toSatisfy(
      LayerFailedError.isInstance,
    );
  });

  it('accepts the CommonJS shape (everything on default)', async () => {
    const real = await loadPromClient();
    expect(await loadPromClient(async () => ({ default: real }))).toBe(real);
  });

  it('makes enableMetrics and startMetricsServer reject with it when prom-client is not installed', async () => {
    vi.resetModules();
    vi.doMock('prom-client', () => {
      throw new Error("Cannot find package 'prom-client'");
    });
    try {
      const { enableMetrics } = await import('./prometheus-metrics.js');
      const { startMetricsServer } = await import('./node/metrics-server.js');
      await expect(enableMetrics()).rejects.toSatisfy(LayerFailedError.isInstance);
      await expect(startMetricsServer({ port: 0 })).rejects.toSatisfy(LayerFailedError.isInstance);
    } finally {
      vi.doUnmock('prom-client');
      vi.resetModules();
    }
  });
});

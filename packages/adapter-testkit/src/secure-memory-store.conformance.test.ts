// The kit's own check: SecureMemoryStore (what every adapter builds on) passes the suite.
import {
  Analyzer,
  InMemoryAuditSink,
  type MemoryBackendEntry,
  SecureMemoryStore,
  toMemoryBackend,
} from '@memgar/core';
import { describeGuardedStoreConformance } from './index.js';

const analyzer = new Analyzer();

function subject(backend: MemoryBackendEntry[], failing = false) {
  const audit = new InMemoryAuditSink();
  const target = failing
    ? {
        async write() {
          throw new Error('backend down');
        },
      }
    : backend;
  const store = new SecureMemoryStore({ backend: target, analyzer, audit });
  return {
    write: (text: string, o: { sourceType?: 'memory' | 'rag' | 'tool' | 'web' } = {}) =>
      store.write(text, { sourceType: o.sourceType ?? 'memory' }),
    storedTexts: async () => backend.map((e) => e.content),
    decisions: () => audit.events().map((e) => e.decision),
    retrieve: async (query: string, texts: readonly string[]) => {
      const raw = toMemoryBackend(backend);
      for (const [i, t] of texts.entries()) await raw.write({ id: `raw-${i}`, content: t });
      const v = await store.guardRetrieval(
        backend.map((e) => ({ id: e.id, content: e.content, sourceType: 'rag' as const })),
        { query },
      );
      return v.chunks.map((c) => c.safeContent ?? '');
    },
  };
}

describeGuardedStoreConformance('SecureMemoryStore', {
  create: () => subject([]),
  createFailing: () => subject([], true),
});

import { describe, expectTypeOf, it } from 'vitest';
import type { SourceType } from '../analyzer/types.js';
import type { AdapterGuardOptions, guardRecords, RetrievalGuardOptions } from './index.js';

describe('RetrievalGuardOptions', () => {
  it('is the guard options plus an optional source type, and what guardRecords takes', () => {
    expectTypeOf<RetrievalGuardOptions>().toExtend<AdapterGuardOptions>();
    expectTypeOf<RetrievalGuardOptions['sourceType']>().toEqualTypeOf<SourceType | undefined>();
    expectTypeOf<Omit<RetrievalGuardOptions, 'sourceType'>>().toEqualTypeOf<AdapterGuardOptions>();
    expectTypeOf<RetrievalGuardOptions>().toExtend<Parameters<typeof guardRecords>[1]>();
  });
});

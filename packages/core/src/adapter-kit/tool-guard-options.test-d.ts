import { describe, expectTypeOf, it } from 'vitest';
import type { AdapterGuardOptions, guardToolJson, guardToolOutput, ToolGuardOptions } from './index.js';

describe('ToolGuardOptions', () => {
  it('is the guard options plus an optional refusal, and what the tool-output guards take', () => {
    expectTypeOf<ToolGuardOptions>().toExtend<AdapterGuardOptions>();
    expectTypeOf<ToolGuardOptions['refusal']>().toEqualTypeOf<
      ((toolName: string, rule: string) => string) | undefined
    >();
    expectTypeOf<Omit<ToolGuardOptions, 'refusal'>>().toEqualTypeOf<AdapterGuardOptions>();
    expectTypeOf<ToolGuardOptions>().toExtend<Parameters<typeof guardToolOutput>[1]>();
    expectTypeOf<ToolGuardOptions>().toExtend<Parameters<typeof guardToolJson>[1]>();
  });
});

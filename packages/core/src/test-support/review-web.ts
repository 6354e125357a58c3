/**
 * Test support: a real `MemoryRuntimeEnforcer` whose policy sends every web memory write to human
 * review, whatever its text (the adapter-kit tests' way to get a held write from benign text).
 */
import { PolicyEngine } from '../policy/policy-engine.js';
import { MemoryRuntimeEnforcer } from '../runtime/memory-runtime-enforcer.js';

export function reviewWebEnforcer(): MemoryRuntimeEnforcer {
  return new MemoryRuntimeEnforcer({
    policy: new PolicyEngine({
      rules: [
        {
          id: 'review-web',
          effect: 'escalate',
          decision: 'human_review',
          match: { boundary: 'memory_write', sourceType: 'web' },
        },
      ],
    }),
  });
}

import { describe, expect, it } from 'vitest';
import { DOCUMENTS, LEGACY, main } from './main.js';

describe('chroma-swap example', () => {
  it('stores the benign and sanitized documents, holds the quiet injection, refuses the attack, filters the legacy record', async () => {
    const s = await main();
    const byId = Object.fromEntries(DOCUMENTS.map((d) => [d.id, d.text]));
    expect(s.stored.map((r) => [r.id, r.decision])).toEqual([
      [LEGACY.id, 'none'], // written before the swap: no memgar metadata
      ['kb-refunds', 'allow'],
      ['kb-support-hours', 'allow'],
      ['kb-billing', 'sanitize'],
    ]);
    // The sanitized article is stored without its injected sentence, the rest kept.
    expect(s.stored.find((r) => r.id === 'kb-billing')?.document).toBe(
      'To change your billing address, open Account, then Billing, and edit the address field. Changes apply to the next invoice.',
    );
    expect(s.held).toEqual([
      { id: 'kb-premium-note', decision: 'quarantine', content: byId['kb-premium-note'] },
    ]);
    expect(s.refused).toEqual([{ id: 'kb-refund-trap', decision: 'block' }]);
    expect(s.stored.some((r) => r.document.includes('payments-desk.example'))).toBe(false);

    expect(s.answer.map((a) => a.id)).toEqual(['kb-refunds', 'kb-support-hours']);
    expect(s.filtered).toEqual([{ id: LEGACY.id, decision: 'block' }]);
    expect(s.answer.some((a) => a.document.includes('Ignore all previous instructions'))).toBe(false);
  });
});

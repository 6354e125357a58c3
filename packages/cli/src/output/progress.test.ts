import { describe, expect, it } from 'vitest';
import { Capture } from '../../test/fake.js';
import { ProgressBar } from './progress.js';

describe('ProgressBar', () => {
  it('draws nothing up to 200 entries, then redraws at most every 100 ms', () => {
    let t = 0;
    const out = new Capture(true);
    const bar = new ProgressBar(out, { now: () => t });
    bar.update(200, 0.5);
    expect(out.text).toBe('');
    t = 1000;
    bar.update(201, 0.5);
    expect(out.text).toContain('[############------------]  50% 201 entries 201/s');
    const drawn = out.text;
    t = 1050;
    bar.update(250, 0.6);
    expect(out.text).toBe(drawn);
    t = 1100;
    bar.update(300, 1.5);
    expect(out.text).toContain('100% 300 entries');
    bar.clear();
    expect(out.text.endsWith('\r\u001b[K')).toBe(true);
  });

  it('clear is a no-op when nothing was drawn', () => {
    const out = new Capture(true);
    new ProgressBar(out).clear();
    expect(out.text).toBe('');
  });
});

import type { Decision } from '@memgar/core';
import type { OutStream } from '../io.js';

/** ANSI styling functions; identity functions when color is off. */
export interface Colors {
  enabled: boolean;
  bold(s: string): string;
  dim(s: string): string;
  decision(d: Decision, s?: string): string;
}

const wrap = (code: string) => (s: string) => `\u001b[${code}m${s}\u001b[0m`;
const DECISION_CODE: Record<Decision, string> = {
  allow: '32',
  sanitize: '36',
  human_review: '33',
  quarantine: '35',
  block: '1;31',
};

/** Color only on a TTY and when `NO_COLOR` is unset (https://no-color.org). */
export function shouldColor(stream: OutStream, env: Readonly<Record<string, string | undefined>>): boolean {
  return stream.isTTY === true && (env.NO_COLOR === undefined || env.NO_COLOR === '');
}

/** Styling functions, enabled or not. */
export function createColors(enabled: boolean): Colors {
  if (!enabled) {
    const id = (s: string) => s;
    return { enabled, bold: id, dim: id, decision: (d, s) => s ?? d };
  }
  return {
    enabled,
    bold: wrap('1'),
    dim: wrap('2'),
    decision: (d, s) => wrap(DECISION_CODE[d])(s ?? d),
  };
}

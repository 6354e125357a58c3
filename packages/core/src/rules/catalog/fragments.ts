/**
 * Shared pieces of the built-in catalog: bounded gaps (ReDoS-safe: one bounded character class,
 * never a nested quantifier) and signal groups used by many composite rules.
 */

/** Up to `n` characters inside one sentence. */
export const gap = (n: number): string => `[^.!?\\n]{0,${n}}`;

/** External destinations: a URL, an e-mail address, a webhook or personal address. */
export const DESTINATION = ['url', 'email_address', 'remote_sink'] as const;
/** Sensitive data. */
export const SENSITIVE = ['secret', 'private_data'] as const;
/** Persistence or a trigger. */
export const ARMED = ['persistence', 'trigger'] as const;
/** Someone is being told to act. */
export const ORDER = ['obligation', 'polite_request', 'imperative'] as const;
/** A harmful action of any kind. */
export const HARMFUL = [
  'exfil_action',
  'money_action',
  'disable_action',
  'destructive',
  'exec_action',
] as const;

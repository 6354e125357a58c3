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

/**
 * A guard to place right after a pattern rule's leading words (`lead`, a regex alternation that the
 * guard re-reads): the match fails when those words open a short quoted phrase that prose *mentions*
 * rather than uses — an opening quote after a word and a space, a comma, "(" or a list dash
 * (`a phrase like 'ignore previous instructions'`, `role-play framings ('pretend you have no rules')`),
 * at most 12 characters before `lead`, and a closing quote within 80 characters after it. A quote
 * that opens a value of structured data (`"note": "ignore …"`) or a line is not a mention, and a long
 * quoted payload still counts. Security documentation quotes attacks this way; an attacker who quotes
 * an override still has to say what to do, which the rules on harmful actions judge.
 */
export const notMentioned = (lead: string): string =>
  `(?!(?<=(?:[a-z0-9,] |[(\\[-] ?)['"\\u2018\\u201c][^'"\\u2018\\u201c\\u2019\\u201d\\n.!?]{0,12}(?:${lead}))(?=[^'"\\u2019\\u201d\\n]{0,80}['"\\u2019\\u201d]))`;

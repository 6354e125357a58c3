import type { Decision } from '@memgar/core';

/** Process exit codes. `analyze` maps each decision to its own code; `scan` uses `FAIL` for `--fail-on`. */
export const EXIT = {
  /** Success (`analyze`: the decision is `allow`). */
  OK: 0,
  /** `scan`: an entry reached the `--fail-on` decision; `health`: degraded; any command: internal error. */
  FAIL: 1,
  /** Usage or input error: unknown option, invalid value, missing or unreadable file, no input. */
  USAGE: 2,
} as const;

/** The exit code of `memgar analyze` for each decision. */
export const DECISION_EXIT: Readonly<Record<Decision, number>> = {
  allow: 0,
  sanitize: 3,
  human_review: 4,
  quarantine: 5,
  block: 6,
};

/** Exit-code documentation shown by `--help`. */
export const EXIT_CODES_HELP = `
Exit codes:
  analyze  0 allow, 3 sanitize, 4 human_review, 5 quarantine, 6 block
  scan     0 nothing at or above --fail-on, 1 an entry at or above --fail-on
  health   0 ok, 1 degraded
  vault    0 ok, 3 snapshot verifies but live entries differ, 4 integrity failure
  ledger   0 ok, 4 integrity failure (a bad record; see its line)
  all      2 usage or input error (unknown option, invalid value, missing or
             unreadable file, no input), 1 unexpected internal error
`;

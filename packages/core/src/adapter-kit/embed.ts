import { InvalidInputError } from '../errors/invalid-input-error.js';

/** A user's embedder: one text in, one vector out. */
export type EmbedText = (text: string) => Promise<readonly number[]>;

/** Throws `InvalidInputError` (on `field`) unless `v` is a non-empty array of finite numbers. */
export function checkVector(v: unknown, field: string): number[] {
  if (!Array.isArray(v) || v.length === 0 || !v.every((x) => typeof x === 'number' && Number.isFinite(x))) {
    throw new InvalidInputError(field, `${field} must be a non-empty array of finite numbers`);
  }
  return v;
}

/**
 * `embed(text)`, checked: a vector that is not a non-empty array of finite numbers is an
 * `InvalidInputError` on `embed()` rather than a row stored with a broken vector.
 */
export async function embedChecked(embed: EmbedText, text: string): Promise<number[]> {
  return checkVector(await embed(text), 'embed()');
}

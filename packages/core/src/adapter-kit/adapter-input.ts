import { InvalidInputError } from '../errors/invalid-input-error.js';

/** Whether `v` is an object of named fields (not null, not an array). */
export const isPlainRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Rejects bad input: throws `InvalidInputError` on `field`. */
export type FailInput = (field: string, message: string) => never;

/** The `FailInput` of one adapter: its messages start with the adapter's name (`@memgar/x: …`). */
export function inputFailure(adapter: string): FailInput {
  return (field, message) => {
    throw new InvalidInputError(field, `${adapter}: ${message}`);
  };
}

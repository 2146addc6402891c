import { RecurError, type RecurErrorCode } from '@recur/core';
import { expect } from 'vitest';

/** Runs `fn`, expecting a RecurError with `code` whose message matches `message`. */
export function expectRecurError(fn: () => unknown, code: RecurErrorCode, message: RegExp): void {
  let thrown: unknown;
  try {
    fn();
  } catch (error) {
    thrown = error;
  }
  expect(thrown, 'expected a RecurError').toBeInstanceOf(RecurError);
  expect((thrown as RecurError).code).toBe(code);
  expect((thrown as RecurError).message).toMatch(message);
}

import { RecurError } from '@recur/core';
import { describe, expect, it } from 'vitest';
import { CliError, describeError, EXIT } from '../src/errors.js';

describe('describeError', () => {
  it('should give a failed system call as one line naming the call, the path and the code', () => {
    const error = Object.assign(new Error("EACCES: permission denied, open '/data/x.csv'"), {
      code: 'EACCES',
      syscall: 'open',
      path: '/data/x.csv',
    });
    expect(describeError(error)).toEqual({ line: 'open /data/x.csv failed: EACCES', exitCode: EXIT.failure });
  });

  it("should pass a CliError's line and code through, and add a hint to a RecurError", () => {
    expect(describeError(new CliError('bad', EXIT.usage))).toEqual({ line: 'bad', exitCode: EXIT.usage });
    expect(describeError(new RecurError('NAN_LOSS', 'loss is NaN\nat step 3')).line).toBe(
      'loss is NaN (try a smaller --lr)',
    );
  });

  it('should call anything else unexpected and point at --verbose', () => {
    expect(describeError(new TypeError('x is undefined')).line).toBe(
      'unexpected error: x is undefined (run again with --verbose for the stack trace)',
    );
  });
});

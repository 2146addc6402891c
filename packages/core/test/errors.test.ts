import { RECUR_ERROR_CODES, RecurError } from '@recur/core';
import { describe, expect, it } from 'vitest';

describe('RecurError', () => {
  it('should carry a stable code, a name and the cause', () => {
    const cause = new Error('inner');
    const e = new RecurError('BAD_DATA', 'x: expected y, received z', { cause });
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('RecurError');
    expect(e.code).toBe('BAD_DATA');
    expect(e.cause).toBe(cause);
  });

  it('should list each code once', () => {
    expect(new Set(RECUR_ERROR_CODES).size).toBe(RECUR_ERROR_CODES.length);
    expect(RECUR_ERROR_CODES).toContain('BACKEND_UNAVAILABLE');
    expect(RECUR_ERROR_CODES).toContain('CORRUPT_CHECKPOINT');
  });
});

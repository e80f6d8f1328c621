import { TransientError } from '@supportstream/errors';
import { describe, expect, it } from 'vitest';
import { isTransientDbError, toDbError, transientOrSelf } from './errors.js';
import { quoteIdentifier } from './identifiers.js';
import { advisoryLockKey } from './transaction.js';

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

function pgError(code: string, message = 'boom'): Error {
  return Object.assign(new Error(message), { code });
}

describe('advisoryLockKey', () => {
  it('is a stable signed 64-bit value per key', () => {
    const key = advisoryLockKey('thread:conv-1');
    expect(advisoryLockKey('thread:conv-1')).toBe(key);
    expect(key >= INT64_MIN && key <= INT64_MAX).toBe(true);
    // Pinned: the value must not change between releases, or two versions would not exclude each other.
    expect(advisoryLockKey('')).toBe(-2039914840885289964n);
  });

  it('spreads many keys without collisions', () => {
    const keys = new Set(Array.from({ length: 10_000 }, (_, i) => advisoryLockKey(`thread:conv-${i}`)));
    expect(keys.size).toBe(10_000);
  });
});

describe('database error classification', () => {
  it('treats lost connections, conflicts and lock timeouts as transient', () => {
    for (const code of ['08006', '08001', '40001', '40P01', '55P03', '57P01', '53300', 'ECONNREFUSED', 'ECONNRESET']) {
      expect(isTransientDbError(pgError(code)), code).toBe(true);
    }
    expect(isTransientDbError(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isTransientDbError(new Error('timeout exceeded when trying to connect'))).toBe(true);
  });

  it('treats bad SQL and constraint violations as permanent', () => {
    for (const code of ['23505', '42P01', '42601', '22012']) expect(isTransientDbError(pgError(code)), code).toBe(false);
    expect(isTransientDbError(new TypeError('x is undefined'))).toBe(false);
  });

  it('wraps only transient errors and keeps the cause', () => {
    const deadlock = pgError('40P01', 'deadlock detected');
    const wrapped = transientOrSelf(deadlock, 'saving');
    expect(wrapped).toBeInstanceOf(TransientError);
    expect(wrapped).toMatchObject({ code: 'DB_CONFLICT', retriable: true, cause: deadlock });
    const unique = pgError('23505');
    expect(transientOrSelf(unique, 'saving')).toBe(unique);
    expect(toDbError(unique, 'saving')).toMatchObject({ code: 'DB_QUERY_FAILED', retriable: false, details: { sqlState: '23505' } });
    expect(toDbError(pgError('55P03'), 'locking')).toMatchObject({ code: 'DB_LOCK_TIMEOUT', retriable: true });
  });
});

describe('quoteIdentifier', () => {
  it('quotes safe names and refuses anything else', () => {
    expect(quoteIdentifier('test_abc_1')).toBe('"test_abc_1"');
    for (const bad of ['', 'Upper', 'a-b', 'a"; drop table x; --', '1abc', 'a'.repeat(64)]) {
      expect(() => quoteIdentifier(bad), bad).toThrow(expect.objectContaining({ code: 'DB_INVALID_IDENTIFIER' }));
    }
  });
});

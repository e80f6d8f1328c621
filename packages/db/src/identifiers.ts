import { InvalidInputError } from '@supportstream/errors';

// Lower-case, unquoted-style names only: they need no case folding rules and are safe to embed in
// a libpq `options` string as well as in SQL.
const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/** Validates a schema (or other) name and returns it double-quoted for SQL. */
export function quoteIdentifier(name: string): string {
  assertIdentifier(name);
  return `"${name}"`;
}

export function assertIdentifier(name: string): void {
  if (!IDENTIFIER.test(name)) {
    throw new InvalidInputError('DB_INVALID_IDENTIFIER', `"${name}" is not a valid schema name (lower-case letters, digits and _, at most 63 characters)`, {
      details: { name },
    });
  }
}

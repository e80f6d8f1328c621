export { createPool, type Pool, type PoolClient, type PoolOptions, type Queryable } from './pool.js';
export {
  advisoryLockKey,
  runInTransaction,
  tryWithAdvisoryLock,
  withAdvisoryLock,
  withTransaction,
  type AdvisoryLockOptions,
  type IsolationLevel,
  type LockAttempt,
  type TransactionOptions,
} from './transaction.js';
export {
  loadMigrations,
  migrationChecksum,
  migrationStatus,
  MIGRATIONS_DIR,
  runMigrations,
  type AppliedMigration,
  type Migration,
  type MigrationOptions,
  type MigrationRecord,
  type MigrationStatus,
} from './migrations.js';
export { isTransientDbError, sqlState, toDbError, transientOrSelf } from './errors.js';
export { assertIdentifier, quoteIdentifier } from './identifiers.js';
export { ensureDatabase } from './database.js';

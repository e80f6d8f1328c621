import pg from 'pg';
import { sqlState } from './errors.js';
import { quoteIdentifier } from './identifiers.js';

/** PostgreSQL's "database does not exist". */
const INVALID_CATALOG_NAME = '3D000';
/** A concurrent CREATE DATABASE of the same name won. */
const DUPLICATE_DATABASE = '42P04';
const UNIQUE_VIOLATION = '23505';

/**
 * Creates the database a URL names when it does not exist yet (a namespace's database, issue 12),
 * as `createdb` does: through the server's `postgres` maintenance database, with the same
 * credentials (the role needs CREATEDB). Returns whether it was created. Idempotent, also when
 * two processes race.
 */
export async function ensureDatabase(databaseUrl: string, options: { readonly adminDatabase?: string } = {}): Promise<boolean> {
  const probe = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 10_000 });
  try {
    await probe.connect();
    return false;
  } catch (error) {
    if (sqlState(error) !== INVALID_CATALOG_NAME) throw error;
  } finally {
    await probe.end().catch(() => undefined);
  }
  const url = new URL(databaseUrl);
  const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
  url.pathname = `/${options.adminDatabase ?? 'postgres'}`;
  const admin = new pg.Client({ connectionString: url.toString(), connectionTimeoutMillis: 10_000 });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${quoteIdentifier(database)}`);
    return true;
  } catch (error) {
    const state = sqlState(error);
    if (state === DUPLICATE_DATABASE || state === UNIQUE_VIOLATION) return false;
    throw error;
  } finally {
    await admin.end();
  }
}

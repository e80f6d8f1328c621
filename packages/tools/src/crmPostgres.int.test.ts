import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPool, MIGRATIONS_DIR, runMigrations } from '@supportstream/db';
import { createScratchSchema, testDatabaseUrl, type ScratchSchema } from '@supportstream/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crmDirectoryContract } from '../test/crmContract.js';
import { inMemoryCrmDirectory } from './crmMemory.js';
import { postgresCrmDirectory } from './crmPostgres.js';
import { OTHER_SAMPLE_TENANT, SAMPLE_TENANTS, sampleCrmData } from './crmSample.js';

/** A schema of its own with exactly migration 001_crm (not the other packages' migrations). */
async function crmSchema(): Promise<ScratchSchema> {
  const scratch = await createScratchSchema('crm');
  const dir = await mkdtemp(join(tmpdir(), 'crm-migrations-'));
  try {
    await copyFile(join(MIGRATIONS_DIR, '001_crm.sql'), join(dir, '001_crm.sql'));
    await runMigrations(scratch.pool, { dir, schema: scratch.schema });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return scratch;
}

crmDirectoryContract('PostgreSQL', async () => {
  const scratch = await crmSchema();
  return { crm: postgresCrmDirectory(scratch.pool), close: () => scratch.drop() };
});

describe('PostgreSQL CRM and sampleCrmData()', () => {
  let scratch: ScratchSchema;
  beforeAll(async () => {
    scratch = await crmSchema();
  });
  afterAll(async () => {
    await scratch.drop();
  });

  it('hold the same records: the migration seed and the in-memory sample agree', async () => {
    const data = sampleCrmData();
    const pg = postgresCrmDirectory(scratch.pool);
    const memory = inMemoryCrmDirectory(data);
    const tenants = [...SAMPLE_TENANTS, OTHER_SAMPLE_TENANT];
    for (const tenantId of tenants) {
      for (const customer of data.customers.filter((c) => c.tenantId === tenantId)) {
        expect(await pg.findCustomer(tenantId, customer.id)).toEqual(await memory.findCustomer(tenantId, customer.id));
        expect(await pg.ordersOfCustomer(tenantId, customer.id, 100)).toEqual(await memory.ordersOfCustomer(tenantId, customer.id, 100));
        expect(await pg.activeSubscription(tenantId, customer.id)).toEqual(await memory.activeSubscription(tenantId, customer.id));
      }
      for (const order of data.orders.filter((o) => o.tenantId === tenantId)) {
        expect(await pg.paymentsOfOrder(tenantId, order.id)).toEqual(await memory.paymentsOfOrder(tenantId, order.id));
      }
    }
    // Nothing in the tables that the sample lacks.
    const counts = await scratch.pool.query<{ customers: string; orders: string; payments: string; subscriptions: string }>(
      `SELECT (SELECT count(*) FROM crm_customers) AS customers, (SELECT count(*) FROM crm_orders) AS orders,
              (SELECT count(*) FROM crm_payments) AS payments, (SELECT count(*) FROM crm_subscriptions) AS subscriptions`,
    );
    expect(counts.rows[0]).toEqual({
      customers: String(data.customers.length),
      orders: String(data.orders.length),
      payments: String(data.payments.length),
      subscriptions: String(data.subscriptions.length),
    });
  });

  it('every order total equals the sum of its lines', async () => {
    const mismatches = await scratch.pool.query(
      `SELECT o.tenant_id, o.id FROM crm_orders o JOIN crm_order_lines l ON l.tenant_id = o.tenant_id AND l.order_id = o.id
        GROUP BY o.tenant_id, o.id, o.total_micros HAVING o.total_micros <> sum(l.quantity * l.unit_price_micros)`,
    );
    expect(mismatches.rows).toEqual([]);
  });

  it('reports a database failure as a PlatformError, retriable when transient', async () => {
    const broken = postgresCrmDirectory({ query: () => Promise.reject(new Error('Connection terminated unexpectedly')) });
    await expect(broken.findOrder('tenant-a', '1001')).rejects.toMatchObject({ code: 'DB_UNAVAILABLE', retriable: true });
    const pool = createPool(testDatabaseUrl(), { max: 1, searchPath: ['no_crm_here'] });
    try {
      await expect(postgresCrmDirectory(pool).findOrder('tenant-a', '1001')).rejects.toMatchObject({ code: 'DB_QUERY_FAILED', retriable: false, details: { sqlState: '42P01' } });
    } finally {
      await pool.end();
    }
  });
});

import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEED_PROVIDERS, seededConfig } from '../test/seed.js';
import { describeAgentSettingsStoreContract, type StoreHarness } from '../test/settingsStoreContract.js';
import { PgAgentSettingsStore } from './configStore.js';
import { createModelResolver } from './factory.js';
import { DEFAULT_TEMPLATES } from './prompts.js';
import { InMemoryAgentSettingsStore } from './settings.js';
import { TASK_NAMES } from './tasks.js';

const MIGRATION = new URL('../../db/migrations/002_llm_config.sql', import.meta.url);
const DATABASE_URL = process.env['DATABASE_URL'] ?? 'postgres://supportstream:supportstream@127.0.0.1:5432/supportstream';
const TTL_MS = 2_000;

interface Scratch {
  readonly schema: string;
  readonly pool: pg.Pool;
  drop(): Promise<void>;
}

/** A fresh schema holding only migration 002 (applied in one transaction, as the runner does). */
async function scratchSchema(): Promise<Scratch> {
  const schema = `llm_test_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 3, options: `-c search_path=${schema}` });
  const sql = await readFile(MIGRATION, 'utf8');
  const client = await pool.connect();
  try {
    await client.query(`CREATE SCHEMA ${schema}`);
    await client.query('BEGIN');
    await client.query(sql);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  } finally {
    client.release();
  }
  return {
    schema,
    pool,
    async drop() {
      try {
        await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      } finally {
        await pool.end();
      }
    },
  };
}

function fakeClock() {
  let time = 0;
  return { now: () => time, advance: (ms: number) => (time += ms) };
}

describeAgentSettingsStoreContract('PostgreSQL', async (): Promise<StoreHarness> => {
  const scratch = await scratchSchema();
  const clock = fakeClock();
  return {
    store: new PgAgentSettingsStore({ pool: scratch.pool, ttlMs: TTL_MS, now: clock.now }),
    putTenantRow: async (agent, tenantId, columns) => {
      await scratch.pool.query(
        `INSERT INTO agent_settings (agent, tenant_id, provider, model, tone, temperature) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (agent, tenant_id) DO UPDATE SET provider = EXCLUDED.provider, model = EXCLUDED.model, tone = EXCLUDED.tone, temperature = EXCLUDED.temperature`,
        [agent, tenantId, columns.provider ?? null, columns.model ?? null, columns.tone ?? null, columns.temperature ?? null],
      );
    },
    setDefaultTone: async (agent, tone) => {
      await scratch.pool.query(`UPDATE agent_settings SET tone = $2 WHERE agent = $1 AND tenant_id = '*'`, [agent, tone]);
    },
    expireCache: () => clock.advance(TTL_MS),
    close: () => scratch.drop(),
  };
});

describe('PgAgentSettingsStore on the migration', () => {
  let scratch: Scratch;
  beforeAll(async () => {
    scratch = await scratchSchema();
  });
  afterAll(async () => {
    await scratch.drop();
  });

  it('seeds exactly what the in-memory seed holds (providers, settings, templates)', async () => {
    const store = new PgAgentSettingsStore({ pool: scratch.pool });
    const twin = new InMemoryAgentSettingsStore(seededConfig());
    for (const provider of SEED_PROVIDERS) expect(await store.provider(provider.name)).toEqual(provider);
    for (const task of TASK_NAMES) {
      const { updatedAt: _stored, ...stored } = await store.agentSettings(task, '*');
      const { updatedAt: _seeded, ...seeded } = await twin.agentSettings(task, '*');
      expect(stored).toEqual(seeded);
      expect(await store.template(task)).toEqual({ task, version: 1, template: DEFAULT_TEMPLATES[task] });
    }
  });

  it('keeps serving the cached row within the TTL and sees an UPDATE after it, without a restart', async () => {
    const clock = fakeClock();
    const store = new PgAgentSettingsStore({ pool: scratch.pool, ttlMs: TTL_MS, now: clock.now });
    const before = await store.agentSettings('moderate', 'tenant-ttl');
    expect(before.maxTokens).toBe(256);

    await scratch.pool.query(`UPDATE agent_settings SET max_tokens = 300 WHERE agent = 'moderate' AND tenant_id = '*'`);
    clock.advance(TTL_MS - 1);
    expect((await store.agentSettings('moderate', 'tenant-ttl')).maxTokens).toBe(256);
    clock.advance(1);
    const after = await store.agentSettings('moderate', 'tenant-ttl');
    expect(after.maxTokens).toBe(300);
    // The trigger stamps every change.
    expect(after.updatedAt.getTime()).toBeGreaterThan(before.updatedAt.getTime());
  });

  it('with the real clock, an UPDATE is seen within the TTL', async () => {
    const store = new PgAgentSettingsStore({ pool: scratch.pool, ttlMs: 200 });
    expect((await store.agentSettings('review', 'tenant-real')).temperature).toBe(0);
    await scratch.pool.query(`UPDATE agent_settings SET temperature = 0.25 WHERE agent = 'review' AND tenant_id = '*'`);
    const deadline = Date.now() + 5_000;
    let seen = (await store.agentSettings('review', 'tenant-real')).temperature;
    while (seen !== 0.25 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      seen = (await store.agentSettings('review', 'tenant-real')).temperature;
    }
    expect(seen).toBe(0.25);
  });

  it('rejects rows the schema forbids: an incomplete * row, an unknown provider, a second active template', async () => {
    await expect(scratch.pool.query(`INSERT INTO agent_settings (agent, tenant_id, provider) VALUES ('new-agent', '*', 'offline')`)).rejects.toThrow(/agent_settings_default_complete/);
    await expect(scratch.pool.query(`INSERT INTO agent_settings (agent, tenant_id, provider) VALUES ('draft', 't1', 'nope')`)).rejects.toThrow(/foreign key/);
    await expect(scratch.pool.query(`INSERT INTO prompt_templates (task, version, template, active) VALUES ('draft', 2, 'x', true)`)).rejects.toThrow(/prompt_templates_one_active/);
  });

  it('drives a task through the resolver: offline by default, the active template from the table', async () => {
    await scratch.pool.query(`UPDATE prompt_templates SET active = false WHERE task = 'triage'`);
    await scratch.pool.query(`INSERT INTO prompt_templates (task, version, template, active) VALUES ('triage', 2, 'Triage for tenant: {{input.message}}', true)`);
    const resolver = createModelResolver({ store: new PgAgentSettingsStore({ pool: scratch.pool }), env: {} });
    const resolved = await resolver.resolve({ task: 'triage', tenantId: 'tenant-r' });
    expect(resolved.template).toBe('Triage for tenant: {{input.message}}');
    const result = await resolver.run('triage', { message: 'Where is my parcel? Order 1001.', subject: null, customerTier: 'VIP', history: [] }, { tenantId: 'tenant-r' });
    expect(result).toMatchObject({ provider: 'offline', output: { category: 'shipping', orderId: '1001', priority: 'high' } });
    expect(resolver.circuitStates()).toEqual([{ provider: 'offline', model: 'heuristic-v1', state: 'closed' }]);
  });
});

import { createRegistryClient, EVENT_SCHEMAS, registerEventSchemas } from '@supportstream/events';
import { Redis } from 'ioredis';
import { Kafka, logLevel } from 'kafkajs';
import pg from 'pg';
import { stackConfig } from './stack.js';

const HINT = 'start the local stack first: `npm run stack up` (or run everything with `npm test`)';

async function check(name: string, probe: () => Promise<unknown>): Promise<string | undefined> {
  try {
    await probe();
    return undefined;
  } catch (error) {
    return `${name}: ${error instanceof Error ? error.message : String(error)}`;
  }
}

/**
 * Integration tests need the real stack. Fail once, up front, with what is missing and how to
 * start it, instead of every test timing out. Registers the event schemas the tests encode with.
 */
export default async function setup(): Promise<void> {
  const config = stackConfig();
  const problems = (
    await Promise.all([
      check(`Kafka at ${config.KAFKA_BROKERS.join(',')}`, async () => {
        const admin = new Kafka({ brokers: config.KAFKA_BROKERS, clientId: 'test-setup', logLevel: logLevel.NOTHING, retry: { retries: 1 } }).admin();
        await admin.connect();
        try {
          await admin.describeCluster();
        } finally {
          await admin.disconnect();
        }
      }),
      check(`schema registry at ${config.SCHEMA_REGISTRY_URL}`, () => createRegistryClient(config.SCHEMA_REGISTRY_URL, 5_000).subjects()),
      check('PostgreSQL', async () => {
        const client = new pg.Client({ connectionString: config.DATABASE_URL, connectionTimeoutMillis: 5_000 });
        await client.connect();
        try {
          await client.query('select 1');
        } finally {
          await client.end();
        }
      }),
      check(`Redis at ${config.REDIS_URL}`, async () => {
        const redis = new Redis(config.REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 5_000 });
        try {
          await redis.connect();
          await redis.ping();
        } finally {
          redis.disconnect();
        }
      }),
    ])
  ).filter((problem): problem is string => problem !== undefined);
  if (problems.length > 0) throw new Error(`the local stack is not reachable:\n  ${problems.join('\n  ')}\n${HINT}`);
  await registerEventSchemas(createRegistryClient(config.SCHEMA_REGISTRY_URL), EVENT_SCHEMAS);
}

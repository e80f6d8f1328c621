import { randomBytes } from 'node:crypto';
import { loadMigrations } from '@supportstream/db';
import { createScratchSchema, type ScratchSchema } from '@supportstream/db/testing';
import { createRegistryClient, topicOf, type SupportEvent } from '@supportstream/events';
import { createEventProducer, createKafka } from '@supportstream/kafka';
import { createMetricsRegistry, type Registry } from '@supportstream/observability';
import { openCheckpointHistory } from '@supportstream/pipeline';
import { createProjector, createReadModel, ensureReadModel, type Projector, type ReadModel } from '@supportstream/projections';
import { stackConfig, testLogger, createTestCodec } from '@supportstream/testing';
import { Redis } from 'ioredis';
import { SignJWT, type CryptoKey } from 'jose';
import pg from 'pg';
import { createGatewayApp, type GatewayApp } from '../app.js';
import { createApiKeyStore, hashSecret } from '../auth/apiKeys.js';
import type { JwtSettings } from '../auth/jwt.js';
import type { Role } from '../auth/principal.js';
import type { GatewaySettings } from '../config.js';
import { createConversationChanges, type ConversationChanges } from '../liveChanges.js';
import { dependencyChecks } from '../readiness.js';
import { createAnalyticsOverview } from '../overview/analytics.js';
import type { OperationsSource } from '../overview/operations.js';
import type { DeadLetterAdmin } from '../routes/deadLetters.js';
import { createSchemaVersionLookup } from '../schemaVersions.js';

export const ISSUER = 'https://auth.test.invalid/';
export const AUDIENCE = 'supportstream-gateway';
export const HS_SECRET = 'a-test-secret-of-at-least-32-characters!';

const config = stackConfig();
export const codec = createTestCodec(config);
export const kafka = createKafka({ brokers: config.KAFKA_BROKERS, clientId: 'gateway-test', logger: testLogger() });

export interface TestGatewayOptions {
  readonly settings?: Partial<Omit<GatewaySettings, 'jwt'>>;
  readonly jwt?: Partial<JwtSettings>;
  /** Redis for rate limits and readiness; a closed port makes /ready answer 503. */
  readonly redisUrl?: string;
  /** Where ApprovalDecided goes (a test topic); RequestReceived goes to customer.requests unless requestsTopic says otherwise. */
  readonly decisionsTopic?: string;
  /** Where RequestReceived goes instead of customer.requests (a test's own topic). */
  readonly requestsTopic?: string;
  readonly apiKeyCacheMs?: number;
  /** To break the read model on purpose (e.g. to see a 500 without internals). */
  readonly wrapReadModel?: (readModel: ReadModel) => ReadModel;
  /** The dead-letter console behind /v1/admin/dead-letters (a test's own topics and ledger); without it those routes answer 503. */
  readonly deadLetters?: DeadLetterAdmin;
  /** Serve GET /v1/overview: the analytics tables (migration 013) in the scratch schema, and these Kafka figures (a test's own topics and group). */
  readonly overview?: { readonly operations?: OperationsSource };
}

export interface TestGateway {
  readonly baseUrl: string;
  readonly gateway: GatewayApp;
  readonly db: ScratchSchema;
  readonly metrics: Registry;
  /** Every event the app published, in order. */
  readonly published: SupportEvent[];
  /** Projects events into the scratch read model, as the projections service would (notify included). */
  seed(events: readonly SupportEvent[]): Promise<void>;
  /** Inserts an API key row directly (the CLI test makes one through the CLI). */
  insertApiKey(options: { tenant: string; role: Exclude<Role, 'customer'>; rate?: number }): Promise<{ keyId: string; key: string }>;
  /** Revokes a key as `supportstream apikeys revoke` does. */
  revokeApiKey(keyId: string): Promise<void>;
  close(): Promise<void>;
}

let channelCount = 0;

/** The gateway in-process on an ephemeral port, over a scratch read model and api_keys table. */
export async function startTestGateway(options: TestGatewayOptions = {}): Promise<TestGateway> {
  const logger = testLogger();
  const db = await createScratchSchema('gateway');
  await ensureReadModel(db.pool, db.schema);
  const migration = (await loadMigrations()).find((candidate) => candidate.name === 'gateway');
  if (migration === undefined) throw new Error('migration 012_gateway.sql is missing');
  await db.pool.query(migration.sql);
  if (options.overview !== undefined) {
    const analytics = (await loadMigrations()).find((candidate) => candidate.name === 'analytics');
    if (analytics === undefined) throw new Error('migration 013_analytics.sql is missing');
    await db.pool.query(analytics.sql);
  }

  channelCount += 1;
  const notifyChannel = `gateway_test_${process.pid}_${channelCount}_${randomBytes(3).toString('hex')}`;
  const projector: Projector = createProjector({ pool: db.pool, schema: db.schema, notifyChannel });
  const offsets = new Map<string, number>();
  const seed = async (events: readonly SupportEvent[]) => {
    for (const event of events) {
      const topic = topicOf(event.type);
      const offset = offsets.get(topic) ?? 0;
      offsets.set(topic, offset + 1);
      await projector.apply({ topic, partition: 0, records: [{ event, topic, partition: 0, offset: String(offset), schemaId: await codec.schemaIdOf(event.type) }], lastOffset: String(offset) });
    }
  };

  const metrics = createMetricsRegistry({}, false);
  const producer = createEventProducer({
    kafka,
    codec,
    logger,
    metrics,
    topicFor: (event) => {
      if (event.type === 'ApprovalDecided' && options.decisionsTopic !== undefined) return options.decisionsTopic;
      if (event.type === 'RequestReceived' && options.requestsTopic !== undefined) return options.requestsTopic;
      return topicOf(event.type);
    },
  });
  await producer.connect();
  const published: SupportEvent[] = [];
  const redis = new Redis(options.redisUrl ?? config.REDIS_URL, { maxRetriesPerRequest: 1, connectTimeout: 2_000 });
  redis.on('error', () => undefined);
  const changes: ConversationChanges = createConversationChanges({ connect: () => new pg.Client({ connectionString: config.DATABASE_URL }), channel: notifyChannel, logger });

  const gateway = createGatewayApp({
    settings: {
      jwt: { algorithms: ['HS256'], secret: HS_SECRET, issuer: ISSUER, audience: AUDIENCE, tenantClaim: 'tenant_id', roleClaim: 'role', clockToleranceSeconds: 5, ...options.jwt },
      corsOrigins: ['https://console.example.test'],
      rateLimitPerMinute: 1_000,
      bodyLimit: '64kb',
      maxStreamsPerCredential: 5,
      heartbeatMs: 15_000,
      ...options.settings,
    },
    readModel: (options.wrapReadModel ?? ((readModel) => readModel))(createReadModel({ pool: db.pool, schema: db.schema })),
    producer: {
      publish: async (events) => {
        const result = await producer.publish(events);
        published.push(...events);
        return result;
      },
    },
    apiKeys: createApiKeyStore({ db: db.pool, schema: db.schema, cacheMs: options.apiKeyCacheMs ?? 100 }),
    redis,
    changes,
    ...(options.deadLetters === undefined ? {} : { deadLetters: options.deadLetters }),
    ...(options.overview === undefined ? {} : { overview: { analytics: createAnalyticsOverview(db.pool), ...options.overview } }),
    // Time travel reads the checkpoint tables of the scratch schema (a test writes them with createCheckpointer).
    checkpoints: openCheckpointHistory(db.pool, db.schema),
    schemaVersions: createSchemaVersionLookup({ registry: createRegistryClient(config.SCHEMA_REGISTRY_URL, 2_000) }),
    readiness: dependencyChecks({ kafka, pool: db.pool, redis, schemaRegistryUrl: config.SCHEMA_REGISTRY_URL }),
    readyTimeoutMs: 3_000,
    logger,
    metrics,
  });
  const port = await gateway.listen(0);

  return {
    baseUrl: `http://127.0.0.1:${port}`,
    gateway,
    db,
    metrics,
    published,
    seed,
    async insertApiKey({ tenant, role, rate }) {
      const keyId = randomBytes(8).toString('hex');
      const secret = randomBytes(32).toString('base64url');
      await db.pool.query('INSERT INTO api_keys (key_id, name, tenant_id, role, secret_hash, rate_limit_per_minute) VALUES ($1, $2, $3, $4, $5, $6)', [keyId, 'test key', tenant, role, hashSecret(secret), rate ?? null]);
      return { keyId, key: `sk_${keyId}_${secret}` };
    },
    async revokeApiKey(keyId) {
      await db.pool.query('UPDATE api_keys SET revoked_at = now() WHERE key_id = $1', [keyId]);
    },
    async close() {
      await gateway.close();
      await changes.close();
      await producer.disconnect();
      redis.disconnect();
      await db.drop();
    },
  };
}

export interface TokenClaims {
  readonly sub: string;
  readonly tenant: string;
  /** A Role, or anything else to test refusal. */
  readonly role: string;
}

export interface TokenOptions {
  readonly alg?: string;
  readonly key?: CryptoKey | Uint8Array;
  readonly issuer?: string;
  readonly audience?: string;
  /** Seconds from now; negative for an expired token. */
  readonly expiresIn?: number;
  readonly omitExp?: boolean;
  readonly extraClaims?: Record<string, unknown>;
}

/** A token as an identity provider would sign it (HS256 with the test secret unless told otherwise). */
export async function signToken(claims: TokenClaims, options: TokenOptions = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const jwt = new SignJWT({ tenant_id: claims.tenant, role: claims.role, ...options.extraClaims })
    .setProtectedHeader({ alg: options.alg ?? 'HS256', typ: 'JWT' })
    .setSubject(claims.sub)
    .setIssuer(options.issuer ?? ISSUER)
    .setAudience(options.audience ?? AUDIENCE)
    .setIssuedAt(now - 5);
  if (!options.omitExp) jwt.setExpirationTime(now + (options.expiresIn ?? 300));
  return jwt.sign(options.key ?? new TextEncoder().encode(HS_SECRET));
}

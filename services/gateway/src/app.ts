import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createEventFactory, randomId, systemClock, type Clock, type IdGenerator } from '@supportstream/events';
import type { EventProducer } from '@supportstream/kafka';
import type { Logger, Registry } from '@supportstream/observability';
import type { CheckpointHistory } from '@supportstream/pipeline';
import type { ReadModel } from '@supportstream/projections';
import express, { type Express } from 'express';
import type { Redis } from 'ioredis';
import { answerOtherMethods } from './allowedMethods.js';
import type { ApiKeyStore } from './auth/apiKeys.js';
import { authenticate } from './auth/authenticate.js';
import { createJwtVerifier } from './auth/jwt.js';
import { requireRole } from './auth/principal.js';
import { createSessionStore, DEFAULT_SESSION_TTL_SECONDS } from './auth/session.js';
import type { GatewaySettings } from './config.js';
import { cors, requestContext, requireJsonBody, securityHeaders } from './httpBasics.js';
import { errorHandler, unknownRoute } from './httpErrors.js';
import { gatewayMetrics, observeRequests } from './httpMetrics.js';
import type { ConversationChanges } from './liveChanges.js';
import { openApiDocument } from './openapi.js';
import { rateLimit } from './rateLimit.js';
import type { ReadinessCheck } from './readiness.js';
import { createApprovalStreams } from './routes/approvalStream.js';
import { decideApproval, listApprovals } from './routes/approvals.js';
import { listDeadLetters, replayDeadLetter, type DeadLetterAdmin } from './routes/deadLetters.js';
import { consoleRouter, DEFAULT_CONSOLE_DIR } from './routes/console.js';
import { AUDIT_ROLES, conversationHistory, getCheckpoint, listCheckpoints } from './routes/audit.js';
import { listConversations } from './routes/conversationList.js';
import { getConversation, listConversationEvents } from './routes/conversations.js';
import { health, metricsEndpoint, openApi, ready } from './routes/operations.js';
import { getOverview, type OverviewSources } from './routes/overview.js';
import { publisher } from './routes/publish.js';
import { submitRequest } from './routes/requests.js';
import { createSession, deleteSession, getSession, verifySignIn } from './routes/session.js';
import { createStreams } from './routes/stream.js';
import type { SchemaVersionLookup } from './schemaVersions.js';

export interface GatewayDeps {
  readonly settings: GatewaySettings;
  readonly readModel: ReadModel;
  /** Publishes to the events' topics (customer.requests, human.approvals) and waits for acks. */
  readonly producer: Pick<EventProducer, 'publish'>;
  readonly apiKeys: ApiKeyStore;
  /** Rate limits and the decision lock. */
  readonly redis: Redis;
  readonly changes: ConversationChanges;
  /** The pipeline's graph checkpoints, read-only (time travel). */
  readonly checkpoints: CheckpointHistory;
  /** Schema subject and version of a schema id (the audit history). */
  readonly schemaVersions: SchemaVersionLookup;
  /** Dead letters of the five topics, for admins (listing and replay); without it those routes answer 503. */
  readonly deadLetters?: DeadLetterAdmin;
  /** The Overview's analytics and Kafka figures (GET /v1/overview); without them that route answers 503. */
  readonly overview?: OverviewSources;
  readonly readiness: Readonly<Record<string, ReadinessCheck>>;
  readonly readyTimeoutMs?: number;
  /** How long a POST waits for the broker's acknowledgement before answering 503 (default 10 s). */
  readonly publishTimeoutMs?: number;
  readonly logger: Logger;
  readonly metrics: Registry;
  readonly clock?: Clock;
  readonly ids?: IdGenerator;
}

export interface GatewayApp {
  readonly app: Express;
  /** Listens (port 0: a free one) and resolves with the port. */
  listen(port: number, host?: string): Promise<number>;
  /** Ends the open streams and stops listening. The deps (pools, clients) belong to the caller. */
  close(): Promise<void>;
}

/** The HTTP gateway, built from its dependencies only: main.ts passes the real ones, tests their own. */
export function createGatewayApp(deps: GatewayDeps): GatewayApp {
  const { settings, readModel, logger } = deps;
  const metrics = gatewayMetrics(deps.metrics);
  const clock = deps.clock ?? systemClock;
  const ids = deps.ids ?? randomId;
  const events = createEventFactory({ producer: 'gateway', clock, ids });
  const publish = publisher(deps.producer, metrics, logger, deps.publishTimeoutMs);
  const streams = createStreams({ readModel, changes: deps.changes, metrics, maxStreamsPerCredential: settings.maxStreamsPerCredential, heartbeatMs: settings.heartbeatMs });
  const approvalStreams = createApprovalStreams({ readModel, changes: deps.changes, metrics, maxStreamsPerCredential: settings.maxStreamsPerCredential, heartbeatMs: settings.heartbeatMs });

  const credentials = { verifyJwt: createJwtVerifier(settings.jwt, clock), apiKeys: deps.apiKeys, metrics };
  const sessions = createSessionStore({ redis: deps.redis, clock });
  const auth = authenticate({ ...credentials, sessions });
  const limit = rateLimit({ redis: deps.redis, defaultPerMinute: settings.rateLimitPerMinute, metrics });
  const json = [requireJsonBody, express.json({ limit: settings.bodyLimit, strict: true })];

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  // Paths are matched exactly as the OpenAPI document writes them: no trailing slash, no other case.
  app.set('strict routing', true);
  app.set('case sensitive routing', true);
  app.use(requestContext(logger), securityHeaders, cors(settings.corsOrigins), observeRequests(metrics));

  app.get('/health', health);
  app.get('/ready', ready(deps.readiness, deps.readyTimeoutMs ?? 2_000, logger));
  app.get('/metrics', metricsEndpoint(deps.metrics));
  app.get('/openapi.json', openApi(openApiDocument));

  app.post('/v1/session', ...json, verifySignIn(credentials), limit, createSession({ sessions, ttlSeconds: settings.sessionTtlSeconds ?? DEFAULT_SESSION_TTL_SECONDS, clock }));
  app.get('/v1/session', auth, limit, getSession);
  app.delete('/v1/session', auth, limit, deleteSession(sessions));
  app.post('/v1/requests', auth, limit, requireRole('customer', 'service', 'admin'), ...json, submitRequest({ readModel, events, publish, ids }));
  app.get('/v1/conversations', auth, limit, listConversations(readModel));
  app.get('/v1/conversations/:id', auth, limit, getConversation(readModel));
  app.get('/v1/conversations/:id/events', auth, limit, listConversationEvents(readModel));
  app.get('/v1/conversations/:id/stream', auth, limit, streams.handler);
  app.get('/v1/conversations/:id/history', auth, limit, requireRole(...AUDIT_ROLES), conversationHistory({ readModel, schemaVersions: deps.schemaVersions }));
  app.get('/v1/conversations/:id/checkpoints', auth, limit, requireRole(...AUDIT_ROLES), listCheckpoints({ readModel, checkpoints: deps.checkpoints }));
  app.get('/v1/conversations/:id/checkpoints/:checkpointId', auth, limit, requireRole(...AUDIT_ROLES), getCheckpoint({ readModel, checkpoints: deps.checkpoints }));
  app.get('/v1/approvals', auth, limit, requireRole('supervisor', 'admin'), listApprovals(readModel));
  app.get('/v1/approvals/stream', auth, limit, requireRole('supervisor', 'admin'), approvalStreams.handler);
  app.post('/v1/approvals/:id/decision', auth, limit, requireRole('supervisor', 'admin'), ...json, decideApproval({ readModel, events, publish, redis: deps.redis }));
  app.get('/v1/overview', auth, limit, requireRole('supervisor', 'admin'), getOverview({ readModel, sources: deps.overview, clock }));
  app.get('/v1/admin/dead-letters', auth, limit, requireRole('admin'), listDeadLetters(deps.deadLetters));
  app.post('/v1/admin/dead-letters/:topic/:partition/:offset/replay', auth, limit, requireRole('admin'), replayDeadLetter(deps.deadLetters));
  // Every path above: 405 with Allow for the methods it does not serve, 204 with Allow for OPTIONS.
  answerOtherMethods(app);

  app.use('/console', consoleRouter({ dir: settings.consoleDir ?? DEFAULT_CONSOLE_DIR, logger }));

  app.use(unknownRoute);
  app.use(errorHandler(logger));

  let server: Server | undefined;
  return {
    app,
    listen(port, host = '127.0.0.1') {
      return new Promise((resolve, reject) => {
        const listening = app.listen(port, host, (error?: Error) => {
          if (error) reject(error);
          else resolve((listening.address() as AddressInfo).port);
        });
        server = listening;
      });
    },
    async close() {
      streams.closeAll();
      approvalStreams.closeAll();
      const current = server;
      server = undefined;
      if (current === undefined) return;
      await new Promise<void>((resolve, reject) => {
        current.close((error) => (error ? reject(error) : resolve()));
        current.closeIdleConnections();
      });
    },
  };
}

import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createEventFactory, randomId, systemClock, type Clock, type IdGenerator } from '@supportstream/events';
import type { EventProducer } from '@supportstream/kafka';
import type { Logger, Registry } from '@supportstream/observability';
import type { ReadModel } from '@supportstream/projections';
import express, { type Express } from 'express';
import type { Redis } from 'ioredis';
import type { ApiKeyStore } from './auth/apiKeys.js';
import { authenticate } from './auth/authenticate.js';
import { createJwtVerifier } from './auth/jwt.js';
import { requireRole } from './auth/principal.js';
import type { GatewaySettings } from './config.js';
import { cors, requestContext, requireJsonBody, securityHeaders } from './httpBasics.js';
import { errorHandler, unknownRoute } from './httpErrors.js';
import { gatewayMetrics, observeRequests } from './httpMetrics.js';
import type { ConversationChanges } from './liveChanges.js';
import { openApiDocument } from './openapi.js';
import { rateLimit } from './rateLimit.js';
import type { ReadinessCheck } from './readiness.js';
import { decideApproval, listApprovals } from './routes/approvals.js';
import { getConversation, listConversationEvents } from './routes/conversations.js';
import { health, metricsEndpoint, openApi, ready } from './routes/operations.js';
import { publisher } from './routes/publish.js';
import { submitRequest } from './routes/requests.js';
import { createStreams } from './routes/stream.js';

export interface GatewayDeps {
  readonly settings: GatewaySettings;
  readonly readModel: ReadModel;
  /** Publishes to the events' topics (customer.requests, human.approvals) and waits for acks. */
  readonly producer: Pick<EventProducer, 'publish'>;
  readonly apiKeys: ApiKeyStore;
  /** Rate limits and the decision lock. */
  readonly redis: Redis;
  readonly changes: ConversationChanges;
  readonly readiness: Readonly<Record<string, ReadinessCheck>>;
  readonly readyTimeoutMs?: number;
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
  const publish = publisher(deps.producer, metrics, logger);
  const streams = createStreams({ readModel, changes: deps.changes, metrics, maxStreamsPerCredential: settings.maxStreamsPerCredential, heartbeatMs: settings.heartbeatMs });

  const auth = authenticate({ verifyJwt: createJwtVerifier(settings.jwt, clock), apiKeys: deps.apiKeys, metrics });
  const limit = rateLimit({ redis: deps.redis, defaultPerMinute: settings.rateLimitPerMinute, metrics });
  const json = [requireJsonBody, express.json({ limit: settings.bodyLimit, strict: true })];

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(requestContext(logger), securityHeaders, cors(settings.corsOrigins), observeRequests(metrics));

  app.get('/health', health);
  app.get('/ready', ready(deps.readiness, deps.readyTimeoutMs ?? 2_000, logger));
  app.get('/metrics', metricsEndpoint(deps.metrics));
  app.get('/openapi.json', openApi(openApiDocument));

  app.post('/v1/requests', auth, limit, requireRole('customer', 'service', 'admin'), ...json, submitRequest({ readModel, events, publish, ids }));
  app.get('/v1/conversations/:id', auth, limit, getConversation(readModel));
  app.get('/v1/conversations/:id/events', auth, limit, listConversationEvents(readModel));
  app.get('/v1/conversations/:id/stream', auth, limit, streams.handler);
  app.get('/v1/approvals', auth, limit, requireRole('supervisor', 'admin'), listApprovals(readModel));
  app.post('/v1/approvals/:id/decision', auth, limit, requireRole('supervisor', 'admin'), ...json, decideApproval({ readModel, events, publish, redis: deps.redis }));

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

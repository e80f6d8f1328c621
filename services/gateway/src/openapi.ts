import { z } from 'zod';
import { decisionBody } from './routes/approvals.js';
import { ID_PATTERN, submitRequestBody } from './routes/requests.js';

/**
 * The OpenAPI 3.1 document of the gateway, served at GET /openapi.json. Request bodies are derived
 * from the zod schemas that validate them; responses are written here and kept true by the
 * integration tests, which validate every response they receive against this document.
 */

type Json = Record<string, unknown>;

const ref = (name: string): Json => ({ $ref: `#/components/schemas/${name}` });
const nullable = (type: string, extra: Json = {}): Json => ({ type: [type, 'null'], ...extra });
const string = (extra: Json = {}): Json => ({ type: 'string', ...extra });
const dateTime: Json = { type: 'string', format: 'date-time' };

function fromZod(schema: z.ZodType): Json {
  const { $schema: _ignored, ...json } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Json;
  return json;
}

const object = (properties: Record<string, Json>, description?: string): Json => ({
  type: 'object',
  ...(description === undefined ? {} : { description }),
  properties,
  required: Object.keys(properties),
  additionalProperties: false,
});

const schemas: Record<string, Json> = {
  Error: object(
    {
      error: {
        type: 'object',
        properties: {
          code: string({ description: 'Stable machine-readable code, e.g. VALIDATION_FAILED, UNAUTHENTICATED, RATE_LIMITED.' }),
          message: string({ description: 'What went wrong, for people.' }),
          requestId: string({ description: 'The X-Request-Id of this request; quote it when reporting a problem.' }),
          details: { type: 'array', description: 'Validation failures, one per field.', items: object({ path: string(), message: string() }) },
        },
        required: ['code', 'message', 'requestId'],
        additionalProperties: false,
      },
    },
    'Every error answer. Never contains a stack trace.',
  ),
  SubmitRequest: {
    ...fromZod(submitRequestBody),
    description: 'A customer message. The tenant is taken from the credentials, never from the body.',
  },
  SubmitAccepted: object({ conversationId: string(), requestId: string(), eventId: string({ description: 'Id of the RequestReceived event; the same for a retry with the same Idempotency-Key.' }) }),
  Conversation: object({
    conversationId: string(),
    tenantId: string(),
    customerId: nullable('string'),
    channel: nullable('string'),
    customerTier: nullable('string'),
    subject: nullable('string'),
    lastMessage: nullable('string'),
    lastRequestId: nullable('string'),
    status: nullable('string', { description: 'RECEIVED, IN_PROGRESS, AWAITING_APPROVAL, or the outcome of the last run (RESOLVED, RESOLVED_AFTER_APPROVAL, HANDED_OFF, FALLBACK, FAILED).' }),
    currentStep: nullable('string'),
    nextStep: nullable('string'),
    triage: { description: 'The triage decision, as the triage step produced it (null before triage).' },
    outcome: nullable('string'),
    finalReply: nullable('string'),
    citations: { type: 'array', description: 'Knowledge-base sources the final reply cites.' },
    requestCount: { type: 'integer', minimum: 0 },
    stepCount: { type: 'integer', minimum: 0 },
    failureCount: { type: 'integer', minimum: 0 },
    eventCount: { type: 'integer', minimum: 0 },
    openedAt: dateTime,
    updatedAt: dateTime,
  }),
  ConversationEvent: object({
    seq: string({ pattern: '^\\d+$', description: 'Position in the conversation stream: page with ?after=, resume SSE with Last-Event-ID.' }),
    eventId: string(),
    type: string({ description: 'The event type, e.g. RequestReceived, AgentStepCompleted, ApprovalRequested, RunCompleted, ReplyReady.' }),
    topic: string(),
    partition: { type: 'integer', minimum: 0 },
    offset: string({ pattern: '^\\d+$' }),
    occurredAt: dateTime,
    producer: string(),
    requestId: string(),
    correlationId: string(),
    causationId: nullable('string'),
    schemaId: { type: 'integer' },
    summary: string({ description: 'One line saying what the event means.' }),
    data: { type: 'object', description: "The event's data, as in its Avro schema (schemas/<topic>/<type>.avsc)." },
  }),
  EventPage: object({
    events: { type: 'array', items: ref('ConversationEvent') },
    nextAfter: nullable('string', { description: 'Pass as ?after= for the next page; null when this page was the last one so far.' }),
  }),
  Approval: object({
    approvalId: string(),
    conversationId: string(),
    tenantId: string(),
    runId: nullable('string'),
    status: string({ enum: ['PENDING', 'APPROVED', 'REJECTED', 'EDITED', 'EXPIRED'] }),
    risk: nullable('string'),
    riskScore: nullable('number'),
    reason: nullable('string'),
    proposedReply: nullable('string'),
    proposedActions: { type: 'array', description: 'Side effects the agent wants to perform (refunds, …).' },
    requestedAt: nullable('string', { format: 'date-time' }),
    expiresAt: nullable('string', { format: 'date-time' }),
    decidedBy: nullable('string'),
    comment: nullable('string'),
    editedReply: nullable('string'),
    decidedAt: nullable('string', { format: 'date-time' }),
  }),
  ApprovalList: object({ approvals: { type: 'array', items: ref('Approval') } }),
  DecisionRequest: {
    ...fromZod(decisionBody),
    description: 'editedReply is required with EDITED and refused with the other decisions.',
    if: { properties: { decision: { const: 'EDITED' } } },
    then: { properties: { editedReply: { type: 'string' } }, required: ['editedReply'] },
    else: { not: { properties: { editedReply: { type: 'string' } }, required: ['editedReply'] } },
  },
  DecisionAccepted: object({ approvalId: string(), decision: string({ enum: ['APPROVED', 'REJECTED', 'EDITED'] }), eventId: string({ description: 'Id of the ApprovalDecided event.' }) }),
  Health: object({ status: string({ const: 'ok' }) }),
  Readiness: object({
    status: string({ enum: ['ready', 'unavailable'] }),
    components: {
      type: 'object',
      description: 'One entry per dependency: kafka, postgres, redis, schemaRegistry.',
      additionalProperties: object({ status: string({ enum: ['up', 'down'] }), latencyMs: { type: 'integer', minimum: 0 } }),
    },
  }),
};

const header = (description: string, schema: Json = string()): Json => ({ description, schema });
const headers = {
  'X-Request-Id': header('The request id: the sane X-Request-Id the client sent, or a generated one.'),
  'Retry-After': header('Seconds to wait before retrying.', { type: 'integer', minimum: 1 }),
  'RateLimit-Limit': header('Requests allowed per minute for this credential.', { type: 'integer' }),
  'RateLimit-Remaining': header('Requests left in the current window.', { type: 'integer' }),
  'RateLimit-Reset': header('Seconds until the window resets.', { type: 'integer' }),
  'WWW-Authenticate': header('The Bearer challenge (RFC 6750).'),
  Location: header('Where the created resource can be read.'),
};
const headerRef = (name: keyof typeof headers): Json => ({ $ref: `#/components/headers/${name}` });
const rateLimitHeaders = { 'RateLimit-Limit': headerRef('RateLimit-Limit'), 'RateLimit-Remaining': headerRef('RateLimit-Remaining'), 'RateLimit-Reset': headerRef('RateLimit-Reset') };

const errorResponse = (description: string, extraHeaders: Record<string, Json> = {}): Json => ({
  description,
  headers: { 'X-Request-Id': headerRef('X-Request-Id'), ...extraHeaders },
  content: { 'application/json': { schema: ref('Error') } },
});

const responses: Record<string, Json> = {
  BadRequest: errorResponse('The request is malformed: invalid JSON, a failed validation (details name each field), a bad query parameter.'),
  Unauthorized: errorResponse('Credentials are missing or invalid (bad signature, algorithm, issuer, audience, expired token, unknown or revoked API key).', { 'WWW-Authenticate': headerRef('WWW-Authenticate') }),
  Forbidden: errorResponse("The caller's role may not do this."),
  NotFound: errorResponse("Not found, or not the caller's (another tenant's, or for a customer another customer's): existence is not revealed."),
  Conflict: errorResponse('The approval is not PENDING (decided, expired, or a decision was already submitted).'),
  PayloadTooLarge: errorResponse('The body is larger than the configured limit.'),
  UnsupportedMediaType: errorResponse('The body is not application/json.'),
  TooManyRequests: errorResponse('The credential exceeded its requests per minute, or holds too many open streams.', { 'Retry-After': headerRef('Retry-After'), ...rateLimitHeaders }),
  Internal: errorResponse('The gateway failed unexpectedly; quote the request id.'),
  Unavailable: errorResponse('A dependency (Kafka, PostgreSQL, Redis, the live-update listener) is unavailable; retry later.', { 'Retry-After': headerRef('Retry-After') }),
};
const responseRef = (name: keyof typeof responses): Json => ({ $ref: `#/components/responses/${name}` });

const ok = (description: string, schema: Json, extraHeaders: Record<string, Json> = {}): Json => ({
  description,
  headers: { 'X-Request-Id': headerRef('X-Request-Id'), ...extraHeaders },
  content: { 'application/json': { schema } },
});

const secured = [{ bearerAuth: [] }, { apiKeyAuth: [] }];
const common = { '401': responseRef('Unauthorized'), '429': responseRef('TooManyRequests'), '500': responseRef('Internal'), '503': responseRef('Unavailable') };

const parameters: Record<string, Json> = {
  conversationId: { name: 'id', in: 'path', required: true, description: 'The conversation id.', schema: string({ pattern: ID_PATTERN }) },
  approvalId: { name: 'id', in: 'path', required: true, description: 'The approval id.', schema: string({ pattern: ID_PATTERN }) },
  idempotencyKey: {
    name: 'Idempotency-Key',
    in: 'header',
    required: false,
    description: 'Retry-safe submission: the same key (per tenant and customer) always yields the same conversation, request and event ids, and consumers drop the repeated event.',
    schema: string({ minLength: 1, maxLength: 200 }),
  },
  requestId: { name: 'X-Request-Id', in: 'header', required: false, description: 'Your request id (1-128 of A-Z a-z 0-9 . _ : -); echoed, else generated.', schema: string({ maxLength: 128 }) },
};
const param = (name: keyof typeof parameters): Json => ({ $ref: `#/components/parameters/${name}` });

const paths: Record<string, Json> = {
  '/v1/requests': {
    post: {
      operationId: 'submitRequest',
      summary: 'Submit a customer message (RequestReceived on customer.requests)',
      description: 'Roles: customer (as themselves), service, admin. Answers once the event is acknowledged by Kafka.',
      tags: ['requests'],
      security: secured,
      parameters: [param('idempotencyKey'), param('requestId')],
      requestBody: { required: true, content: { 'application/json': { schema: ref('SubmitRequest') } } },
      responses: {
        '202': ok('Accepted: the request is on customer.requests.', ref('SubmitAccepted'), { Location: headerRef('Location'), ...rateLimitHeaders }),
        '400': responseRef('BadRequest'),
        '403': responseRef('Forbidden'),
        '404': responseRef('NotFound'),
        '413': responseRef('PayloadTooLarge'),
        '415': responseRef('UnsupportedMediaType'),
        ...common,
      },
    },
  },
  '/v1/conversations/{id}': {
    get: {
      operationId: 'getConversation',
      summary: 'A conversation as the read model knows it',
      description: "Roles: customer (own conversations), service, supervisor, admin; always within the caller's tenant.",
      tags: ['conversations'],
      security: secured,
      parameters: [param('conversationId'), param('requestId')],
      responses: { '200': ok('The conversation.', ref('Conversation'), rateLimitHeaders), '404': responseRef('NotFound'), ...common },
    },
  },
  '/v1/conversations/{id}/events': {
    get: {
      operationId: 'listConversationEvents',
      summary: "A page of the conversation's events, oldest first",
      tags: ['conversations'],
      security: secured,
      parameters: [
        param('conversationId'),
        { name: 'after', in: 'query', required: false, description: 'Only events after this seq (the previous page’s nextAfter).', schema: string({ pattern: '^\\d{1,19}$' }) },
        { name: 'limit', in: 'query', required: false, description: 'Page size.', schema: { type: 'integer', minimum: 1, maximum: 500, default: 100 } },
        param('requestId'),
      ],
      responses: { '200': ok('One page.', ref('EventPage'), rateLimitHeaders), '400': responseRef('BadRequest'), '404': responseRef('NotFound'), ...common },
    },
  },
  '/v1/conversations/{id}/stream': {
    get: {
      operationId: 'streamConversation',
      summary: 'Server-sent events: the events after Last-Event-ID, then live ones',
      description:
        'Each SSE message has `id:` = seq, `event:` = the event type and `data:` = a ConversationEvent (JSON). A comment line is sent as a heartbeat every 15 s. Reconnect with Last-Event-ID (or ?lastEventId=) to resume; a seq or an event id is accepted. Open streams per credential are bounded (429).',
      tags: ['conversations'],
      security: secured,
      parameters: [
        param('conversationId'),
        { name: 'Last-Event-ID', in: 'header', required: false, description: 'Resume after this seq or event id.', schema: string({ maxLength: 200 }) },
        { name: 'lastEventId', in: 'query', required: false, description: 'The same, for clients that cannot set headers.', schema: string({ maxLength: 200 }) },
        param('requestId'),
      ],
      responses: {
        '200': {
          description: 'An event stream; each `data:` line is a ConversationEvent.',
          headers: { 'X-Request-Id': headerRef('X-Request-Id') },
          content: { 'text/event-stream': { schema: string(), 'x-sse-data-schema': ref('ConversationEvent') } },
        },
        '400': responseRef('BadRequest'),
        '404': responseRef('NotFound'),
        ...common,
      },
    },
  },
  '/v1/approvals': {
    get: {
      operationId: 'listApprovals',
      summary: "The tenant's approvals, oldest request first",
      description: 'Roles: supervisor, admin.',
      tags: ['approvals'],
      security: secured,
      parameters: [
        { name: 'status', in: 'query', required: false, description: 'PENDING, APPROVED, REJECTED, EDITED or EXPIRED, in any case.', schema: string() },
        { name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 500, default: 100 } },
        param('requestId'),
      ],
      responses: { '200': ok('The approvals.', ref('ApprovalList'), rateLimitHeaders), '400': responseRef('BadRequest'), '403': responseRef('Forbidden'), ...common },
    },
  },
  '/v1/approvals/{id}/decision': {
    post: {
      operationId: 'decideApproval',
      summary: 'Decide a pending approval (ApprovalDecided on human.approvals)',
      description: "Roles: supervisor, admin. decidedBy is the caller's subject.",
      tags: ['approvals'],
      security: secured,
      parameters: [param('approvalId'), param('requestId')],
      requestBody: { required: true, content: { 'application/json': { schema: ref('DecisionRequest') } } },
      responses: {
        '202': ok('Accepted: the decision is on human.approvals.', ref('DecisionAccepted'), rateLimitHeaders),
        '400': responseRef('BadRequest'),
        '403': responseRef('Forbidden'),
        '404': responseRef('NotFound'),
        '409': responseRef('Conflict'),
        '413': responseRef('PayloadTooLarge'),
        '415': responseRef('UnsupportedMediaType'),
        ...common,
      },
    },
  },
  '/health': {
    get: { operationId: 'health', summary: 'Liveness: the process answers', tags: ['operations'], security: [], responses: { '200': ok('Alive.', ref('Health')) } },
  },
  '/ready': {
    get: {
      operationId: 'ready',
      summary: 'Readiness: Kafka, PostgreSQL, Redis and the schema registry answer',
      tags: ['operations'],
      security: [],
      responses: { '200': ok('Every dependency is up.', ref('Readiness')), '503': ok('At least one dependency is down.', ref('Readiness')) },
    },
  },
  '/metrics': {
    get: {
      operationId: 'metrics',
      summary: 'Prometheus metrics (http_request_duration_seconds, gateway_auth_failures_total, gateway_rate_limited_total, …)',
      tags: ['operations'],
      security: [],
      responses: { '200': { description: 'Prometheus text format.', headers: { 'X-Request-Id': headerRef('X-Request-Id') }, content: { 'text/plain': { schema: string() } } } },
    },
  },
  '/openapi.json': {
    get: { operationId: 'openApiDocument', summary: 'This document', tags: ['operations'], security: [], responses: { '200': ok('The OpenAPI 3.1 document.', { type: 'object' }) } },
  },
};

export const openApiDocument = {
  openapi: '3.1.0',
  info: {
    title: 'supportstream gateway',
    version: '0.1.0',
    description:
      'Submit customer requests, read conversations and their events, follow them live (server-sent events) and decide approvals. Every call is scoped to the tenant of its credentials.',
  },
  servers: [{ url: '/' }],
  security: secured,
  tags: [{ name: 'requests' }, { name: 'conversations' }, { name: 'approvals' }, { name: 'operations' }],
  paths,
  components: {
    securitySchemes: {
      bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'A JWT with iss, aud, exp, sub, the tenant claim (default tenant_id) and role (customer, service, supervisor, admin).' },
      apiKeyAuth: { type: 'apiKey', in: 'header', name: 'X-Api-Key', description: 'sk_<keyId>_<secret>, made with `supportstream apikeys create` (also accepted as a Bearer token).' },
    },
    schemas,
    responses,
    parameters,
    headers,
  },
} as const;

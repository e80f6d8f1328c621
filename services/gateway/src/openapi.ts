import { CONVERSATION_STATUSES } from '@supportstream/projections';
import { MAX_DEAD_LETTER_LIST_LIMIT } from '@supportstream/kafka';
import { z } from 'zod';
import { QUEUE_LIMIT } from './routes/approvalStream.js';
import { APPROVAL_STATUSES, decisionBody } from './routes/approvals.js';
import { ISO_TIME_PATTERN } from './routes/conversationList.js';
import { SEQ_PATTERN } from './routes/conversations.js';
import { OFFSET_PATTERN as DEAD_LETTER_OFFSET_PATTERN, PARTITION_PATTERN as DEAD_LETTER_PARTITION_PATTERN, TOPIC_PATTERN as DEAD_LETTER_TOPIC_PATTERN } from './routes/deadLetters.js';
import { OVERVIEW_WINDOWS, OVERVIEW_WINDOW_NAMES, DEFAULT_OVERVIEW_WINDOW } from './overview/window.js';
import { anyCaseListPattern, anyCasePattern } from './routes/queryParams.js';
import { ID_PATTERN, IDEMPOTENCY_KEY_PATTERN, submitRequestBody } from './routes/requests.js';
import { signInBody } from './routes/session.js';

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
  ConversationList: object({
    conversations: { type: 'array', items: ref('Conversation'), description: 'Last activity first: updatedAt descending, then conversationId descending.' },
    nextAfter: nullable('string', { description: 'Opaque cursor: pass as ?after= (with the same filters) for the next page; null when this page was the last one.' }),
  }),
  ApprovalQueue: object(
    {
      approvals: { type: 'array', items: ref('Approval'), description: 'The PENDING approvals, oldest request first.' },
      truncated: { type: 'boolean', description: `True when more than ${QUEUE_LIMIT} are pending: the oldest ${QUEUE_LIMIT} are sent, the others are announced as requested while the queue drains.` },
    },
    'The live queue at connect time (the `snapshot` message of GET /v1/approvals/stream).',
  ),
  HistoryEntry: object({
    seq: string({ pattern: '^\\d+$', description: 'Position in the projected timeline; page with ?after=.' }),
    eventId: string(),
    type: string(),
    occurredAt: dateTime,
    topic: string({ description: 'Where the log holds the event.' }),
    partition: { type: 'integer', minimum: 0 },
    offset: string({ pattern: '^\\d+$' }),
    schema: object({
      id: { type: 'integer', description: 'The schema id the record was written with.' },
      subject: nullable('string', { description: 'Its registry subject (<topic>-<record full name>); null when the registry could not say.' }),
      version: nullable('integer', { description: 'Its version under that subject; null when unknown.' }),
    }),
    producer: string({ description: 'The service that produced the event.' }),
    requestId: string(),
    correlationId: string(),
    causationId: nullable('string', { description: 'The event that caused this one, as the event says (possibly outside the conversation).' }),
    parentEventId: nullable('string', { description: 'The cause when it is an event of this conversation (the parent in the causation tree); null for a root.' }),
    ancestorIds: { type: 'array', items: string(), description: 'Ancestors within the conversation, root first; empty for a root.' },
    depth: { type: 'integer', minimum: 0, description: 'Generations below its root (the length of ancestorIds).' },
    summary: string(),
    data: { type: 'object', description: "The event's data as the read model keeps it (personal data masked)." },
  }),
  ConversationHistory: object(
    {
      conversationId: string(),
      source: string({ const: 'read-model', description: 'The projected copy of the log (read_model.conversation_events), not Kafka itself.' }),
      events: { type: 'array', items: ref('HistoryEntry'), description: 'In projection order, which is offset order within each partition.' },
      nextAfter: nullable('string', { description: 'Pass as ?after= for the next page; null when this page was the last one so far.' }),
    },
    'The audit history of a conversation from the read model. `supportstream audit history <id>` reads Kafka itself (every topic and the dead-letter topics).',
  ),
  CheckpointSummary: object({
    checkpointId: string(),
    parentCheckpointId: nullable('string'),
    step: nullable('integer', { description: "LangGraph's step counter (-1 for the input checkpoint of a thread)." }),
    createdAt: nullable('string', { format: 'date-time' }),
    kind: string({ enum: ['input', 'runStart', 'step'], description: "input: a run's input (holds the previous run's state); runStart: before the run's first step; step: written after `node` ran." }),
    node: nullable('string', { description: 'The node whose step wrote the checkpoint (null unless kind is step).' }),
    next: { type: 'array', items: string(), description: 'The nodes that run next; empty when the run ended.' },
    runId: nullable('string'),
    requestId: nullable('string'),
    pendingApprovalId: nullable('string', { description: 'The approval the run waits for, when paused at escalation.' }),
  }),
  CheckpointList: object({
    conversationId: string(),
    checkpoints: { type: 'array', items: ref('CheckpointSummary'), description: 'Oldest first.' },
    truncated: { type: 'boolean', description: 'True when the thread has older checkpoints than the newest `limit` listed.' },
  }),
  CheckpointState: {
    ...object({
      conversationId: string(),
      checkpointId: string(),
      parentCheckpointId: nullable('string'),
      step: nullable('integer'),
      createdAt: nullable('string', { format: 'date-time' }),
      kind: string({ enum: ['input', 'runStart', 'step'] }),
      node: nullable('string'),
      next: { type: 'array', items: string() },
      runId: nullable('string'),
      requestId: nullable('string'),
      pendingApprovalId: nullable('string'),
      tasks: { type: 'array', items: string(), description: 'Every task of the checkpoint, including one whose writes were saved but whose next checkpoint was not.' },
      interrupts: { type: 'array', description: 'Values the paused node passed to interrupt() (the approval request).' },
      values: { type: 'object', description: 'The graph state: request, messages, triageDecision, sources, draft, review, risk, approval, outcome, finalReply, lastStep, counters. Personal data masked.' },
    }),
    description: 'The graph state at one checkpoint, personal data masked.',
  },
  DecisionRequest: {
    ...fromZod(decisionBody),
    description: 'editedReply is required with EDITED and refused with the other decisions.',
    if: { properties: { decision: { const: 'EDITED' } } },
    then: { properties: { editedReply: { type: 'string' } }, required: ['editedReply'] },
    else: { not: { properties: { editedReply: { type: 'string' } }, required: ['editedReply'] } },
  },
  DecisionAccepted: object({ approvalId: string(), decision: string({ enum: ['APPROVED', 'REJECTED', 'EDITED'] }), eventId: string({ description: 'Id of the ApprovalDecided event.' }) }),
  DeadLetterPosition: object({ topic: string({ description: 'The dead-letter topic, <topic>.dlq.' }), partition: { type: 'integer', minimum: 0 }, offset: string({ pattern: '^\\d+$' }) }),
  DeadLetterReplayState: object({
    replayId: string({ description: 'Derived from the DLQ position: the same for every attempt at one record.' }),
    status: string({ enum: ['pending', 'done'], description: 'pending: a replay was recorded but not completed (an interrupted attempt); replaying again completes it.' }),
    requestedBy: string(),
    replayedBy: nullable('string'),
    replayedAt: nullable('string', { format: 'date-time' }),
  }),
  DeadLetter: object(
    {
      position: ref('DeadLetterPosition'),
      originalTopic: string({ description: 'Where it came from, and where a replay puts it.' }),
      originalPartition: nullable('integer'),
      originalOffset: nullable('string', { pattern: '^\\d+$' }),
      consumerGroup: nullable('string', { description: 'The consumer group that gave up on it.' }),
      errorCode: nullable('string'),
      errorMessage: nullable('string', { description: 'Why, with personal data masked.' }),
      attempts: nullable('integer'),
      failedAt: dateTime,
      key: nullable('string', { description: 'The original key (the conversation id for platform producers).' }),
      eventType: nullable('string'),
      eventId: nullable('string'),
      tenantId: nullable('string', { description: "Always the caller's tenant here: records whose value does not decode name no tenant and are not listed." }),
      decodable: { type: 'boolean' },
      valueBytes: { type: 'integer', minimum: 0 },
      replay: { anyOf: [{ type: 'null' }, ref('DeadLetterReplayState')], description: 'Its replay, if one was asked for.' },
    },
    'A record a consumer could not process, as its dead-letter topic keeps it (the bytes themselves are not served).',
  ),
  DeadLetterList: object({
    deadLetters: { type: 'array', items: ref('DeadLetter'), description: 'Newest first.' },
    matched: { type: 'integer', minimum: 0, description: 'How many of the tenant matched before the limit.' },
    hiddenUnknownTenant: { type: 'integer', minimum: 0, description: 'Dead letters left out because their value does not decode, so their tenant cannot be read; operators see them with `supportstream dlq list`.' },
    note: nullable('string', { description: 'Says so in words when hiddenUnknownTenant > 0.' }),
  }),
  DeadLetterReplay: object({
    status: string({ enum: ['replayed', 'already_replayed'], description: 'already_replayed: an earlier replay put it back; nothing was done now.' }),
    replayId: string(),
    dlq: ref('DeadLetterPosition'),
    originalTopic: string(),
    replayedTo: object({ topic: string(), partition: { type: 'integer', minimum: 0 }, offset: string({ pattern: '^\\d+$' }) }),
    replayedBy: string({ description: 'Subject of whoever replayed it (the first time, for already_replayed).' }),
    replayedAt: dateTime,
    eventId: string({ description: 'Id of the DeadLetterReplayed event on system.analytics.' }),
    resumed: { type: 'boolean', description: 'This call completed a replay an earlier call recorded but did not finish.' },
  }),
  MoneyAmount: object(
    {
      currency: string({ description: 'ISO 4217 code.' }),
      amountMicros: string({ pattern: '^-?\\d+$', description: 'The amount in millionths of the currency unit (an integer, as a string).' }),
      amount: string({ pattern: '^-?\\d+(\\.\\d{1,6})?$', description: 'The same amount as an exact decimal ("49.99"): "." as the point, no grouping, no trailing zeros.' }),
    },
    'An exact amount of money; never a floating-point number.',
  ),
  OverviewTotals: object({
    conversations: { type: 'integer', minimum: 0, description: 'Finished runs (RequestOutcome events) in the window, by the time they finished.' },
    resolved: { type: 'integer', minimum: 0 },
    resolvedAfterApproval: { type: 'integer', minimum: 0 },
    handedOff: { type: 'integer', minimum: 0 },
    fallback: { type: 'integer', minimum: 0 },
    failed: { type: 'integer', minimum: 0 },
    escalated: { type: 'integer', minimum: 0, description: 'Runs that went to a supervisor (whatever their outcome).' },
    resolutionRate: nullable('number', { minimum: 0, maximum: 1, description: '(resolved + resolvedAfterApproval) / conversations; null without conversations.' }),
    escalationRate: nullable('number', { minimum: 0, maximum: 1, description: 'escalated / conversations; null without conversations.' }),
    meanHandlingMs: nullable('integer', { minimum: 0, description: 'Mean handling time (request received to outcome), rounded to the millisecond.' }),
    meanQualityScore: nullable('number', { minimum: 0, maximum: 1, description: "Mean of the quality reviews' scores, over the runs that had one." }),
    llm: object({ calls: { type: 'integer', minimum: 0 }, cachedCalls: { type: 'integer', minimum: 0 }, promptTokens: { type: 'integer', minimum: 0 }, completionTokens: { type: 'integer', minimum: 0 } }),
  }),
  OverviewCost: object({
    currency: string(),
    conversations: { type: 'integer', minimum: 0, description: 'Finished runs whose total cost is in this currency.' },
    total: ref('MoneyAmount'),
    perConversation: { anyOf: [{ type: 'null' }, ref('MoneyAmount')], description: 'total / conversations, rounded to the micro (half to even); null without conversations.' },
    llm: { ...ref('MoneyAmount'), description: 'What the model calls cost (cached answers cost nothing).' },
  }),
  OverviewBucket: object({
    start: dateTime,
    conversations: { type: 'integer', minimum: 0 },
    resolved: { type: 'integer', minimum: 0 },
    resolvedAfterApproval: { type: 'integer', minimum: 0 },
    handedOff: { type: 'integer', minimum: 0 },
    fallback: { type: 'integer', minimum: 0 },
    failed: { type: 'integer', minimum: 0 },
    escalated: { type: 'integer', minimum: 0 },
    meanHandlingMs: nullable('integer', { minimum: 0 }),
  }),
  OverviewOperations: object(
    {
      status: string({ enum: ['ok', 'unavailable'], description: 'unavailable: Kafka did not answer (in time); the lists are empty and message says why.' }),
      readAt: nullable('string', { format: 'date-time', description: 'When the figures were read from Kafka (they are reused for a few seconds).' }),
      message: nullable('string'),
      consumerGroups: {
        type: 'array',
        description: 'The platform consumer groups (supportstream-*, without a rebuild\'s), largest lag first. Lag: end offset minus committed offset on every partition the group committed on.',
        items: object({ group: string(), lag: { type: 'integer', minimum: 0 }, topics: { type: 'array', items: object({ topic: string(), lag: { type: 'integer', minimum: 0 }, partitions: { type: 'integer', minimum: 0 } }) } }),
      },
      deadLetters: {
        type: 'array',
        description: 'Every dead-letter topic that exists, with the records it keeps (high minus low watermark over its partitions).',
        items: object({ topic: string(), records: { type: 'integer', minimum: 0 }, partitions: { type: 'integer', minimum: 0 } }),
      },
      unreadGroups: { type: 'array', items: string(), description: 'Groups whose offsets could not be read this time.' },
    },
    'Cluster-wide operational figures, the same for every tenant: shown to admins only.',
  ),
  Overview: object({
    window: string({ enum: OVERVIEW_WINDOW_NAMES }),
    from: { ...dateTime, description: 'Start of the first bucket (inclusive).' },
    to: { ...dateTime, description: 'End of the last bucket (exclusive); the last bucket holds the time of the answer.' },
    stepSeconds: { type: 'integer', enum: Object.values(OVERVIEW_WINDOWS).map((entry) => entry.stepMs / 1000), description: 'Bucket size of the series.' },
    generatedAt: dateTime,
    totals: ref('OverviewTotals'),
    costs: { type: 'array', items: ref('OverviewCost'), description: 'One entry per currency, by code.' },
    series: { type: 'array', items: ref('OverviewBucket'), description: 'Every bucket from `from` to `to`, oldest first (zeros where nothing finished).' },
    approvals: object({
      pending: { type: 'integer', minimum: 0, description: "The tenant's PENDING approvals (read model)." },
      oldestRequestedAt: nullable('string', { format: 'date-time' }),
      oldestWaitingMs: nullable('integer', { minimum: 0, description: 'How long the oldest pending approval has waited.' }),
    }),
    operations: { anyOf: [{ type: 'null' }, ref('OverviewOperations')], description: 'Consumer lag and dead-letter sizes: for admins; null for supervisors (not tenant data).' },
  }),
  SignIn: {
    ...fromZod(signInBody),
    description: 'Exactly one credential: an API key or a JWT, verified exactly as in a header. Never stored: the cookie holds a random session token.',
    oneOf: [
      { type: 'object', properties: { apiKey: { type: 'string' } }, required: ['apiKey'] },
      { type: 'object', properties: { token: { type: 'string' } }, required: ['token'] },
    ],
  },
  SessionInfo: object({
    subject: string({ description: 'Token sub, or apikey:<keyId>.' }),
    role: string({ enum: ['customer', 'service', 'supervisor', 'admin'] }),
    tenantId: string(),
    kind: string({ enum: ['jwt', 'api_key'], description: 'What the session was opened with.' }),
    via: string({ enum: ['cookie', 'header'], description: 'cookie: the session cookie authenticated this call; header: a key or token in a header did.' }),
    expiresAt: nullable('string', { format: 'date-time', description: 'When the cookie session ends (null for header credentials).' }),
  }),
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
  Allow: header('The methods the path answers, e.g. "GET, HEAD, OPTIONS".'),
  'Set-Cookie': header('supportstream_session=<random token>; Path=/; HttpOnly; SameSite=Strict (Secure over https); Max-Age = the session lifetime. Cleared on sign-out.'),
};
const headerRef = (name: keyof typeof headers): Json => ({ $ref: `#/components/headers/${name}` });
const rateLimitHeaders = { 'RateLimit-Limit': headerRef('RateLimit-Limit'), 'RateLimit-Remaining': headerRef('RateLimit-Remaining'), 'RateLimit-Reset': headerRef('RateLimit-Reset') };

const errorResponse = (description: string, extraHeaders: Record<string, Json> = {}): Json => ({
  description,
  headers: { 'X-Request-Id': headerRef('X-Request-Id'), ...extraHeaders },
  content: { 'application/json': { schema: ref('Error') } },
});

const responses: Record<string, Json> = {
  BadRequest: errorResponse('The request is malformed: invalid JSON, a failed validation (details name each field), a bad query parameter, a path that is not valid percent-encoded UTF-8.'),
  Unauthorized: errorResponse('Credentials are missing or invalid (bad signature, algorithm, issuer, audience, expired token, unknown or revoked API key).', { 'WWW-Authenticate': headerRef('WWW-Authenticate') }),
  Forbidden: errorResponse("The caller's role may not do this, or an unsafe request authenticated by the session cookie lacks `X-SupportStream-CSRF: 1`."),
  NotFound: errorResponse("Not found, or not the caller's (another tenant's, or for a customer another customer's): existence is not revealed."),
  Conflict: errorResponse('The approval is not PENDING (decided, expired, or a decision was already submitted).'),
  PayloadTooLarge: errorResponse('The body is larger than the configured limit.'),
  UnsupportedMediaType: errorResponse('The body is not application/json.'),
  TooManyRequests: errorResponse('The credential exceeded its requests per minute, or holds too many open streams.', { 'Retry-After': headerRef('Retry-After'), ...rateLimitHeaders }),
  Internal: errorResponse('The gateway failed unexpectedly; quote the request id.'),
  MethodNotAllowed: errorResponse('The path is in this document, but not with this method (see the description of the document).', { Allow: headerRef('Allow') }),
  Unavailable: errorResponse('A dependency (Kafka, PostgreSQL, Redis, the live-update listener) is unavailable; retry later.', { 'Retry-After': headerRef('Retry-After') }),
};
const responseRef = (name: keyof typeof responses): Json => ({ $ref: `#/components/responses/${name}` });

const ok = (description: string, schema: Json, extraHeaders: Record<string, Json> = {}): Json => ({
  description,
  headers: { 'X-Request-Id': headerRef('X-Request-Id'), ...extraHeaders },
  content: { 'application/json': { schema } },
});

const secured = [{ bearerAuth: [] }, { apiKeyAuth: [] }, { sessionCookie: [] }];
const common = { '401': responseRef('Unauthorized'), '429': responseRef('TooManyRequests'), '500': responseRef('Internal'), '503': responseRef('Unavailable') };

const parameters: Record<string, Json> = {
  conversationId: { name: 'id', in: 'path', required: true, description: 'The conversation id.', schema: string({ pattern: ID_PATTERN }) },
  approvalId: { name: 'id', in: 'path', required: true, description: 'The approval id.', schema: string({ pattern: ID_PATTERN }) },
  checkpointId: { name: 'checkpointId', in: 'path', required: true, description: 'A checkpoint id of the conversation\'s thread, or `latest`.', schema: string({ pattern: ID_PATTERN }) },
  idempotencyKey: {
    name: 'Idempotency-Key',
    in: 'header',
    required: false,
    description: 'Retry-safe submission: the same key (per tenant and customer) always yields the same conversation, request and event ids, and consumers drop the repeated event.',
    schema: string({ minLength: 1, maxLength: 200, pattern: IDEMPOTENCY_KEY_PATTERN }),
  },
  requestId: { name: 'X-Request-Id', in: 'header', required: false, description: 'Your request id (1-128 of A-Z a-z 0-9 . _ : -); echoed, else generated.', schema: string({ maxLength: 128 }) },
};
const param = (name: keyof typeof parameters): Json => ({ $ref: `#/components/parameters/${name}` });

const paths: Record<string, Json> = {
  '/v1/session': {
    post: {
      operationId: 'createSession',
      summary: 'Sign in to the console: exchange an API key or a JWT for an HTTP-only session cookie',
      description:
        'The credential is verified exactly as in a header; a customer credential is refused (403). The cookie holds a random session token (kept in Redis under its hash), never the credential, and no script of the page can read it. The session lasts GATEWAY_SESSION_TTL_S at most, and never beyond the JWT it was opened with. Unsafe requests authenticated by the cookie must send `X-SupportStream-CSRF: 1`. Rate limits count against the credential.',
      tags: ['session'],
      security: [],
      parameters: [param('requestId')],
      requestBody: { required: true, content: { 'application/json': { schema: ref('SignIn') } } },
      responses: {
        '201': ok('Signed in: the cookie is set.', ref('SessionInfo'), { 'Set-Cookie': headerRef('Set-Cookie'), ...rateLimitHeaders }),
        '400': responseRef('BadRequest'),
        '403': responseRef('Forbidden'),
        '413': responseRef('PayloadTooLarge'),
        '415': responseRef('UnsupportedMediaType'),
        ...common,
      },
    },
    get: {
      operationId: 'getSession',
      summary: 'Who is signed in: subject, role, tenant (from the cookie or a header credential)',
      tags: ['session'],
      security: secured,
      parameters: [param('requestId')],
      responses: { '200': ok('The caller.', ref('SessionInfo'), rateLimitHeaders), ...common },
    },
    delete: {
      operationId: 'deleteSession',
      summary: 'Sign out: ends the cookie session and clears the cookie',
      description: 'With the cookie, send `X-SupportStream-CSRF: 1`. With a header credential there is no session: 204 all the same.',
      tags: ['session'],
      security: secured,
      parameters: [param('requestId')],
      responses: {
        '204': { description: 'Signed out.', headers: { 'X-Request-Id': headerRef('X-Request-Id'), 'Set-Cookie': headerRef('Set-Cookie') } },
        '403': responseRef('Forbidden'),
        ...common,
      },
    },
  },
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
  '/v1/conversations': {
    get: {
      operationId: 'listConversations',
      summary: "The tenant's conversations, last activity first (keyset pages)",
      description:
        "Roles: service, supervisor, admin (the whole tenant); customer (only their own: customerId is their token's subject, another customer's id is a 403). from/to bound updatedAt, the time of the conversation's latest event (from inclusive, to exclusive). Content is masked for every role but the customer.",
      tags: ['conversations'],
      security: secured,
      parameters: [
        { name: 'status', in: 'query', required: false, description: `Comma-separated, any case: ${CONVERSATION_STATUSES.join(', ')}; absent: every status (an empty value is refused).`, schema: string({ maxLength: 300, pattern: anyCaseListPattern(CONVERSATION_STATUSES) }) },
        { name: 'customerId', in: 'query', required: false, description: "Only this customer's conversations.", schema: string({ pattern: ID_PATTERN }) },
        { name: 'from', in: 'query', required: false, description: 'updatedAt at or after this ISO 8601 time (with its zone) or date (UTC midnight).', schema: string({ maxLength: 40, pattern: ISO_TIME_PATTERN }) },
        { name: 'to', in: 'query', required: false, description: 'updatedAt before this ISO 8601 time or date; later than from.', schema: string({ maxLength: 40, pattern: ISO_TIME_PATTERN }) },
        { name: 'limit', in: 'query', required: false, description: 'Page size.', schema: { type: 'integer', minimum: 1, maximum: 200, default: 50 } },
        { name: 'after', in: 'query', required: false, description: "The previous page's nextAfter (opaque).", schema: string({ maxLength: 400 }) },
        param('requestId'),
      ],
      responses: { '200': ok('One page.', ref('ConversationList'), rateLimitHeaders), '400': responseRef('BadRequest'), '403': responseRef('Forbidden'), ...common },
    },
  },
  '/v1/conversations/{id}': {
    get: {
      operationId: 'getConversation',
      summary: 'A conversation as the read model knows it',
      description: "Roles: customer (own conversations), service, supervisor, admin; always within the caller's tenant. A customer does not see the triage decision (null).",
      tags: ['conversations'],
      security: secured,
      parameters: [param('conversationId'), param('requestId')],
      responses: { '200': ok('The conversation.', ref('Conversation'), rateLimitHeaders), '400': responseRef('BadRequest'), '404': responseRef('NotFound'), ...common },
    },
  },
  '/v1/conversations/{id}/events': {
    get: {
      operationId: 'listConversationEvents',
      summary: "A page of the conversation's events, oldest first",
      description: "Roles: customer (own conversations), service, supervisor, admin. A customer sees their own conversation's request, steps, review decision and reply, reduced to what concerns them: no step outputs or summaries, no proposed reply or actions, risk, reasons, decider or comment, no alerts, metrics or model usage (those events are left out; their seq numbers are skipped).",
      tags: ['conversations'],
      security: secured,
      parameters: [
        param('conversationId'),
        { name: 'after', in: 'query', required: false, description: 'Only events after this seq (the previous page’s nextAfter).', schema: string({ pattern: SEQ_PATTERN }) },
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
        'Each SSE message has `id:` = seq, `event:` = the event type and `data:` = a ConversationEvent (JSON). A comment line is sent as a heartbeat every 15 s. Reconnect with Last-Event-ID (or ?lastEventId=) to resume; a seq or an event id is accepted. Open streams per credential are bounded (429). A customer sees their own conversation\'s request, steps, review decision and reply, reduced to what concerns them: no step outputs or summaries, no proposed reply or actions, risk, reasons, decider or comment, no alerts, metrics or model usage (those events are left out; their seq numbers are skipped).',
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
  '/v1/conversations/{id}/history': {
    get: {
      operationId: 'getConversationHistory',
      summary: "The conversation's audit history: each event with its place in the log, schema version and causation",
      description:
        "Roles: service, supervisor, admin (a customer gets 403). Served from the read model's timeline, the projected copy of the log (one row per event id; a record re-emitted with the same id appears once); `supportstream audit history <id>` reads Kafka itself and also lists the conversation's dead-lettered records, which this route does not (that needs a scan of the dead-letter topics). Schema subject and version come from the schema registry, cached per schema id; null when it could not say.",
      tags: ['audit'],
      security: secured,
      parameters: [
        param('conversationId'),
        { name: 'after', in: 'query', required: false, description: 'Only events after this seq (the previous page’s nextAfter).', schema: string({ pattern: SEQ_PATTERN }) },
        { name: 'limit', in: 'query', required: false, description: 'Page size.', schema: { type: 'integer', minimum: 1, maximum: 500, default: 500 } },
        param('requestId'),
      ],
      responses: { '200': ok('One page of the history.', ref('ConversationHistory'), rateLimitHeaders), '400': responseRef('BadRequest'), '403': responseRef('Forbidden'), '404': responseRef('NotFound'), ...common },
    },
  },
  '/v1/conversations/{id}/checkpoints': {
    get: {
      operationId: 'listCheckpoints',
      summary: "The graph checkpoints of the conversation's thread, oldest first (time travel)",
      description:
        "Roles: service, supervisor, admin of the conversation's tenant (a customer gets 403; another tenant's conversation is a 404, as the read model says whose it is). The newest `limit` checkpoints, oldest first; `truncated` says whether older ones exist. An empty list: the thread was not started yet, or its checkpoints were pruned.",
      tags: ['audit'],
      security: secured,
      parameters: [param('conversationId'), { name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 500, default: 100 } }, param('requestId')],
      responses: { '200': ok('The checkpoints.', ref('CheckpointList'), rateLimitHeaders), '400': responseRef('BadRequest'), '403': responseRef('Forbidden'), '404': responseRef('NotFound'), ...common },
    },
  },
  '/v1/conversations/{id}/checkpoints/{checkpointId}': {
    get: {
      operationId: 'getCheckpoint',
      summary: 'The graph state at one checkpoint (`latest` for the newest)',
      description:
        'Roles: service, supervisor, admin (a customer gets 403). The state holds what the customer wrote as the agents read it; personal data in it (card numbers, IBANs, e-mail addresses, phone numbers, national ids, addresses) is masked in this answer, ids stay.',
      tags: ['audit'],
      security: secured,
      parameters: [param('conversationId'), param('checkpointId'), param('requestId')],
      responses: { '200': ok('The state.', ref('CheckpointState'), rateLimitHeaders), '400': responseRef('BadRequest'), '403': responseRef('Forbidden'), '404': responseRef('NotFound'), ...common },
    },
  },
  '/v1/approvals/stream': {
    get: {
      operationId: 'streamApprovals',
      summary: "Server-sent events: the tenant's pending approvals now, then every change as it is projected",
      description:
        "Roles: supervisor, admin. Messages: `snapshot` (data: ApprovalQueue) first, then `requested` (a new pending approval), `decided` (APPROVED, REJECTED or EDITED) and `expired`, each with an Approval as data. Every message's `id:` is the version of the pending queue after it; reconnecting with that Last-Event-ID (or ?lastEventId=) while the queue is unchanged sends no snapshot (a `: resumed` comment), any other id gets a fresh snapshot. A `: heartbeat` comment every 15 s, which also re-reads the queue. Open streams per credential are bounded (429). Content is masked as in GET /v1/approvals.",
      tags: ['approvals'],
      security: secured,
      parameters: [
        { name: 'Last-Event-ID', in: 'header', required: false, description: 'The id of the last message received.', schema: string({ maxLength: 200 }) },
        { name: 'lastEventId', in: 'query', required: false, description: 'The same, for clients that cannot set headers.', schema: string({ maxLength: 200 }) },
        param('requestId'),
      ],
      responses: {
        '200': {
          description: 'An event stream of approval queue changes.',
          headers: { 'X-Request-Id': headerRef('X-Request-Id') },
          content: {
            'text/event-stream': {
              schema: string(),
              'x-sse-events': { snapshot: ref('ApprovalQueue'), requested: ref('Approval'), decided: ref('Approval'), expired: ref('Approval') },
            },
          },
        },
        '400': responseRef('BadRequest'),
        '403': responseRef('Forbidden'),
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
        { name: 'status', in: 'query', required: false, description: `${APPROVAL_STATUSES.join(', ')}, in any case; absent: every status (an empty value is refused).`, schema: string({ pattern: anyCasePattern(APPROVAL_STATUSES) }) },
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
  '/v1/overview': {
    get: {
      operationId: 'getOverview',
      summary: "The tenant's support figures over a window: rates, handling time, cost, LLM usage, a series, the approval queue; consumer lag and dead letters for admins",
      description:
        "Roles: supervisor, admin (customer and service get 403). Totals and series come from the analytics tables (what the analytics service folds out of system.analytics, per minute of the events' occurredAt), the approval queue from the read model. `operations` (consumer lag per group, dead-letter topic sizes) is cluster-wide, so only admins get it; supervisors get null. Those figures are read through Kafka's admin API at most every few seconds; when Kafka does not answer, operations.status is unavailable and the rest of the answer is unaffected.",
      tags: ['overview'],
      security: secured,
      parameters: [
        { name: 'window', in: 'query', required: false, description: 'The window and its series step: 1h (per minute), 6h (5 min), 24h (15 min), 7d (hourly).', schema: string({ enum: OVERVIEW_WINDOW_NAMES, default: DEFAULT_OVERVIEW_WINDOW }) },
        param('requestId'),
      ],
      responses: { '200': ok('The overview.', ref('Overview'), rateLimitHeaders), '400': responseRef('BadRequest'), '403': responseRef('Forbidden'), ...common },
    },
  },
  '/v1/admin/dead-letters': {
    get: {
      operationId: 'listDeadLetters',
      summary: "The tenant's dead letters (records on <topic>.dlq), newest first",
      description:
        "Role: admin. Only records whose value decodes to an event of the caller's tenant are listed: a record whose bytes do not decode names no tenant, so it is hidden (counted in hiddenUnknownTenant; operators list it with the CLI).",
      tags: ['admin'],
      security: secured,
      parameters: [
        { name: 'topic', in: 'query', required: false, description: 'An original topic (customer.requests, agent.actions, human.approvals, notifications.outbound, system.analytics) or its .dlq; default all.', schema: string({ pattern: DEAD_LETTER_TOPIC_PATTERN }) },
        { name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: MAX_DEAD_LETTER_LIST_LIMIT, default: 100 } },
        param('requestId'),
      ],
      responses: { '200': ok('The dead letters.', ref('DeadLetterList'), rateLimitHeaders), '400': responseRef('BadRequest'), '403': responseRef('Forbidden'), ...common },
    },
  },
  '/v1/admin/dead-letters/{topic}/{partition}/{offset}/replay': {
    post: {
      operationId: 'replayDeadLetter',
      summary: 'Put one dead letter back on its original topic (key, value and headers), once',
      description:
        "Role: admin, for a record of the caller's tenant. A second replay answers already_replayed and produces nothing. Each replay is recorded as a DeadLetterReplayed event (replayedBy = the caller's subject). No body.",
      tags: ['admin'],
      security: secured,
      parameters: [
        { name: 'topic', in: 'path', required: true, description: 'The dead-letter topic, e.g. customer.requests.dlq.', schema: string({ pattern: DEAD_LETTER_TOPIC_PATTERN }) },
        { name: 'partition', in: 'path', required: true, schema: string({ pattern: DEAD_LETTER_PARTITION_PATTERN }) },
        { name: 'offset', in: 'path', required: true, schema: string({ pattern: DEAD_LETTER_OFFSET_PATTERN }) },
        param('requestId'),
      ],
      responses: {
        '200': ok('Replayed now, or already replayed before (status says which).', ref('DeadLetterReplay'), rateLimitHeaders),
        '400': responseRef('BadRequest'),
        '403': responseRef('Forbidden'),
        '404': responseRef('NotFound'),
        '409': errorResponse('The record cannot be replayed (its headers name another topic than the dead-letter topic it sits on), or another replay of it is still running (retry).'),
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
      'Submit customer requests, read conversations and their events, follow them live (server-sent events) and decide approvals. Every call is scoped to the tenant of its credentials.\n\n' +
      'Paths match exactly as written here (case-sensitive, no trailing slash); any other path is a 404. A path answers the methods listed for it, HEAD wherever GET is listed (the GET answer without its body), and OPTIONS (204 with an `Allow` header; a CORS preflight, which carries Access-Control-Request-Method, gets its 204 from the CORS rules instead). Any other method on a path of this document is answered 405 with `Allow` and the Error body (`#/components/responses/MethodNotAllowed`).',
  },
  servers: [{ url: '/' }],
  security: secured,
  tags: [{ name: 'requests' }, { name: 'conversations' }, { name: 'approvals' }, { name: 'overview' }, { name: 'audit' }, { name: 'session' }, { name: 'admin' }, { name: 'operations' }],
  paths,
  components: {
    securitySchemes: {
      bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'A JWT with iss, aud, exp, sub, the tenant claim (default tenant_id) and role (customer, service, supervisor, admin).' },
      apiKeyAuth: { type: 'apiKey', in: 'header', name: 'X-Api-Key', description: 'sk_<keyId>_<secret>, made with `supportstream apikeys create` (also accepted as a Bearer token).' },
      sessionCookie: { type: 'apiKey', in: 'cookie', name: 'supportstream_session', description: 'The console session (POST /v1/session). Used only when no Authorization or X-Api-Key header is sent; unsafe methods also need `X-SupportStream-CSRF: 1`.' },
    },
    schemas,
    responses,
    parameters,
    headers,
  },
} as const;

import { resolve } from 'node:path';
import { createPool, ensureDatabase, runMigrations } from '@supportstream/db';
import { causedBy, createEventFactory, randomId, type Channel, type CustomerTier, type SupportEvent } from '@supportstream/events';
import { createEventProducer, createKafka, readToEnd } from '@supportstream/kafka';
import { embedderFromConfig, ingestKnowledge, loadMemoryConfig, vectorStoreFromConfig } from '@supportstream/memory';
import { createMetricsRegistry } from '@supportstream/observability';
import { buildSupportGraph } from '@supportstream/graph';
import { createCheckpointer, pruneCheckpoints } from '@supportstream/pipeline';
import type { CommandContext } from './commands.js';
import { commandCodec } from './keyVault.js';

/** `db migrate`: the platform's tables (migrations) and LangGraph's checkpoint tables. */
export async function dbMigrateCommand(context: CommandContext): Promise<number> {
  // A namespace's database (DATABASE_URL as parsed names it) is created on first migrate.
  if (await ensureDatabase(context.config.DATABASE_URL)) context.print(`created database ${new URL(context.config.DATABASE_URL).pathname.slice(1)}`);
  const pool = createPool(context.config.DATABASE_URL, { max: 2, applicationName: 'supportstream-cli' });
  try {
    const applied = await runMigrations(pool, { onApplied: (migration) => context.print(`applied ${migration.file} (${migration.durationMs} ms)`) });
    if (applied.length === 0) context.print('migrations: up to date');
    await createCheckpointer(pool);
    context.print('checkpoint tables: ready');
    return 0;
  } finally {
    await pool.end();
  }
}

/** `knowledge ingest`: markdown -> chunks -> embeddings -> vector store (idempotent). */
export async function knowledgeIngestCommand(context: CommandContext, options: { dir: string; tenant?: string }): Promise<number> {
  const memoryConfig = loadMemoryConfig();
  const pool = createPool(context.config.DATABASE_URL, { max: 2, applicationName: 'supportstream-cli' });
  try {
    const result = await ingestKnowledge({
      dir: resolve(options.dir),
      store: vectorStoreFromConfig(memoryConfig, { pool }),
      embedder: embedderFromConfig(memoryConfig),
      ...(options.tenant ? { tenantId: options.tenant } : {}),
    });
    context.print(`knowledge: ${JSON.stringify(result)}`);
    return 0;
  } finally {
    await pool.end();
  }
}

function kafkaTools(context: CommandContext) {
  const kafka = createKafka({ brokers: context.config.KAFKA_BROKERS, clientId: 'supportstream-cli', logger: context.logger, namespace: context.config.SUPPORTSTREAM_NAMESPACE });
  const codec = commandCodec(context);
  const producer = createEventProducer({ kafka, codec, logger: context.logger, metrics: createMetricsRegistry({}, false) });
  return { kafka, codec, producer };
}

async function publish(context: CommandContext, events: SupportEvent[]): Promise<void> {
  const { producer } = kafkaTools(context);
  await producer.connect();
  try {
    await producer.publish(events);
  } finally {
    await producer.disconnect();
  }
}

export interface AskOptions {
  readonly message: string;
  readonly customer: string;
  readonly tenant: string;
  readonly conversation?: string;
  readonly tier?: string;
  readonly channel?: string;
  readonly subject?: string;
}

/** `ask`: puts a customer request on customer.requests, as any producer would. */
export async function askCommand(context: CommandContext, options: AskOptions): Promise<number> {
  const factory = createEventFactory({ producer: 'supportstream-cli' });
  const conversationId = options.conversation ?? `conv-${randomId()}`;
  const request = factory.create(
    'RequestReceived',
    {
      channel: (options.channel ?? 'WEB') as Channel,
      customerId: options.customer,
      customerTier: (options.tier ?? 'STANDARD') as CustomerTier,
      subject: options.subject ?? null,
      message: options.message,
      locale: null,
      attributes: {},
    },
    { conversationId, requestId: randomId(), tenantId: options.tenant, correlationId: randomId(), causationId: null, customerId: options.customer },
  );
  await publish(context, [request]);
  context.print(JSON.stringify({ conversationId, requestId: request.metadata.requestId, eventId: request.metadata.eventId }));
  return 0;
}

interface PendingApproval {
  readonly request: Extract<SupportEvent, { type: 'ApprovalRequested' }>;
}

async function pendingApprovals(context: CommandContext): Promise<{ pending: PendingApproval[]; all: SupportEvent[] }> {
  const { kafka, codec } = kafkaTools(context);
  const records = await readToEnd(kafka, codec, ['human.approvals']);
  const closed = new Set(records.flatMap(({ event }) => (event.type === 'ApprovalDecided' || event.type === 'ApprovalExpired' ? [event.data.approvalId] : [])));
  const seen = new Set<string>();
  const pending: PendingApproval[] = [];
  for (const { event } of records) {
    if (event.type !== 'ApprovalRequested' || closed.has(event.data.approvalId) || seen.has(event.data.approvalId)) continue;
    seen.add(event.data.approvalId);
    pending.push({ request: event });
  }
  return { pending, all: records.map((record) => record.event) };
}

const money = (amount: { amountMicros: number; currency: string } | null) => (amount ? `${(amount.amountMicros / 1e6).toFixed(2)} ${amount.currency}` : '');

/** `approvals list|show|approve|reject|edit`: the supervisor's console on the terminal. */
export async function approvalsCommand(context: CommandContext, action: string | undefined, approvalId: string | undefined, options: { by?: string; comment?: string; reply?: string; json?: boolean }): Promise<number> {
  const { pending } = await pendingApprovals(context);
  if (action === 'list' || action === undefined) {
    if (options.json) {
      context.print(JSON.stringify(pending.map(({ request }) => ({ approvalId: request.data.approvalId, conversationId: request.metadata.conversationId, risk: request.data.risk, reason: request.data.reason, expiresAt: request.data.expiresAt }))));
      return 0;
    }
    if (pending.length === 0) context.print('no pending approvals');
    for (const { request } of pending) {
      context.print(`${request.data.approvalId}  ${request.data.risk.padEnd(8)} ${request.metadata.conversationId}  ${request.data.reason}  (expires ${request.data.expiresAt.toISOString()})`);
    }
    return 0;
  }
  const match = pending.find(({ request }) => request.data.approvalId === approvalId);
  if (!match) {
    context.print(`approval ${approvalId ?? '(none given)'} is not pending (unknown, decided or expired)`);
    return 1;
  }
  const { request } = match;
  if (action === 'show') {
    const { kafka, codec } = kafkaTools(context);
    const history = (await readToEnd(kafka, codec, ['customer.requests', 'agent.actions']))
      .map((record) => record.event)
      .filter((event) => event.metadata.conversationId === request.metadata.conversationId)
      .sort((a, b) => a.metadata.occurredAt.getTime() - b.metadata.occurredAt.getTime());
    context.print(`approval ${request.data.approvalId} — ${request.data.risk} risk (${request.data.riskScore}), expires ${request.data.expiresAt.toISOString()}`);
    context.print(`reason: ${request.data.reason}`);
    for (const event of history) {
      if (event.type === 'RequestReceived') context.print(`customer (${event.data.customerId}, ${event.data.customerTier}): ${event.data.message}`);
      if (event.type === 'AgentStepCompleted') context.print(`  ${event.data.node}: ${event.data.summary}`);
    }
    context.print(`proposed reply: ${request.data.proposedReply}`);
    for (const proposed of request.data.proposedActions) context.print(`proposed action: ${proposed.kind} ${money(proposed.amount)} — ${proposed.description}`);
    return 0;
  }
  const decisions: Record<string, 'APPROVED' | 'REJECTED' | 'EDITED'> = { approve: 'APPROVED', reject: 'REJECTED', edit: 'EDITED' };
  const decision = decisions[action];
  if (!decision) {
    context.print(`unknown approvals action: ${action}`);
    return 2;
  }
  if (decision === 'EDITED' && !options.reply) {
    context.print('edit needs --reply "<the reply to send instead>"');
    return 2;
  }
  const factory = createEventFactory({ producer: 'supportstream-cli' });
  const decided = factory.create(
    'ApprovalDecided',
    { approvalId: request.data.approvalId, decision, decidedBy: options.by ?? process.env['USER'] ?? 'supervisor', comment: options.comment ?? null, editedReply: decision === 'EDITED' ? (options.reply ?? null) : null },
    causedBy(request),
  );
  await publish(context, [decided]);
  context.print(`${decision.toLowerCase()} ${request.data.approvalId}`);
  return 0;
}

/** `checkpoints prune`: the retention policy for LangGraph checkpoints (see pruneCheckpoints). */
export async function checkpointsPruneCommand(context: CommandContext, options: { idleDays: number }): Promise<number> {
  const pool = createPool(context.config.DATABASE_URL, { max: 2, applicationName: 'supportstream-cli' });
  try {
    const graph = buildSupportGraph({ nodes: {}, checkpointer: await createCheckpointer(pool) });
    const report = await pruneCheckpoints(graph, pool, { idleDays: options.idleDays });
    context.print(`checkpoints: compacted ${report.threads} closed thread(s) idle for ${options.idleDays}+ days: ${JSON.stringify(report)}`);
    return 0;
  } finally {
    await pool.end();
  }
}

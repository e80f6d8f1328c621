import { createRegistryClient, type EventCodec, type SupportEvent } from '@supportstream/events';
import { createKafka, readRawToEnd, type Kafka } from '@supportstream/kafka';
import type { CommandContext } from '../commands.js';
import { orderByCausation, type CausalEntry, type LoggedEvent } from './causation.js';
import { deadLettersOf, describeDeadLetter, type DeadLetterEntry } from './deadLetters.js';
import { describeSchema, schemaVersionResolver, type SchemaVersionInfo } from './schemaVersions.js';
import { commandCodec } from '../keyVault.js';

/** Every topic a conversation's events go to. */
export const AUDIT_TOPICS = ['customer.requests', 'agent.actions', 'human.approvals', 'notifications.outbound', 'system.analytics'] as const;

interface HistoryRecord extends LoggedEvent {
  readonly schema: SchemaVersionInfo;
}

/** A record keyed by the conversation that does not decode: shown, never silently skipped. */
interface UndecodableRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly error: string;
}

export interface ConversationHistory {
  readonly entries: readonly CausalEntry<HistoryRecord>[];
  readonly undecodable: readonly UndecodableRecord[];
  readonly deadLetters: readonly DeadLetterEntry[];
}

export function auditKafka(context: CommandContext): { kafka: Kafka; codec: EventCodec } {
  return {
    kafka: createKafka({ brokers: context.config.KAFKA_BROKERS, clientId: 'supportstream-audit', logger: context.logger, namespace: context.config.SUPPORTSTREAM_NAMESPACE }),
    codec: commandCodec(context),
  };
}

/** Reads the conversation from Kafka itself: the five topics and their dead-letter topics. */
export async function readConversationHistory(context: CommandContext, conversationId: string): Promise<ConversationHistory> {
  const { kafka, codec } = auditKafka(context);
  const schemas = schemaVersionResolver(createRegistryClient(context.config.SCHEMA_REGISTRY_URL));
  const records: HistoryRecord[] = [];
  const undecodable: UndecodableRecord[] = [];
  for (const raw of await readRawToEnd(kafka, AUDIT_TOPICS)) {
    const keyed = raw.key?.toString('utf8') === conversationId;
    try {
      const decoded = await codec.decode(raw.value);
      if (decoded.event.metadata.conversationId !== conversationId && !keyed) continue;
      const schema = await schemas.resolve(decoded.schemaId, raw.topic, decoded.writerSchema);
      records.push({ event: decoded.event, topic: raw.topic, partition: raw.partition, offset: raw.offset, schema });
    } catch (error) {
      if (keyed) undecodable.push({ topic: raw.topic, partition: raw.partition, offset: raw.offset, error: error instanceof Error ? error.message : String(error) });
    }
  }
  return { entries: orderByCausation(records), undecodable, deadLetters: await deadLettersOf(kafka, codec, AUDIT_TOPICS, conversationId) };
}

const clip = (text: string, max = 100) => (text.length > max ? `${text.slice(0, max - 1)}…` : text).replace(/\s+/g, ' ');

function detailOf(event: SupportEvent): string {
  switch (event.type) {
    case 'RequestReceived':
      return `${event.data.customerId} (${event.data.customerTier}): ${clip(event.data.message)}`;
    case 'AgentStepCompleted':
      return `${event.data.node}: ${clip(event.data.summary)} → ${event.data.next ?? 'end'}`;
    case 'StepFailed':
      return `${event.data.node} attempt ${event.data.attempt}: ${event.data.errorCode}${event.data.willRetry ? ' (will retry)' : ''}`;
    case 'RunCompleted':
      return `${event.data.outcome} after ${event.data.stepCount} steps`;
    case 'ApprovalRequested':
      return `${event.data.approvalId} ${event.data.risk}: ${clip(event.data.reason)}`;
    case 'ApprovalDecided':
      return `${event.data.approvalId}: ${event.data.decision} by ${event.data.decidedBy}`;
    case 'ApprovalExpired':
      return `${event.data.approvalId}: ${event.data.fallbackPath}`;
    case 'ReplyReady':
      return `${event.data.channel}: ${clip(event.data.body)}`;
    case 'SupervisorAlert':
      return `${event.data.severity} ${event.data.reason}`;
    case 'StepMetrics':
      return `${event.data.node} ${event.data.status} ${event.data.durationMs} ms`;
    case 'LlmUsage':
      return `${event.data.node} ${event.data.provider}/${event.data.model} ${event.data.promptTokens}+${event.data.completionTokens} tokens`;
    case 'RequestOutcome':
      return `${event.data.outcome}${event.data.escalated ? ', escalated' : ''}`;
    case 'DeadLetterReplayed':
      return `${event.data.dlqTopic}[${event.data.dlqPartition}]@${event.data.dlqOffset} → ${event.data.originalTopic}[${event.data.replayedToPartition}]@${event.data.replayedToOffset} by ${event.data.replayedBy}`;
    default: {
      const unreachable: never = event;
      return String(unreachable);
    }
  }
}

function toJson(history: ConversationHistory): unknown[] {
  return [
    ...history.entries.map(({ record, chain, duplicateOf }) => {
      const { event } = record;
      return {
        kind: 'event',
        occurredAt: event.metadata.occurredAt.toISOString(),
        type: event.type,
        topic: record.topic,
        partition: record.partition,
        offset: record.offset,
        schemaId: record.schema.schemaId,
        schemaSubject: record.schema.subject,
        schemaVersion: record.schema.version,
        producer: event.metadata.producer,
        eventId: event.metadata.eventId,
        causationId: event.metadata.causationId,
        causationChain: chain,
        depth: chain.length,
        duplicateOf: duplicateOf ?? null,
        requestId: event.metadata.requestId,
        correlationId: event.metadata.correlationId,
        tenantId: event.metadata.tenantId,
        data: event.data,
      };
    }),
    ...history.undecodable.map((record) => ({ kind: 'undecodable', ...record })),
    ...history.deadLetters.map((entry) => ({ kind: 'deadLetter', ...entry })),
  ];
}

/** Two spaces per generation under the root, capped so a long run stays readable. */
const indent = (depth: number) => (depth === 0 ? '' : `${'  '.repeat(Math.min(depth - 1, 12))}└ `);

/**
 * `audit history <conversationId>` (and its alias `conversation <id>`): the conversation's events
 * from every topic, ordered by time with causes before effects, each indented under its cause.
 */
export async function auditHistoryCommand(context: CommandContext, conversationId: string, options: { json?: boolean }): Promise<number> {
  const history = await readConversationHistory(context, conversationId);
  const { entries, undecodable, deadLetters } = history;
  if (entries.length === 0) {
    const lost = deadLetters.length + undecodable.length;
    (context.printError ?? context.print)(
      `no events for conversation ${conversationId} on ${AUDIT_TOPICS.join(', ')}${lost > 0 ? ` (${lost} dead-lettered or undecodable record(s) below)` : ''}`,
    );
    if (lost === 0) return 1;
  }
  if (options.json) {
    context.print(JSON.stringify(toJson(history)));
    return entries.length > 0 ? 0 : 1;
  }
  const ids = new Set(entries.map(({ record }) => record.event.metadata.eventId));
  context.print(
    `conversation ${conversationId}: ${entries.length} event(s), ${deadLetters.length} dead-lettered; by time, causes before effects, each indented under its cause`,
  );
  for (const { record, chain, duplicateOf } of entries) {
    const { event } = record;
    const { causationId } = event.metadata;
    const cause = causationId === null ? 'root' : ids.has(causationId) ? `cause ${causationId}` : `root (cause ${causationId} is outside the conversation)`;
    context.print(
      [
        event.metadata.occurredAt.toISOString(),
        `${indent(chain.length)}${event.type}`,
        `${record.topic}[${record.partition}]@${record.offset}`,
        describeSchema(record.schema),
        `producer ${event.metadata.producer}`,
        `event ${event.metadata.eventId}`,
        cause,
        detailOf(event),
        ...(duplicateOf ? [`(duplicate of ${duplicateOf})`] : []),
      ].join('  '),
    );
  }
  for (const record of undecodable) context.print(`undecodable record ${record.topic}[${record.partition}]@${record.offset}: ${record.error}`);
  if (deadLetters.length > 0) context.print('dead-lettered (never processed by the platform):');
  for (const entry of deadLetters) context.print(`  ${describeDeadLetter(entry)}`);
  return entries.length > 0 ? 0 : 1;
}

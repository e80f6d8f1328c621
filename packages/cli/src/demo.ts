import { setTimeout as sleep } from 'node:timers/promises';
import {
  causedBy,
  createEventFactory,
  deterministicEventId,
  EVENT_TYPES,
  randomId,
  TOPIC_NAMES,
  topicOf,
  type EventDataMap,
  type EventType,
  type SupportEvent,
} from '@supportstream/events';
import { createConsumerRunner, createEventProducer, createKafka, type EventHandlers } from '@supportstream/kafka';
import { createMetricsRegistry } from '@supportstream/observability';
import type { CommandContext } from './commands.js';
import { commandCodec } from './keyVault.js';

const money = (amountMicros: number, currency = 'EUR') => ({ amountMicros, currency });

/**
 * Walks one scripted conversation through the event backbone: every event type is produced
 * through the registry-backed producer and read back by the consumer runner. It shows the
 * topics, schemas, keys and causation chain working; the agents themselves come with the
 * pipeline services.
 */
export async function demoCommand(context: CommandContext): Promise<number> {
  const { config, print } = context;
  const kafka = createKafka({ brokers: config.KAFKA_BROKERS, clientId: 'supportstream-demo', logger: context.logger, namespace: config.SUPPORTSTREAM_NAMESPACE });
  const codec = commandCodec(context);
  const metrics = createMetricsRegistry({ service: 'demo' }, false);
  const factory = createEventFactory({ producer: 'supportstream-demo' });
  const conversationId = `demo-${randomId()}`;
  const seen: SupportEvent[] = [];

  const record = (event: SupportEvent) => {
    if (event.metadata.conversationId !== conversationId) return Promise.resolve();
    seen.push(event);
    const cause = event.metadata.causationId ? ` <- ${event.metadata.causationId.slice(0, 8)}` : '';
    print(`  ${topicOf(event.type).padEnd(24)} ${event.type.padEnd(20)} ${event.metadata.eventId.slice(0, 8)}${cause}`);
    return Promise.resolve();
  };
  const handlers = Object.fromEntries(EVENT_TYPES.map((type) => [type, record])) as EventHandlers;
  const runner = createConsumerRunner({ kafka, codec, groupId: `demo-${Date.now()}`, topics: [...TOPIC_NAMES], handlers, logger: context.logger, metrics, fromBeginning: false });
  const producer = createEventProducer({ kafka, codec, logger: context.logger, metrics });

  await codec.prepare();
  await runner.start();
  await producer.connect();
  // A new group starts at the end of the log; give it a moment to be assigned its partitions.
  await sleep(3_000);

  const request = factory.create(
    'RequestReceived',
    { channel: 'WEB', customerId: 'cust-demo', customerTier: 'VIP', subject: 'Charged twice', message: 'I was charged twice for order 1001.', locale: 'en', attributes: {} },
    { conversationId, requestId: randomId(), tenantId: 'demo-tenant', correlationId: randomId(), causationId: null, customerId: 'cust-demo' },
  );
  const chain: SupportEvent[] = [request];
  const next = <T extends EventType>(type: T, data: EventDataMap[T], node: string) => {
    const previous = chain[chain.length - 1] ?? request;
    const event = factory.create(type, data, causedBy(previous), deterministicEventId({ conversationId, checkpointId: `demo-${chain.length}`, node, eventType: type }));
    chain.push(event as SupportEvent);
    return event;
  };
  const step = (node: string, nextNode: string | null, summary: string, index: number) =>
    next('AgentStepCompleted', { runId: 'run-demo', node, checkpointId: `demo-${index}`, stepIndex: index, attempt: 1, next: nextNode, summary, output: '{}', durationMs: 5 }, node);
  step('triage', 'research', 'billing / duplicate charge, high priority', 1);
  step('research', 'solution', 'found the refund policy', 2);
  step('solution', 'quality', 'drafted a refund of 49.99 EUR', 3);
  step('quality', 'escalate', 'refund over the threshold needs approval', 4);
  next('ApprovalRequested', {
    approvalId: 'appr-demo', runId: 'run-demo', checkpointId: 'demo-5', reason: 'refund above 25.00 EUR', risk: 'HIGH', riskScore: 0.8,
    proposedReply: 'We refunded 49.99 EUR.', proposedActions: [{ kind: 'refund', description: 'duplicate charge', amount: money(49_990_000), parameters: {} }],
    expiresAt: new Date(Date.now() + 3_600_000),
  }, 'escalate');
  next('ApprovalDecided', { approvalId: 'appr-demo', decision: 'APPROVED', decidedBy: 'supervisor', comment: null, editedReply: null }, 'human');
  next('RunCompleted', { runId: 'run-demo', outcome: 'RESOLVED_AFTER_APPROVAL', finalReply: 'We refunded 49.99 EUR.', citations: [], stepCount: 6, durationMs: 1200 }, 'respond');
  next('ReplyReady', { replyId: 'reply-demo', runId: 'run-demo', customerId: 'cust-demo', channel: 'WEB', body: 'We refunded 49.99 EUR.', citations: [] }, 'respond');
  next('StepMetrics', { runId: 'run-demo', node: 'solution', status: 'COMPLETED', attempt: 1, durationMs: 5, queueDelayMs: 2 }, 'respond');
  next('LlmUsage', { runId: 'run-demo', node: 'solution', provider: 'offline', model: 'offline', promptTokens: 100, completionTokens: 20, latencyMs: 1, cost: money(0, 'USD'), cached: false }, 'respond');
  next('RequestOutcome', { runId: 'run-demo', outcome: 'RESOLVED_AFTER_APPROVAL', escalated: true, handlingTimeMs: 1200, qualityScore: 0.9, stepCount: 6, llmCalls: 3, totalCost: money(0, 'USD') }, 'respond');

  print(`conversation ${conversationId}: publishing ${chain.length} events, reading them back:`);
  await producer.publish(chain);
  const deadline = Date.now() + 30_000;
  while (seen.length < chain.length && Date.now() < deadline) await sleep(100);
  await producer.disconnect();
  await runner.stop();
  const complete = seen.length === chain.length;
  print(complete ? `all ${chain.length} events made the round trip through Kafka and the schema registry` : `only ${seen.length} of ${chain.length} events came back within 30 s`);
  return complete ? 0 : 1;
}

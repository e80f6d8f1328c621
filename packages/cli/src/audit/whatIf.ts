import { randomBytes } from 'node:crypto';
import { topicOf } from '@supportstream/events';
import { applyTopics, createEventProducer, type TopicSpec } from '@supportstream/kafka';
import { createMetricsRegistry } from '@supportstream/observability';
import { runIdOf } from '@supportstream/pipeline';
import { loadAgentServiceEnv } from '@supportstream/platform';
import type { CommandContext } from '../commands.js';
import { AUDIT_TOPICS, auditKafka } from './history.js';
import { readRecordedWindow } from './recordedWindow.js';
import { createReplayEngine, type ReplayResult, type RequestReceived } from './replayEngine.js';
import { compareRuns, summarizeComparisons, summarizeRun, type RequestComparison } from './runComparison.js';
import { formatWhatIfReport, type WhatIfReport } from './whatIfReport.js';

export interface WhatIfOptions {
  readonly from: Date;
  readonly to: Date;
  readonly tenant?: string;
  /** At most this many requests are replayed (the earliest in the window). */
  readonly limit?: number;
  /** Keep the shadow threads' checkpoints (for `audit checkpoints|state` on them). */
  readonly keep?: boolean;
  readonly json?: boolean;
  readonly runTimeoutMs?: number;
  /** Conversations replayed at once; the requests of one conversation run in order. */
  readonly concurrency?: number;
}

const SHADOW_RETENTION_MS = 7 * 24 * 3600 * 1000;
export const shadowTopic = (replayId: string, topic: string): string => `shadow.${replayId}.${topic}`;
export const shadowThread = (replayId: string, conversationId: string): string => `whatif-${replayId}-${conversationId}`;

/**
 * `audit whatif`: replays the customer requests of a time window through the current graph and
 * configuration, into shadow topics and shadow threads, and compares each run with what was
 * recorded on agent.actions and human.approvals. Nothing real is touched: events go only to
 * `shadow.<replayId>.<topic>`, runs only to threads `whatif-<replayId>-<conversationId>`, and
 * memory is read as of each request's arrival and never written.
 */
export async function auditWhatIfCommand(context: CommandContext, options: WhatIfOptions): Promise<number> {
  const fail = (message: string) => {
    (context.printError ?? context.print)(message);
    return 2;
  };
  if (Number.isNaN(options.from.getTime()) || Number.isNaN(options.to.getTime())) return fail('--from and --to must be ISO-8601 times, e.g. 2026-11-21T09:00:00Z');
  if (options.from.getTime() >= options.to.getTime()) return fail('--from must be before --to');
  const limit = options.limit ?? 500;
  if (!Number.isInteger(limit) || limit < 1) return fail('--limit must be a positive integer');

  const env = loadAgentServiceEnv();
  const { kafka, codec } = auditKafka(context);
  const { requests: inWindow, recordedByConversation } = await readRecordedWindow(kafka, codec, options);
  if (inWindow.length === 0) {
    (context.printError ?? context.print)(
      `no RequestReceived on customer.requests in [${options.from.toISOString()}, ${options.to.toISOString()})${options.tenant ? ` for tenant ${options.tenant}` : ''}`,
    );
    return 1;
  }
  const requests = inWindow.slice(0, limit);

  const replayId = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  const shadowTopics = AUDIT_TOPICS.map((topic) => shadowTopic(replayId, topic));
  const specs: TopicSpec[] = shadowTopics.map((name) => ({ name, partitions: 1, replicationFactor: 3, config: { 'cleanup.policy': 'delete', 'retention.ms': String(SHADOW_RETENTION_MS) } }));
  await applyTopics(kafka, specs);
  const producer = createEventProducer({
    kafka,
    codec,
    logger: context.logger,
    metrics: createMetricsRegistry({}, false),
    // Only ever a shadow topic: a replay must never reach the platform's topics.
    topicFor: (event) => shadowTopic(replayId, topicOf(event.type)),
  });
  const engine = await createReplayEngine({ env, logger: context.logger, producer: `whatif-${replayId}`, ...(options.runTimeoutMs ? { runTimeoutMs: options.runTimeoutMs } : {}) });
  const threads = new Set<string>();
  const results = new Map<string, ReplayResult>();
  try {
    await producer.connect();
    // The shadow log starts with the replayed requests, in the order they were received.
    await producer.publish(requests);
    const byConversation = new Map<string, RequestReceived[]>();
    for (const request of requests) byConversation.set(request.metadata.conversationId, [...(byConversation.get(request.metadata.conversationId) ?? []), request]);
    const queue = [...byConversation.values()];
    const worker = async () => {
      for (let group = queue.shift(); group; group = queue.shift()) {
        for (const request of group) {
          const threadId = shadowThread(replayId, request.metadata.conversationId);
          threads.add(threadId);
          const result = await engine.run(request, threadId);
          await producer.publish(result.events);
          results.set(request.metadata.requestId, result);
        }
      }
    };
    const outcomes = await Promise.allSettled(Array.from({ length: Math.min(options.concurrency ?? 4, queue.length) }, worker));
    const failed = outcomes.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
    if (failed) throw failed.reason;
  } finally {
    // Steps abandoned by timed-out runs finish (bounded) before their threads are deleted.
    await engine.settle(Math.max(options.runTimeoutMs ?? 60_000, 30_000));
    if (!options.keep) for (const threadId of threads) await engine.deleteThread(threadId);
    await producer.disconnect();
    await engine.close();
  }

  const comparisons: RequestComparison[] = requests.map((request) => {
    const { conversationId, requestId } = request.metadata;
    const runId = runIdOf(requestId);
    const shadow = results.get(requestId);
    if (!shadow) throw new Error(`request ${requestId} was not replayed`);
    const { events: _events, ...shadowSummary } = shadow;
    return compareRuns(
      { conversationId, requestId, runId, occurredAt: request.metadata.occurredAt.toISOString() },
      summarizeRun(recordedByConversation.get(conversationId) ?? [], runId),
      shadowSummary,
    );
  });
  const report: WhatIfReport = {
    replayId,
    from: options.from.toISOString(),
    to: options.to.toISOString(),
    tenant: options.tenant ?? null,
    limit,
    notReplayed: inWindow.length - requests.length,
    shadowTopics,
    shadowThreadPrefix: shadowThread(replayId, ''),
    checkpointsKept: options.keep ?? false,
    requests: comparisons,
    summary: summarizeComparisons(comparisons),
  };
  if (options.json) context.print(JSON.stringify(report));
  else for (const line of formatWhatIfReport(report)) context.print(line);
  return 0;
}

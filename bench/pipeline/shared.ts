/** What both modes of the pipeline benchmark share: the requests they send and how a mode is summarised. */
import { randomId } from '@supportstream/events';
import type { RequestInfo } from '@supportstream/graph';
import { distribution, percentile, round } from '../runtime/stats.js';

const QUESTIONS = [
  'How do I reset my password?',
  'How long does shipping to Germany take?',
  'Can I return a damaged item?',
  'Which payment methods do you accept?',
  'How do I download an invoice?',
];

export type Latency = ReturnType<typeof distribution> & { readonly p90: number };

export interface ModeResult {
  readonly conversations: number;
  readonly completed: number;
  readonly seconds: number;
  readonly conversationsPerSecond: number;
  readonly endToEndMs: Latency;
  readonly stepMs: Record<string, Latency>;
}

/** distribution() plus p90, in milliseconds to 0.1. */
export function latency(values: readonly number[]): Latency {
  const sorted = [...values].sort((a, b) => a - b);
  return { ...distribution(values, 1), p90: round(percentile(sorted, 90), 1) };
}

export function summarize(conversations: number, seconds: number, endToEnd: number[], steps: Map<string, number[]>): ModeResult {
  return {
    conversations,
    completed: endToEnd.length,
    seconds: round(seconds, 2),
    conversationsPerSecond: round(endToEnd.length / seconds, 2),
    endToEndMs: latency(endToEnd),
    stepMs: Object.fromEntries([...steps].map(([node, values]) => [node, latency(values)])),
  };
}

/** A how-to question that resolves without approval; `tag` keeps each phase's conversation ids apart. */
export function requestInfo(index: number, tag: string): RequestInfo {
  const id = randomId();
  return {
    requestId: id,
    conversationId: `bench-${tag}-${id}`,
    tenantId: 'demo-tenant',
    customerId: `bench-${index % 11}`,
    customerTier: 'STANDARD',
    channel: 'WEB',
    subject: null,
    message: QUESTIONS[index % QUESTIONS.length] ?? '',
    correlationId: randomId(),
    receivedEventId: randomId(),
    receivedAt: new Date().toISOString(),
  };
}

export const sleep = (ms: number): Promise<void> => new Promise((resolveSleep) => setTimeout(resolveSleep, ms));

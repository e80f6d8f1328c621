import { createEventFactory, type SupportEvent } from '@supportstream/events';
import { describe, expect, it } from 'vitest';
import { recordedWindowOf } from './recordedWindow.js';

const factory = createEventFactory({ producer: 'recorded-window-test' });
const at = (minute: number) => new Date(Date.UTC(2026, 10, 23, 9, minute));

const contextOf = (id: string, tenantId = 'tenant-a') => ({
  conversationId: `conv-${id}`,
  requestId: `req-${id}`,
  tenantId,
  correlationId: `c-${id}`,
  causationId: null,
});

function request(id: string, minute: number, tenantId = 'tenant-a') {
  const context = contextOf(id, tenantId);
  const data = {
    channel: 'WEB' as const,
    customerId: 'cust-1',
    customerTier: 'STANDARD' as const,
    subject: null,
    message: `message ${id}`,
    locale: null,
    attributes: {},
  };
  return factory.create('RequestReceived', data, context, `event-${id}-${minute}`, at(minute));
}

const completed = (id: string) =>
  factory.create(
    'RunCompleted',
    { runId: `run-${id}`, outcome: 'RESOLVED', finalReply: 'Done.', citations: [], stepCount: 6, durationMs: 9 },
    contextOf(id),
  );

const logged = (events: readonly SupportEvent[]) =>
  events.map((event, index) => ({ event, partition: index % 2, offset: String(index) }));

describe('recordedWindowOf', () => {
  const window = { from: at(10), to: at(20) };
  const records = logged([
    request('late', 15),
    request('before', 9),
    request('first', 10),
    completed('first'),
    request('end', 20),
    request('other-tenant', 12, 'tenant-b'),
    // A producer's retry: the same request again.
    request('late', 15),
  ]);

  it('given the log, then the window holds [from, to), each request once, in the order received', () => {
    const { requests } = recordedWindowOf(records, window);
    expect(requests.map((event) => event.metadata.requestId)).toEqual(['req-first', 'req-other-tenant', 'req-late']);
  });

  it('given a tenant, then only its requests; the recorded events of every conversation are kept', () => {
    const { requests, recordedByConversation } = recordedWindowOf(records, { ...window, tenant: 'tenant-a' });
    expect(requests.map((event) => event.metadata.requestId)).toEqual(['req-first', 'req-late']);
    expect(recordedByConversation.get('conv-first')?.map((event) => event.type)).toEqual(['RunCompleted']);
    expect(recordedByConversation.has('conv-late')).toBe(false);
  });
});

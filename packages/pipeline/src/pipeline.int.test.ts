import { readTopic, sampleContext, sampleEvent, testKafka, waitFor } from '@supportstream/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SupportEvent } from '@supportstream/events';
import { startHarness, type Harness } from '../test/harness.js';
import { scriptedNodes } from '../test/scriptedNodes.js';
import type { Histogram } from 'prom-client';

let harness: Harness;

beforeAll(async () => {
  harness = await startHarness(scriptedNodes());
}, 60_000);

afterAll(async () => {
  await harness.stop();
});

const ofConversation = (conversationId: string) => harness.seen.filter((event) => event.metadata.conversationId === conversationId);
/** Redelivered steps re-emit events under the same ids; count each id once, as consumers do. */
const distinct = (events: SupportEvent[]) => events.filter((event, index) => events.findIndex((other) => other.metadata.eventId === event.metadata.eventId) === index);
const types = (events: SupportEvent[]) => events.map((event) => (event.type === 'AgentStepCompleted' ? `${event.type}:${event.data.node}` : event.type));

async function ask(message: string, conversationId?: string) {
  const context = sampleContext(conversationId ? { conversationId } : {});
  const request = sampleEvent('RequestReceived', context, { message, customerTier: 'STANDARD' });
  await harness.producer.publish([request]);
  return request;
}

function waitForEvent(conversationId: string, predicate: (event: SupportEvent) => boolean, description: string) {
  return waitFor(() => ofConversation(conversationId).find(predicate), { timeoutMs: 30_000, description: () => `${description}; saw ${types(ofConversation(conversationId)).join(', ')}` });
}

describe('the agent pipeline on the real stack (scripted agents)', () => {
  it('advances a question step by step through the services to a reply', async () => {
    const request = await ask('Where is my parcel?');
    const { conversationId } = request.metadata;
    await waitForEvent(conversationId, (event) => event.type === 'ReplyReady', 'the reply');
    await waitForEvent(conversationId, (event) => event.type === 'RequestOutcome', 'the outcome');
    await waitForEvent(conversationId, (event) => event.type === 'RunCompleted', 'the run to complete');
    const actions = ofConversation(conversationId).filter((event) => event.type === 'AgentStepCompleted' || event.type === 'RunCompleted');
    expect(types(actions)).toEqual([
      'AgentStepCompleted:moderate',
      'AgentStepCompleted:triage',
      'AgentStepCompleted:research',
      'AgentStepCompleted:solution',
      'AgentStepCompleted:quality',
      'AgentStepCompleted:respond',
      'RunCompleted',
    ]);
    const reply = ofConversation(conversationId).find((event) => event.type === 'ReplyReady');
    expect(reply?.type === 'ReplyReady' && reply.data.body).toBe('Answer to: Where is my parcel?');
    // Every event of the run carries the request's ids and a causation chain back to it.
    for (const event of ofConversation(conversationId)) {
      expect(event.metadata.requestId).toBe(request.metadata.requestId);
      expect(event.metadata.correlationId).toBe(request.metadata.correlationId);
    }
    const moderate = actions[0];
    expect(moderate?.metadata.causationId).toBe(request.metadata.eventId);
    expect(actions[1]?.metadata.causationId).toBe(moderate?.metadata.eventId);
  });

  it('pauses a refund for approval and completes once a supervisor approves', async () => {
    const request = await ask('Please refund my order');
    const { conversationId } = request.metadata;
    const requested = await waitForEvent(conversationId, (event) => event.type === 'ApprovalRequested', 'the approval request');
    if (requested.type !== 'ApprovalRequested') throw new Error('unreachable');
    expect(requested.data.proposedActions[0]?.amount).toEqual({ amountMicros: 49_990_000, currency: 'EUR' });
    const decision = sampleEvent('ApprovalDecided', { ...sampleContext({ conversationId }), requestId: request.metadata.requestId }, {
      approvalId: requested.data.approvalId,
      decision: 'APPROVED',
      decidedBy: 'supervisor@test',
      comment: null,
      editedReply: null,
    });
    await harness.producer.publish([decision]);
    const completed = await waitForEvent(conversationId, (event) => event.type === 'RunCompleted', 'the run to complete');
    expect(completed.type === 'RunCompleted' && completed.data.outcome).toBe('RESOLVED_AFTER_APPROVAL');

    // The same decision again changes nothing; a second, different decision is refused.
    await harness.producer.publish([decision]);
    const second = sampleEvent('ApprovalDecided', { ...sampleContext({ conversationId }), requestId: request.metadata.requestId }, {
      approvalId: requested.data.approvalId,
      decision: 'REJECTED',
      decidedBy: 'someone-else',
      comment: null,
      editedReply: null,
    });
    await harness.producer.publish([second]);
    const alert = await waitForEvent(conversationId, (event) => event.type === 'SupervisorAlert' && event.data.reason === 'approval_refused:already_decided', 'the refusal');
    expect(alert.type === 'SupervisorAlert' && alert.data.message).toMatch(/already approved by supervisor@test/);
    // A redelivered decision re-emits what it caused under the same ids; consumers deduplicate them.
    const completions = ofConversation(conversationId).filter((event) => event.type === 'RunCompleted');
    expect(new Set(completions.map((event) => event.metadata.eventId)).size).toBe(1);
    // The time to decision is observed once, by the step that resumed the run; the redelivered and the refused decisions are not.
    const decisions = (await (harness.metrics.getSingleMetric('approval_decision_seconds') as Histogram | undefined)?.get())?.values.filter(
      (value) => value.metricName === 'approval_decision_seconds_count' && value.labels['outcome'] === 'APPROVED',
    );
    expect(decisions?.map((value) => value.value)).toEqual([1]);
  });

  it('refuses a decision for an approval nobody asked for', async () => {
    const request = await ask('Where is my parcel?');
    const { conversationId } = request.metadata;
    await waitForEvent(conversationId, (event) => event.type === 'RunCompleted', 'the run');
    await harness.producer.publish([
      sampleEvent('ApprovalDecided', sampleContext({ conversationId }), { approvalId: 'no-such-approval', decision: 'APPROVED', decidedBy: 'x', comment: null, editedReply: null }),
    ]);
    await waitForEvent(conversationId, (event) => event.type === 'SupervisorAlert' && event.data.reason === 'approval_refused:unknown_approval', 'the refusal');
  });

  it('answers an abusive message with the fallback reply', async () => {
    const request = await ask('You stupid bot');
    const completed = await waitForEvent(request.metadata.conversationId, (event) => event.type === 'RunCompleted', 'the run');
    expect(completed.type === 'RunCompleted' && completed.data.outcome).toBe('FALLBACK');
  });

  it('queues a follow-up that arrives during a run and answers it after, on the same thread', async () => {
    const first = await ask('Where is my parcel?');
    const { conversationId } = first.metadata;
    const second = await ask('And where is my invoice?', conversationId);
    await waitFor(() => distinct(ofConversation(conversationId)).filter((event) => event.type === 'ReplyReady').length === 2, {
      timeoutMs: 40_000,
      description: () => `two completed runs; saw ${types(ofConversation(conversationId)).join(', ')}`,
    });
    const replies = distinct(ofConversation(conversationId)).filter((event) => event.type === 'ReplyReady');
    expect(replies.map((event) => event.metadata.requestId)).toEqual([first.metadata.requestId, second.metadata.requestId]);
    // Never two runs at once: the second run's first step comes after the first run completed.
    const events = ofConversation(conversationId);
    const firstDone = events.findIndex((event) => event.type === 'RunCompleted');
    const secondStart = events.findIndex((event) => event.type === 'AgentStepCompleted' && event.metadata.requestId === second.metadata.requestId);
    expect(secondStart).toBeGreaterThan(firstDone);
  }, 60_000);

  it('announces a retriable step failure as StepFailed and completes after the retry', async () => {
    const request = await ask('flaky question');
    const { conversationId } = request.metadata;
    const failed = await waitForEvent(conversationId, (event) => event.type === 'StepFailed', 'the failure');
    expect(failed.type === 'StepFailed' && failed.data).toMatchObject({ node: 'research', errorCode: 'VECTOR_STORE_UNAVAILABLE', retriable: true, willRetry: true, attempt: 1 });
    const completed = await waitForEvent(conversationId, (event) => event.type === 'RunCompleted', 'the run');
    expect(completed.type === 'RunCompleted' && completed.data.outcome).toBe('RESOLVED');
  });

  it('announces a non-retriable step failure as StepFailed and dead-letters its trigger', async () => {
    const request = await ask('please explode');
    const { conversationId } = request.metadata;
    const failed = await waitForEvent(conversationId, (event) => event.type === 'StepFailed', 'the failure');
    expect(failed.type === 'StepFailed' && failed.data).toMatchObject({ node: 'research', errorCode: 'RESEARCH_BROKEN', retriable: false, willRetry: false });
    const letters = await readTopic(testKafka('dlq-reader'), harness.topic('agent.actions.dlq'), 1);
    expect(letters.some((letter) => letter.key === conversationId && letter.headers['dlq-error-code'] === 'RESEARCH_BROKEN')).toBe(true);
    expect(ofConversation(conversationId).some((event) => event.type === 'RunCompleted')).toBe(false);
  });

  it('re-emits identical events for a redelivered trigger and runs nothing again', async () => {
    const request = await ask('Where is my parcel?');
    const { conversationId } = request.metadata;
    // The last step's events land on three topics; wait for all of them before taking stock.
    await waitForEvent(conversationId, (event) => event.type === 'RunCompleted', 'the run');
    await waitForEvent(conversationId, (event) => event.type === 'ReplyReady', 'the reply');
    await waitForEvent(conversationId, (event) => event.type === 'RequestOutcome', 'the outcome');
    await waitForEvent(conversationId, (event) => event.type === 'StepMetrics' && event.data.node === 'respond', 'the last step metrics');
    const before = ofConversation(conversationId).length;
    const ids = new Set(ofConversation(conversationId).map((event) => event.metadata.eventId));
    const triageDone = ofConversation(conversationId).find((event) => event.type === 'AgentStepCompleted' && event.data.node === 'triage');
    if (!triageDone) throw new Error('no triage step');
    // Deliver the request and a mid-run trigger again, as a crash before the offset commit would.
    await harness.producer.publish([request, triageDone]);
    await waitFor(() => ofConversation(conversationId).length >= before + 4, { timeoutMs: 20_000, description: 'the re-emitted events' });
    const again = ofConversation(conversationId).slice(before);
    expect(again.every((event) => ids.has(event.metadata.eventId))).toBe(true);
    const completions = ofConversation(conversationId).filter((event) => event.type === 'RunCompleted');
    expect(new Set(completions.map((event) => event.metadata.eventId)).size).toBe(1);
    expect(Number((await harness.metrics.getSingleMetric('agent_steps_total')?.get())?.values.filter((value) => value.labels['outcome'] === 'replayed').length)).toBeGreaterThan(0);
  });
});

import { distinctEvents, duplicateGroups, eventLabel, metricValue, readTopic, sampleContext, sampleEvent, testKafka, waitFor, waitUntilQuiet } from '@supportstream/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SupportEvent } from '@supportstream/events';
import { startHarness, type Harness } from '../test/harness.js';
import { scriptedNodes } from '../test/scriptedNodes.js';

let harness: Harness;

beforeAll(async () => {
  harness = await startHarness(scriptedNodes());
}, 60_000);

afterAll(async () => {
  await harness.stop();
});

const ofConversation = (conversationId: string) => harness.seen.filter((event) => event.metadata.conversationId === conversationId);
/** Redelivered steps re-emit events under the same ids; count each id once, as consumers do. */
const distinct = distinctEvents;
const types = (events: SupportEvent[]) => events.map((event) => (event.type === 'AgentStepCompleted' ? `${event.type}:${event.data.node}` : event.type));
const copiesOf = (conversationId: string, eventId: string) => ofConversation(conversationId).filter((event) => event.metadata.eventId === eventId);

/** Waits until nothing new arrived for a while (bounded): the re-emissions in flight have landed. */
const settle = () => waitUntilQuiet(() => String(harness.seen.length), { quietMs: 1_500, timeoutMs: 30_000, description: 'the pipeline' });

/** Every copy of a re-emitted event is the original, field for field. */
function expectDuplicatesIdentical(events: readonly SupportEvent[]) {
  for (const copies of duplicateGroups(events)) {
    for (const copy of copies.slice(1)) expect(copy, `a re-emitted ${eventLabel(copy)} equals the original`).toEqual(copies[0]);
  }
}

const steps = (labels: Record<string, string>) => metricValue(harness.metrics, 'agent_steps_total', labels);

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

    // The escalate step the decision resumed, as first announced.
    const escalated = distinct(ofConversation(conversationId)).find((event) => event.type === 'AgentStepCompleted' && event.data.node === 'escalate');
    if (!escalated) throw new Error('no escalate step');
    expect(escalated.metadata.causationId).toBe(decision.metadata.eventId);
    const replayedBefore = await steps({ service: 'approvals', node: 'escalate', outcome: 'replayed' });
    const refusedBefore = await metricValue(harness.metrics, 'approvals_refused_total', { reason: 'already_decided' });
    const refusals = () => ofConversation(conversationId).filter((event) => event.type === 'SupervisorAlert' && event.data.reason.startsWith('approval_refused'));

    // The same decision again (a redelivery): replayed, not refused. It re-emits what it caused, identically.
    await harness.producer.publish([decision]);
    await waitFor(() => copiesOf(conversationId, escalated.metadata.eventId).length >= 2, { timeoutMs: 30_000, description: 'the escalate step re-announced for the redelivered decision' });
    expect(copiesOf(conversationId, escalated.metadata.eventId)[1]).toEqual(escalated);
    expect(await steps({ service: 'approvals', node: 'escalate', outcome: 'replayed' })).toBe(replayedBefore + 1);

    // A second, different decision is refused, and only it.
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
    expect(alert.metadata.causationId).toBe(second.metadata.eventId);
    await settle();
    // One refusal, caused by the different decision; the redelivered one caused none (same partition: it was handled first).
    expect(distinct(refusals()).map((event) => event.metadata.causationId)).toEqual([second.metadata.eventId]);
    expect(await metricValue(harness.metrics, 'approvals_refused_total', { reason: 'already_decided' })).toBe(refusedBefore + 1);
    // The refused decision changed nothing: no step, no second completion.
    expect(ofConversation(conversationId).some((event) => event.metadata.causationId === second.metadata.eventId && event.type !== 'SupervisorAlert')).toBe(false);
    const completions = ofConversation(conversationId).filter((event) => event.type === 'RunCompleted');
    expect(new Set(completions.map((event) => event.metadata.eventId)).size).toBe(1);
    expect(completions.length, 'the replay re-announced the rest of the run too').toBeGreaterThanOrEqual(2);
    expectDuplicatesIdentical(ofConversation(conversationId));
    // The time to decision is observed once, by the step that resumed the run; the redelivered and the refused decisions are not.
    expect(await metricValue(harness.metrics, 'approval_decision_seconds', { outcome: 'APPROVED' }, 'approval_decision_seconds_count')).toBe(1);
    expect(await metricValue(harness.metrics, 'approval_decision_seconds', { outcome: 'REJECTED' }, 'approval_decision_seconds_count')).toBe(0);
  });

  // Found by crash.e2e.test.ts: a quality→escalate trigger redelivered after the run resumed used to
  // replay the resumed escalate step under its ids, with the trigger's causation and queue delay
  // (and another producer) where the approvals service had announced it with the decision's.
  it('announces nothing again for a redelivered trigger of a pause once the run resumed: the decision owns the resumed step', async () => {
    const request = await ask('Please refund my order');
    const { conversationId } = request.metadata;
    const requested = await waitForEvent(conversationId, (event) => event.type === 'ApprovalRequested', 'the approval request');
    if (requested.type !== 'ApprovalRequested') throw new Error('unreachable');
    await harness.producer.publish([
      sampleEvent('ApprovalDecided', { ...sampleContext({ conversationId }), requestId: request.metadata.requestId }, {
        approvalId: requested.data.approvalId,
        decision: 'APPROVED',
        decidedBy: 'supervisor@test',
        comment: null,
        editedReply: null,
      }),
    ]);
    await waitForEvent(conversationId, (event) => event.type === 'RunCompleted', 'the run to complete');
    await settle();
    const quality = distinct(ofConversation(conversationId)).find((event) => event.type === 'AgentStepCompleted' && event.data.node === 'quality');
    if (!quality) throw new Error('no quality step');
    const staleBefore = await metricValue(harness.metrics, 'agent_steps_total', { node: 'escalate', outcome: 'stale' });
    const before = ofConversation(conversationId).length;
    await harness.producer.publish([quality]);
    await waitFor(async () => (await metricValue(harness.metrics, 'agent_steps_total', { node: 'escalate', outcome: 'stale' })) === staleBefore + 1, {
      timeoutMs: 30_000,
      description: 'the redelivered trigger handled as stale',
    });
    await settle();
    // Only the redelivered trigger itself was seen again; nothing was announced for it.
    expect(ofConversation(conversationId).length).toBe(before + 1);
    expect(copiesOf(conversationId, requested.metadata.eventId)).toHaveLength(1);
    expectDuplicatesIdentical(ofConversation(conversationId));
  });

  it('refuses a decision for an approval nobody asked for', async () => {
    const request = await ask('Where is my parcel?');
    const { conversationId } = request.metadata;
    await waitForEvent(conversationId, (event) => event.type === 'RunCompleted', 'the run');
    const refusedBefore = await metricValue(harness.metrics, 'approvals_refused_total', { reason: 'unknown_approval' });
    const decision = sampleEvent('ApprovalDecided', sampleContext({ conversationId }), { approvalId: 'no-such-approval', decision: 'APPROVED', decidedBy: 'x', comment: null, editedReply: null });
    await harness.producer.publish([decision]);
    const alert = await waitForEvent(conversationId, (event) => event.type === 'SupervisorAlert' && event.data.reason === 'approval_refused:unknown_approval', 'the refusal');
    expect(alert.type === 'SupervisorAlert' && alert.data).toMatchObject({ approvalId: 'no-such-approval', severity: 'WARNING' });
    expect(alert.type === 'SupervisorAlert' && alert.data.message).toMatch(/no run of conversation .* waits for approval no-such-approval/);
    expect(alert.metadata.causationId).toBe(decision.metadata.eventId);
    expect(await metricValue(harness.metrics, 'approvals_refused_total', { reason: 'unknown_approval' })).toBe(refusedBefore + 1);
    // Nothing ran for it: the alert is all it caused.
    expect(ofConversation(conversationId).filter((event) => event.metadata.causationId === decision.metadata.eventId).map((event) => event.type)).toEqual(['SupervisorAlert']);
  });

  it('answers an abusive message with the fallback reply', async () => {
    const request = await ask('You stupid bot');
    const completed = await waitForEvent(request.metadata.conversationId, (event) => event.type === 'RunCompleted', 'the run');
    expect(completed.type === 'RunCompleted' && completed.data.outcome).toBe('FALLBACK');
  });

  it('queues a follow-up that arrives during a run and answers it after, on the same thread', async () => {
    const queuedBefore = await metricValue(harness.metrics, 'conversation_requests_queued_total');
    const first = await ask('Where is my parcel? Please answer slowly.');
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
    // The follow-up went through the queue (it arrived while the first run was in flight), and left it.
    expect(await metricValue(harness.metrics, 'conversation_requests_queued_total')).toBe(queuedBefore + 1);
    const left = await harness.db.pool.query('SELECT request_id FROM conversation_queue WHERE conversation_id = $1', [conversationId]);
    expect(left.rows).toEqual([]);
    // The second run started from the first run's RunCompleted, not from its own RequestReceived.
    const secondModerate = events.find((event) => event.type === 'AgentStepCompleted' && event.data.node === 'moderate' && event.metadata.requestId === second.metadata.requestId);
    const firstCompleted = events[firstDone];
    expect(secondModerate?.metadata.causationId).toBe(firstCompleted?.metadata.eventId);
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
    await settle();
    // What the pipeline produced for the run (the request is the test's own input).
    const produced = distinct(ofConversation(conversationId)).filter((event) => event.type !== 'RequestReceived');
    expect(produced.length).toBeGreaterThanOrEqual(15);
    const ids = new Set(ofConversation(conversationId).map((event) => event.metadata.eventId));
    const triageDone = produced.find((event) => event.type === 'AgentStepCompleted' && event.data.node === 'triage');
    if (!triageDone) throw new Error('no triage step');
    const ranBefore = await steps({ outcome: 'ran' });
    const replayedBefore = await steps({ outcome: 'replayed' });

    // Deliver the request and a mid-run trigger again, as a crash before the offset commit would.
    await harness.producer.publish([request, triageDone]);
    // The redelivered request replays the run from its start: every event it caused comes again.
    await waitFor(() => produced.every((event) => copiesOf(conversationId, event.metadata.eventId).length >= 2), {
      timeoutMs: 30_000,
      description: () => `every event of the run re-emitted; missing ${produced.filter((event) => copiesOf(conversationId, event.metadata.eventId).length < 2).map(eventLabel).join(', ')}`,
    });
    await settle();
    const all = ofConversation(conversationId);
    expect(all.filter((event) => !ids.has(event.metadata.eventId)).map(eventLabel), 'no event under a new id').toEqual([]);
    expectDuplicatesIdentical(all);
    // The mid-run trigger was acted on as well: the steps after triage came a third time.
    const research = produced.find((event) => event.type === 'AgentStepCompleted' && event.data.node === 'research');
    expect(copiesOf(conversationId, research?.metadata.eventId ?? '').length).toBeGreaterThanOrEqual(3);
    // Nothing ran again: every step was a replay.
    expect(await steps({ outcome: 'ran' })).toBe(ranBefore);
    expect(await steps({ outcome: 'replayed' })).toBeGreaterThanOrEqual(replayedBefore + 6);
  });
});

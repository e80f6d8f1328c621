import { setTimeout as sleep } from 'node:timers/promises';
import { isDeepStrictEqual } from 'node:util';
import { createEventFactory, TOPIC_NAMES, type SupportEvent } from '@supportstream/events';
import { createEventProducer, createKafka, type ConsumerRunner, type EventProducer } from '@supportstream/kafka';
import { createMetricsRegistry } from '@supportstream/observability';
import {
  AGENT_SERVICES,
  distinctEvents,
  duplicateGroups,
  eventLabel,
  stackConfig,
  startService,
  stopService,
  testKafka,
  testLogger,
  waitFor,
  waitUntilQuiet,
  watermarkProbe,
  type AgentServiceName,
  type ServiceProcess,
  type WatermarkProbe,
  createTestCodec,
} from '@supportstream/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, startObserver } from './e2eSupport.js';

/**
 * The crash suite, run by crash.e2e.test.ts (one process per service) and
 * crashReplicas.e2e.test.ts (two replicas of every service in shared groups, with kills during the
 * rebalances they cause). Crash test: many conversations in flight while the step services die, and are restarted, at
 * the worst moments: killed from outside at random (mostly mid-step), and killing themselves
 * right after a checkpoint (before producing its events) or right after producing (before the
 * offset commit). Every conversation must still complete exactly once: one RunCompleted, one
 * reply, and every step announced under exactly one event id. Refunds pause for approval and are
 * decided while escalation and approvals die too: one approval request each, no refusal for a
 * redelivered decision, every re-emitted event identical to the original, and costs that add up.
 */

// Steps take as long as a (fast) real model's would, so kills land in the middle of them. The
// consumer-side dedup is off: redelivered triggers must be absorbed by the step runner itself.
const SERVICE_ENV = { OFFLINE_LATENCY_MS: '120', KAFKA_SESSION_TIMEOUT_MS: '6000', APPROVAL_EXPIRY_CHECK_MS: '1000', DEDUPE_PROCESSED_EVENTS: 'false' };
const FAULTS = { CRASH_AFTER_CHECKPOINT: '0.04', CRASH_AFTER_PUBLISH: '0.04' };
/** Victims run the test-only entry point that kills itself in a step's crash windows (a decorator of the step publisher). */
const CRASHING_ENTRY = 'packages/platform/test/crashingAgentService.ts';
/** Every REFUND_EVERY-th conversation is a refund above the approval threshold (escalated, decided by the test). */
const REFUND_EVERY = 3;
const MAX_RESTARTS = 100;
const VICTIMS: readonly AgentServiceName[] = AGENT_SERVICES;
const REFUND = 'I was charged twice for order 1001. Please refund the duplicate charge of 49.99 EUR.';
/** Long enough for a rebalance after the last restart (session timeout) to deliver its duplicates. */
const QUIET_MS = 9_000;
const QUESTIONS = [
  'How do I reset my password?',
  'How long does shipping to Germany take?',
  'Can I return a damaged item?',
  'Which payment methods do you accept?',
  'How do I download an invoice?',
];

export interface CrashSuiteOptions {
  /** Processes of each agent service, in one consumer group per service. */
  readonly replicas: number;
  readonly conversations: number;
  /** Outside SIGKILLs; with replicas, each is followed by a second kill while the group rebalances. */
  readonly kills: number;
  /** Seeds the kill schedule: the same on every run. */
  readonly seed: number;
}

/** One running process: `triage#1` is the second replica of triage. */
interface Instance {
  readonly name: AgentServiceName;
  readonly replica: number;
}
const instanceKey = ({ name, replica }: Instance) => `${name}#${replica}`;

export function defineCrashSuite(options: CrashSuiteOptions): void {
  const CONVERSATIONS = options.conversations;
  const KILLS = options.kills;
  const INSTANCES: readonly Instance[] = AGENT_SERVICES.flatMap((name) => Array.from({ length: options.replicas }, (_, replica) => ({ name, replica })));
  const services = new Map<string, ServiceProcess>();
  const seen: SupportEvent[] = [];
  let observer: ConsumerRunner;
  let watermarks: WatermarkProbe;
  let decisions: EventProducer;
  let stopping = false;
  let restarts = 0;
  const supervisors: Promise<void>[] = [];

  /** Keeps a service running: whenever it dies, it is started again, as an orchestrator would. */
  async function supervise(instance: Instance): Promise<void> {
    const { name } = instance;
    const victim = VICTIMS.includes(name);
    const env = victim ? { ...SERVICE_ENV, ...FAULTS } : SERVICE_ENV;
    while (!stopping) {
      const service = await startService(name, env, victim ? { entry: CRASHING_ENTRY } : {});
      services.set(instanceKey(instance), service);
      // The test ended while this restart was starting: stop it here, nobody else knows it.
      if (stopping) {
        await stopService(service);
        return;
      }
      await service.exited;
      if (stopping) return;
      restarts += 1;
      if (restarts > MAX_RESTARTS) throw new Error(`more than ${MAX_RESTARTS} restarts`);
    }
  }

  /** A small seeded generator: the same kill schedule on every run. */
  function seeded(seed: number): () => number {
    let state = seed >>> 0;
    return () => {
      state = (state * 1_664_525 + 1_013_904_223) >>> 0;
      return state / 2 ** 32;
    };
  }

  beforeAll(async () => {
    await cli('db', 'migrate');
    await cli('knowledge', 'ingest');
    observer = await startObserver('crash-observer', seen);
    watermarks = await watermarkProbe(testKafka('crash-watermarks'), TOPIC_NAMES);
    const config = stackConfig();
    const logger = testLogger();
    decisions = createEventProducer({
      kafka: createKafka({ brokers: config.KAFKA_BROKERS, clientId: 'crash-supervisor', logger }),
      codec: createTestCodec(config),
      logger,
      metrics: createMetricsRegistry({}, false),
    });
    await decisions.connect();
    for (const instance of INSTANCES) {
      supervisors.push(supervise(instance));
      await waitFor(() => services.has(instanceKey(instance)), { timeoutMs: 90_000, description: `${instanceKey(instance)} to start` });
    }
  }, 240_000);

  afterAll(async () => {
    stopping = true;
    await Promise.all([...services.values()].map((service) => stopService(service)));
    await Promise.all(supervisors);
    await observer.stop();
    await watermarks.close();
    await decisions.disconnect();
  });

  const ofConversation = (conversationId: string) => seen.filter((event) => event.metadata.conversationId === conversationId);
  const distinct = <T>(values: readonly T[]) => new Set(values).size;
  const supervisor = createEventFactory({ producer: 'crash-supervisor' });

  /** `AgentStepCompleted:escalate on conv-…: metadata.causationId a → b, …`, for a re-emitted copy that is not the original. */
  function describeDifference(original: SupportEvent, copy: SupportEvent): string {
    const flat = (event: SupportEvent) => ({ ...Object.fromEntries(Object.entries(event.data).map(([key, value]) => [`data.${key}`, value])), ...Object.fromEntries(Object.entries(event.metadata).map(([key, value]) => [`metadata.${key}`, value])) });
    const [before, after] = [flat(original), flat(copy)] as Record<string, unknown>[];
    const fields = Object.keys({ ...before, ...after }).filter((key) => !isDeepStrictEqual(before?.[key], after?.[key]));
    return `${eventLabel(original)} on ${original.metadata.conversationId}: ${fields.map((key) => `${key} ${JSON.stringify(before?.[key])} → ${JSON.stringify(after?.[key])}`).join(', ')}`;
  }

  /**
   * The supervisor: decides every approval requested on `conversations` once (approve two in three,
   * reject the others), and sends every third decision twice, as a redelivery would.
   */
  function decideApprovals(conversations: Set<string>, until: () => boolean): { done: Promise<void>; decided: Map<string, SupportEvent> } {
    const decided = new Map<string, SupportEvent>();
    const done = (async () => {
      for (let round = 0; !until() && round < 4_000; round += 1) {
        for (const event of distinctEvents(seen)) {
          if (event.type !== 'ApprovalRequested' || !conversations.has(event.metadata.conversationId) || decided.has(event.data.approvalId)) continue;
          const decision = supervisor.create(
            'ApprovalDecided',
            { approvalId: event.data.approvalId, decision: decided.size % 3 === 2 ? 'REJECTED' : 'APPROVED', decidedBy: 'crash-supervisor', comment: null, editedReply: null },
            { conversationId: event.metadata.conversationId, requestId: event.metadata.requestId, tenantId: event.metadata.tenantId, correlationId: event.metadata.correlationId, causationId: event.metadata.eventId },
          );
          decided.set(event.data.approvalId, decision);
          await decisions.publish(decided.size % 3 === 0 ? [decision, decision] : [decision]);
        }
        await sleep(200);
      }
    })();
    return { done, decided };
  }

  const title = options.replicas === 1 ? 'completes every conversation exactly once while workers are killed mid-step and restarted' : `completes every conversation exactly once with ${options.replicas} replicas of every service, killed mid-step and during the rebalances that follow`;
  describe('crash safety', () => {
    it(title, async () => {
      const random = seeded(options.seed);
      const conversations: string[] = [];
      const refunds = new Set<string>();
      let asked = false;
      const asking = (async () => {
        for (let index = 0; index < CONVERSATIONS; index += 1) {
          const refund = index % REFUND_EVERY === REFUND_EVERY - 1;
          const [customer, message] = refund ? ['cust-42', REFUND] : [`crash-${index % 7}`, QUESTIONS[index % QUESTIONS.length] ?? ''];
          const output = await cli('ask', '--tenant', 'demo-tenant', '--customer', customer, '--message', message);
          const { conversationId } = JSON.parse(output) as { conversationId: string };
          conversations.push(conversationId);
          if (refund) refunds.add(conversationId);
          await sleep(250);
        }
        asked = true;
      })();

      const completed = (conversationId: string) => ofConversation(conversationId).some((event) => event.type === 'RunCompleted');
      const approvals = decideApprovals(refunds, () => asked && [...refunds].every(completed));
      const kills: { service: string; inFlight: number; duringRebalance: boolean }[] = [];
      /** SIGKILLs a running instance; resolves once its supervisor has started it again. */
      const kill = async (instance: Instance, duringRebalance: boolean): Promise<void> => {
        const victim = services.get(instanceKey(instance));
        if (!victim || victim.child.exitCode !== null) return;
        kills.push({ service: instanceKey(instance), inFlight: conversations.filter((id) => !completed(id)).length, duringRebalance });
        victim.child.kill('SIGKILL');
        await victim.exited;
        await waitFor(() => services.get(instanceKey(instance)) !== victim, { timeoutMs: 90_000, description: `${instanceKey(instance)} to restart` });
      };
      for (let round = 0; round < KILLS; round += 1) {
        await sleep(400 + Math.floor(random() * 900));
        const first = INSTANCES[Math.floor(random() * INSTANCES.length)] ?? INSTANCES[0]!;
        await kill(first, false);
        if (options.replicas > 1) {
          // The restarted member is joining, and the killed one's session has not expired yet: the
          // group is rebalancing. Kill the first one's sibling now, in the middle of it.
          const sibling = INSTANCES.find((instance) => instance.name === first.name && instance.replica !== first.replica) ?? first;
          await sleep(Math.floor(random() * 1_500));
          await kill(sibling, true);
        }
      }
      await asking;

      await waitFor(() => conversations.every(completed), {
        timeoutMs: 120_000,
        intervalMs: 250,
        description: () =>
          `all ${conversations.length} conversations to complete; ${conversations.filter(completed).length} did; stuck: ${conversations
            .filter((id) => !completed(id))
            .map((id) => `${id} [${ofConversation(id).map((event) => (event.type === 'AgentStepCompleted' ? `${event.data.node}->${event.data.next ?? ''}` : event.type)).join(' ')}]`)
            .join('; ')}`,
      });
      await approvals.done;
      // Count once the log is quiet: no record appended and none observed for a while (duplicates still in flight have landed).
      await waitUntilQuiet(async () => `${await watermarks.read()} seen=${seen.length}`, { quietMs: QUIET_MS, timeoutMs: 120_000, intervalMs: 500, description: 'the topics' });

      const stepEvents = conversations.flatMap((id) => ofConversation(id).filter((event) => event.type === 'AgentStepCompleted'));
      const distinctSteps = distinct(stepEvents.map((event) => event.metadata.eventId));
      console.log(`crash test: ${restarts} restarts (${kills.length} outside kills ${JSON.stringify(kills)}); step events seen ${stepEvents.length}, distinct ${distinctSteps}`);
      // The crashes must have hit the windows that matter: steps re-announced after a crash.
      expect(stepEvents.length, 'some steps were re-announced after a crash (replays happened)').toBeGreaterThan(distinctSteps);
      expect(restarts).toBeGreaterThan(kills.length);
      expect(kills.filter((entry) => entry.inFlight > 0).length, `kills with conversations in flight: ${JSON.stringify(kills)}`).toBeGreaterThanOrEqual(2);
      if (options.replicas > 1) expect(kills.filter((entry) => entry.duringRebalance).length, `kills during a rebalance: ${JSON.stringify(kills)}`).toBeGreaterThanOrEqual(2);
      for (const conversationId of conversations) {
        const events = ofConversation(conversationId);
        const runs = events.filter((event) => event.type === 'RunCompleted');
        const replies = events.filter((event) => event.type === 'ReplyReady');
        const steps = events.filter((event) => event.type === 'AgentStepCompleted');
        expect(distinct(runs.map((event) => event.metadata.eventId)), `${conversationId}: one RunCompleted`).toBe(1);
        expect(distinct(replies.map((event) => event.metadata.eventId)), `${conversationId}: one reply event`).toBe(1);
        expect(distinct(replies.map((event) => (event.type === 'ReplyReady' ? event.data.replyId : ''))), `${conversationId}: one reply`).toBe(1);
        const run = runs[0];
        const stepCount = run?.type === 'RunCompleted' ? run.data.stepCount : -1;
        // Every step was announced under exactly one id: none lost, none re-run under a new id.
        expect(distinct(steps.map((event) => event.metadata.eventId)), `${conversationId}: one id per step`).toBe(stepCount);
        const nodes = new Set(steps.map((event) => (event.type === 'AgentStepCompleted' ? event.data.node : '')));
        for (const node of ['moderate', 'triage', 'research', 'solution', 'quality']) expect(nodes.has(node), `${conversationId}: ran ${node}`).toBe(true);

        // Approvals: one request per approval, and the run ended the way its decision said.
        const requested = events.flatMap((event) => (event.type === 'ApprovalRequested' ? [event] : []));
        if (refunds.has(conversationId)) {
          expect(distinct(requested.map((event) => event.metadata.eventId)), `${conversationId}: one ApprovalRequested`).toBe(1);
          expect(distinct(requested.map((event) => event.data.approvalId)), `${conversationId}: one approval`).toBe(1);
          const decision = approvals.decided.get(requested[0]?.data.approvalId ?? '');
          const expected = decision?.type === 'ApprovalDecided' && decision.data.decision === 'APPROVED' ? 'RESOLVED_AFTER_APPROVAL' : 'HANDED_OFF';
          expect(run?.type === 'RunCompleted' && run.data.outcome, `${conversationId}: outcome after the decision`).toBe(expected);
          expect(nodes.has('escalate'), `${conversationId}: escalated`).toBe(true);
        } else {
          expect(requested, `${conversationId}: no approval for a how-to question`).toEqual([]);
        }
        // No decision was refused: redelivered decisions are replays, not second decisions.
        const refused = events.filter((event) => event.type === 'SupervisorAlert' && event.data.reason.startsWith('approval_refused'));
        expect(refused.map(eventLabel), `${conversationId}: no refusal alerts`).toEqual([]);

        // Costs add up: the run's outcome counts exactly its distinct LlmUsage events.
        const unique = distinctEvents(events);
        const usage = unique.flatMap((event) => (event.type === 'LlmUsage' ? [event] : []));
        const outcomes = unique.flatMap((event) => (event.type === 'RequestOutcome' ? [event] : []));
        expect(outcomes, `${conversationId}: one RequestOutcome`).toHaveLength(1);
        expect(usage.length, `${conversationId}: model calls recorded`).toBeGreaterThan(0);
        expect(outcomes[0]?.data.llmCalls, `${conversationId}: llmCalls = distinct LlmUsage`).toBe(usage.length);
        expect(outcomes[0]?.data.totalCost.amountMicros, `${conversationId}: cost = sum of distinct LlmUsage`).toBe(usage.reduce((sum, event) => sum + event.data.cost.amountMicros, 0));
      }
      expect(approvals.decided.size).toBe(refunds.size);
      // Every copy of a re-emitted event (StepMetrics and LlmUsage included) is the original, field for field.
      const groups = duplicateGroups(conversations.flatMap(ofConversation));
      const duplicatedTypes = new Set(groups.map((copies) => copies[0]?.type));
      console.log(`crash test: duplicated event types ${[...duplicatedTypes].join(', ')}`);
      expect(duplicatedTypes.has('StepMetrics') && duplicatedTypes.has('AgentStepCompleted'), 'steps were re-announced with their metrics').toBe(true);
      const differing = groups.flatMap((copies) => copies.slice(1).filter((copy) => !isDeepStrictEqual(copy, copies[0])).map((copy) => describeDifference(copies[0]!, copy)));
      expect(differing, 're-emitted events that differ from their original').toEqual([]);
    }, 600_000);
  });
}

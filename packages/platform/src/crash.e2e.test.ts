import { setTimeout as sleep } from 'node:timers/promises';
import type { SupportEvent } from '@supportstream/events';
import type { ConsumerRunner } from '@supportstream/kafka';
import { AGENT_SERVICES, startService, stopService, waitFor, type AgentServiceName, type ServiceProcess } from '@supportstream/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, startObserver } from '../test/e2eSupport.js';

/**
 * Crash test: many conversations in flight while the step services die, and are restarted, at
 * the worst moments: killed from outside at random (mostly mid-step), and killing themselves
 * right after a checkpoint (before producing its events) or right after producing (before the
 * offset commit). Every conversation must still complete exactly once: one RunCompleted, one
 * reply, and every step announced under exactly one event id.
 */

// Steps take as long as a (fast) real model's would, so kills land in the middle of them. The
// consumer-side dedup is off: redelivered triggers must be absorbed by the step runner itself.
const SERVICE_ENV = { OFFLINE_LATENCY_MS: '120', KAFKA_SESSION_TIMEOUT_MS: '6000', APPROVAL_EXPIRY_CHECK_MS: '1000', DEDUPE_PROCESSED_EVENTS: 'false' };
const FAULTS = { FAULT_CRASH_AFTER_CHECKPOINT: '0.04', FAULT_CRASH_AFTER_PUBLISH: '0.04' };
const CONVERSATIONS = 24;
const KILLS = 4;
const MAX_RESTARTS = 80;
const VICTIMS: readonly AgentServiceName[] = ['triage', 'research', 'solution', 'quality'];
const QUESTIONS = [
  'How do I reset my password?',
  'How long does shipping to Germany take?',
  'Can I return a damaged item?',
  'Which payment methods do you accept?',
  'How do I download an invoice?',
];

const services = new Map<AgentServiceName, ServiceProcess>();
const seen: SupportEvent[] = [];
let observer: ConsumerRunner;
let stopping = false;
let restarts = 0;
const supervisors: Promise<void>[] = [];

/** Keeps a service running: whenever it dies, it is started again, as an orchestrator would. */
async function supervise(name: AgentServiceName): Promise<void> {
  const env = VICTIMS.includes(name) ? { ...SERVICE_ENV, ...FAULTS } : SERVICE_ENV;
  while (!stopping) {
    const service = await startService(name, env);
    services.set(name, service);
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
  for (const name of AGENT_SERVICES) {
    supervisors.push(supervise(name));
    await waitFor(() => services.has(name), { timeoutMs: 90_000, description: `${name} to start` });
  }
}, 240_000);

afterAll(async () => {
  stopping = true;
  await Promise.all([...services.values()].map((service) => stopService(service)));
  await Promise.all(supervisors);
  await observer.stop();
});

const ofConversation = (conversationId: string) => seen.filter((event) => event.metadata.conversationId === conversationId);
const distinct = <T>(values: readonly T[]) => new Set(values).size;

describe('crash safety', () => {
  it('completes every conversation exactly once while workers are killed mid-step and restarted', async () => {
    const random = seeded(20_261_121);
    const conversations: string[] = [];
    const asking = (async () => {
      for (let index = 0; index < CONVERSATIONS; index += 1) {
        const output = await cli('ask', '--tenant', 'demo-tenant', '--customer', `crash-${index % 7}`, '--message', QUESTIONS[index % QUESTIONS.length] ?? '');
        conversations.push((JSON.parse(output) as { conversationId: string }).conversationId);
        await sleep(250);
      }
    })();

    const completed = (conversationId: string) => ofConversation(conversationId).some((event) => event.type === 'RunCompleted');
    const kills: { service: string; inFlight: number }[] = [];
    for (let kill = 0; kill < KILLS; kill += 1) {
      await sleep(400 + Math.floor(random() * 900));
      const name = VICTIMS[Math.floor(random() * VICTIMS.length)] ?? 'solution';
      const victim = services.get(name);
      if (!victim || victim.child.exitCode !== null) continue;
      kills.push({ service: name, inFlight: conversations.filter((id) => !completed(id)).length });
      victim.child.kill('SIGKILL');
      await victim.exited;
      // The supervisor starts it again.
      await waitFor(() => services.get(name) !== victim, { timeoutMs: 90_000, description: `${name} to restart` });
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
    // Let duplicates that are still in flight arrive before counting.
    await sleep(3_000);

    const stepEvents = conversations.flatMap((id) => ofConversation(id).filter((event) => event.type === 'AgentStepCompleted'));
    const distinctSteps = distinct(stepEvents.map((event) => event.metadata.eventId));
    console.log(`crash test: ${restarts} restarts (${kills.length} outside kills ${JSON.stringify(kills)}); step events seen ${stepEvents.length}, distinct ${distinctSteps}`);
    // The crashes must have hit the windows that matter: steps re-announced after a crash.
    expect(stepEvents.length, 'some steps were re-announced after a crash (replays happened)').toBeGreaterThan(distinctSteps);
    expect(restarts).toBeGreaterThan(kills.length);
    expect(kills.filter((kill) => kill.inFlight > 0).length, `kills with conversations in flight: ${JSON.stringify(kills)}`).toBeGreaterThanOrEqual(2);
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
    }
  }, 420_000);
});

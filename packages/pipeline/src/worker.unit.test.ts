import { createEventFactory, type SupportEvent } from '@supportstream/events';
import type { ApprovalRequest, NodeName, SupportStateType, ThreadSnapshot } from '@supportstream/graph';
import type { EventProducer, HandlerContext } from '@supportstream/kafka';
import { createLogger, createMetricsRegistry, type Registry } from '@supportstream/observability';
import { sampleContext, sampleEvent } from '@supportstream/testing';
import type pg from 'pg';
import type { Histogram, Gauge } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { registerPendingApprovalsGauge } from './metrics.js';
import type { StepOutcome, StepRunner } from './stepRunner.js';
import { createAgentWorker } from './worker.js';

const logger = createLogger({ service: 'test', level: 'silent' });
const factory = createEventFactory({ producer: 'test' });

function state(overrides: Partial<SupportStateType> = {}): SupportStateType {
  return {
    runId: 'run-1',
    runStartedAt: '2026-03-01T10:00:00.000Z',
    request: null,
    messages: [],
    history: [],
    moderation: null,
    triageDecision: null,
    sources: [],
    facts: [],
    draft: null,
    proposedActions: [],
    review: null,
    risk: null,
    approval: null,
    solutionAttempts: 0,
    outcome: null,
    finalReply: null,
    finalCitations: [],
    stepCount: 3,
    runUsage: { llmCalls: 0, promptTokens: 0, completionTokens: 0, costMicros: 0 },
    lastStep: null,
    ...overrides,
  };
}

function snapshot(values: SupportStateType, extra: Partial<ThreadSnapshot> = {}): ThreadSnapshot {
  const base: ThreadSnapshot = { values, next: ['quality'], tasks: [], checkpointId: 'ckpt-2', parentCheckpointId: 'ckpt-1', interrupts: [], createdAt: undefined, step: 3 };
  return { ...base, ...extra };
}

const ranStep = (node: NodeName, durationMs: number): StepOutcome => ({
  kind: 'ran',
  node,
  snapshot: snapshot(state({ lastStep: { node, startedAt: '2026-03-01T10:00:01.000Z', durationMs, summary: 'done', output: {}, llmCalls: [] } })),
});

function context(): HandlerContext {
  return { topic: 'agent.actions', partition: 0, offset: '0', headers: {}, schemaId: 1, attempt: 1, signal: new AbortController().signal, logger };
}

function workerUnderTest(runner: Partial<StepRunner>, spec: { nodes: NodeName[]; resumesApprovals?: boolean }) {
  const metrics = createMetricsRegistry({}, false);
  const published: SupportEvent[] = [];
  const producer: EventProducer = {
    connect: () => Promise.resolve(),
    disconnect: () => Promise.resolve(),
    publish: (events) => {
      published.push(...events);
      return Promise.resolve([]);
    },
  };
  const worker = createAgentWorker({ service: 'svc', ...spec, runner: runner as StepRunner, producer, factory, logger, metrics });
  return { worker, metrics, published };
}

async function histogram(registry: Registry, name: string, labels: Record<string, string>): Promise<{ count: number | undefined; sum: number | undefined }> {
  const values = (await (registry.getSingleMetric(name) as Histogram).get()).values;
  const find = (suffix: string) => values.find((entry) => entry.metricName === `${name}_${suffix}` && Object.entries(labels).every(([key, value]) => entry.labels[key] === value))?.value;
  return { count: find('count'), sum: find('sum') };
}

describe('agent_step_duration_seconds', () => {
  it('is observed with the node time of a step that ran, and not for a replayed step', async () => {
    const outcomes: StepOutcome[] = [ranStep('solution', 1_500), { ...ranStep('solution', 9_000), kind: 'replayed' }];
    const { worker, metrics, published } = workerUnderTest({ runSteps: () => Promise.resolve([outcomes.shift()!]) }, { nodes: ['solution'] });
    const trigger = sampleEvent('AgentStepCompleted', sampleContext(), { node: 'research', next: 'solution', checkpointId: 'ckpt-1' });

    await worker.handlers.AgentStepCompleted!(trigger, context());
    await worker.handlers.AgentStepCompleted!(trigger, context());

    expect(await histogram(metrics, 'agent_step_duration_seconds', { service: 'svc', node: 'solution' })).toEqual({ count: 1, sum: 1.5 });
    expect(published.filter((event) => event.type === 'AgentStepCompleted')).toHaveLength(2);
  });
});

describe('approval_decision_seconds', () => {
  const requested: ApprovalRequest = {
    approvalId: 'appr-1',
    reason: 'refund above the threshold',
    risk: 'HIGH',
    riskScore: 0.8,
    proposedReply: 'We will refund you.',
    requestedAt: '2026-03-01T10:00:00.000Z',
    expiresAt: '2026-03-01T11:00:00.000Z',
  };

  it('measures from the request to the decision that resumed the run, once per approval', async () => {
    const runner: Partial<StepRunner> = {
      resumeApproval: () => Promise.resolve({ kind: 'resumed', steps: [ranStep('escalate', 3)], requestedAt: requested.requestedAt }),
    };
    const { worker, metrics } = workerUnderTest(runner, { nodes: [], resumesApprovals: true });
    const context90s = sampleContext();
    const decided = factory.create('ApprovalDecided', { approvalId: 'appr-1', decision: 'APPROVED', decidedBy: 'sam', comment: null, editedReply: null }, context90s, 'decision-1', new Date('2026-03-01T10:01:30.000Z'));

    await worker.handlers.ApprovalDecided!(decided, context());
    expect(await histogram(metrics, 'approval_decision_seconds', { outcome: 'APPROVED' })).toEqual({ count: 1, sum: 90 });
    expect(await histogram(metrics, 'agent_step_duration_seconds', { node: 'escalate' })).toEqual({ count: 1, sum: 0.003 });
  });

  it('has every outcome at 0 from the start, so the first decision after a start counts in rate()', async () => {
    const { metrics } = workerUnderTest({}, { nodes: [], resumesApprovals: true });
    for (const outcome of ['APPROVED', 'REJECTED', 'EDITED', 'EXPIRED']) {
      expect(await histogram(metrics, 'approval_decision_seconds', { outcome })).toEqual({ count: 0, sum: 0 });
    }
  });

  it('labels an expiry EXPIRED', async () => {
    const runner: Partial<StepRunner> = {
      resumeApproval: () => Promise.resolve({ kind: 'resumed', steps: [ranStep('escalate', 1)], requestedAt: requested.requestedAt }),
    };
    const { worker, metrics } = workerUnderTest(runner, { nodes: [], resumesApprovals: true });
    const expired = factory.create('ApprovalExpired', { approvalId: 'appr-1', expiredAt: new Date(requested.expiresAt), fallbackPath: 'handoff' }, sampleContext(), 'expiry-1', new Date(requested.expiresAt));
    await worker.handlers.ApprovalExpired!(expired, context());
    expect(await histogram(metrics, 'approval_decision_seconds', { outcome: 'EXPIRED' })).toEqual({ count: 1, sum: 3_600 });
  });
});

describe('approvals_pending', () => {
  it('reads the pending approvals per tenant at scrape time, and keeps known tenants at 0', async () => {
    let pending: { tenant: string; pending: number }[] = [
      { tenant: 'tenant-a', pending: 2 },
      { tenant: 'tenant-b', pending: 1 },
    ];
    const pool = {
      query: (text: string) => Promise.resolve({ rows: text.includes('DISTINCT') ? [{ tenant: 'tenant-c' }] : pending }),
    } as unknown as pg.Pool;
    const metrics = createMetricsRegistry({}, false);
    registerPendingApprovalsGauge(metrics, pool, logger);
    const read = async (): Promise<Record<string, number>> =>
      Object.fromEntries((await (metrics.getSingleMetric('approvals_pending') as Gauge).get()).values.map((entry) => [String(entry.labels.tenant), entry.value]));

    expect(await read()).toEqual({ 'tenant-a': 2, 'tenant-b': 1, 'tenant-c': 0 });
    pending = [{ tenant: 'tenant-b', pending: 3 }];
    expect(await read()).toEqual({ 'tenant-a': 0, 'tenant-b': 3, 'tenant-c': 0 });
  });

  it('keeps the last values when the database cannot be read, without failing the scrape', async () => {
    let fail = false;
    const pool = {
      query: () => (fail ? Promise.reject(new Error('connection refused')) : Promise.resolve({ rows: [{ tenant: 'tenant-a', pending: 4 }] })),
    } as unknown as pg.Pool;
    const metrics = createMetricsRegistry({}, false);
    registerPendingApprovalsGauge(metrics, pool, logger);
    expect(await metrics.metrics()).toContain('approvals_pending{tenant="tenant-a"} 4');
    fail = true;
    expect(await metrics.metrics()).toContain('approvals_pending{tenant="tenant-a"} 4');
  });
});

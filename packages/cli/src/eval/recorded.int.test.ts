import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createPool } from '@supportstream/db';
import { causedBy, createEventFactory, type SupportEvent } from '@supportstream/events';
import type { RecordedJsonRecord } from '@supportstream/eval';
import { createEventProducer, createKafka, readToEnd } from '@supportstream/kafka';
import { createMetricsRegistry } from '@supportstream/observability';
import { runIdOf } from '@supportstream/pipeline';
import { keyVaultFromEnv } from '@supportstream/privacy';
import { createTestCodec, stackConfig, testLogger, uniqueName } from '@supportstream/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RECORDED_TOPICS } from '../audit/recordedWindow.js';
import type { CommandContext } from '../commands.js';
import { evalCommand } from './evalCommand.js';
import { recordedEvalCommand, type RecordedEvalOptions } from './recordedCommand.js';

const config = stackConfig();
const logger = testLogger();
const kafka = createKafka({ brokers: config.KAFKA_BROKERS, clientId: 'eval-recorded-test', logger });
// Seals personal fields with the services' data keys, as the services publish them.
const codec = createTestCodec(config);
const pool = createPool(config.DATABASE_URL, { max: 2, applicationName: 'eval-recorded-test' });
const knowledgeDir = fileURLToPath(new URL('../../../../knowledge', import.meta.url));
const datasetFile = fileURLToPath(new URL('../../../../eval/datasets/support-tickets.jsonl', import.meta.url));

async function run(command: (context: CommandContext) => Promise<number>) {
  const out: string[] = [];
  const err: string[] = [];
  const context: CommandContext = {
    config,
    logger,
    print: (line) => out.push(line),
    printError: (line) => err.push(line),
  };
  const code = await command(context);
  return { code, out, err };
}

// A recorded week of a tenant of its own, in a window of its own (the topics are shared).
const tenantId = uniqueName('tenant-eval-recorded');
const otherTenant = uniqueName('tenant-eval-other');
const base = Date.now() - 10 * 60_000;
const from = new Date(base);
const to = new Date(base + 60_000);
const factory = createEventFactory({ producer: 'eval-recorded-test' });
const eur = (units: number) => ({ amountMicros: units * 1_000_000, currency: 'EUR' });
const day = 86_400_000;

const published: SupportEvent[] = [];
const conversations = new Set<string>();

/** A request and the recorded run of it, built as the services would have published them. */
function recorded(
  key: string,
  options: { readonly customerId: string; readonly message: string; readonly at: number; readonly tenant?: string },
  conversationId = uniqueName(`eval-recorded-${key}`),
) {
  const { customerId, message } = options;
  const data = {
    channel: 'EMAIL' as const,
    customerId,
    customerTier: 'STANDARD' as const,
    subject: null,
    message,
    locale: null,
    attributes: {},
  };
  const identity = { requestId: uniqueName(`req-${key}`), correlationId: uniqueName('corr'), causationId: null };
  const context = { conversationId, tenantId: options.tenant ?? tenantId, customerId, ...identity };
  const request = factory.create('RequestReceived', data, context, undefined, new Date(options.at));
  const runId = runIdOf(request.metadata.requestId);
  const approvalId = uniqueName(`approval-${key}`);
  const caused = causedBy(request);
  const when = (ms: number) => new Date(options.at + ms);
  conversations.add(conversationId);
  published.push(request);
  const events = {
    request,
    triage(output: Record<string, unknown>) {
      const step = { runId, node: 'triage', checkpointId: 'cp-2', stepIndex: 2, attempt: 1, next: 'research' };
      const summary = { summary: 'triaged', output: JSON.stringify(output), durationMs: 3 };
      published.push(factory.create('AgentStepCompleted', { ...step, ...summary }, caused, undefined, when(100)));
      return events;
    },
    approval(actions: readonly { readonly kind: string; readonly amount: ReturnType<typeof eur> | null }[]) {
      const proposedActions = actions.map((action) => ({ ...action, description: `${action.kind}`, parameters: {} }));
      const asked = { approvalId, runId, checkpointId: 'cp-6', reason: 'refund above the approval threshold' };
      const shown = { risk: 'HIGH' as const, riskScore: 0.8, proposedReply: 'We will refund you.', proposedActions };
      const data = { ...asked, ...shown, expiresAt: new Date(options.at + day) };
      published.push(factory.create('ApprovalRequested', data, caused, undefined, when(200)));
      return events;
    },
    decided(decision: 'APPROVED' | 'REJECTED' | 'EDITED') {
      const data = { approvalId, decision, decidedBy: 'sam@example.com', comment: null, editedReply: null };
      published.push(factory.create('ApprovalDecided', data, caused, undefined, when(300)));
      return events;
    },
    expired() {
      const data = { approvalId, expiredAt: when(300), fallbackPath: 'handoff' };
      published.push(factory.create('ApprovalExpired', data, caused, undefined, when(300)));
      return events;
    },
    completed(outcome: 'RESOLVED' | 'RESOLVED_AFTER_APPROVAL' | 'HANDED_OFF') {
      const data = { runId, outcome, finalReply: 'Thank you.', citations: [], stepCount: 7, durationMs: 400 };
      published.push(factory.create('RunCompleted', data, caused, undefined, when(400)));
      return events;
    },
  };
  return events;
}

const at = (second: number) => base + second * 1_000;
const MESSAGES = {
  approved: 'Order 7001 arrived broken. Please refund the 80.00 EUR I paid.',
  rejected: 'Please refund order 7002, the 20.00 EUR charge. The item was faulty.',
  howTo: 'How do I reset my password?',
  thanks: 'Found the reset link, thanks!',
  legal: 'I will take legal action and contact my lawyer about my last order.',
  expired: 'Refund my 300 EUR now, order 9999 never arrived.',
  awaiting: 'I want my 150 EUR back for order 9998, it was damaged.',
};
const customers = ['cust-1', 'cust-2', 'cust-3', 'cust-4', 'cust-5', 'cust-6', 'cust-erased'];

// The window, in the order received (what the offline provider does with each message is in the comments):
// 1. escalated and APPROVED: a refund of 80 EUR (order 7001, 80 EUR paid); escalated again with that refund.
recorded('approved', { customerId: 'cust-1', message: MESSAGES.approved, at: at(1) })
  .triage({ category: 'refund' })
  .approval([{ kind: 'refund', amount: eur(80) }])
  .decided('APPROVED')
  .completed('RESOLVED_AFTER_APPROVAL');
// 2. escalated (under a stricter policy then) and REJECTED: 20 EUR; today answered alone, proposing that refund.
recorded('rejected', { customerId: 'cust-2', message: MESSAGES.rejected, at: at(2) })
  .triage({ category: 'refund' })
  .approval([{ kind: 'refund', amount: eur(20) }])
  .decided('REJECTED')
  .completed('HANDED_OFF');
// 3. and 4. answered alone, a conversation with a follow-up; the follow-up's triage output has no category.
const howTo = recorded('howto', { customerId: 'cust-3', message: MESSAGES.howTo, at: at(3) })
  .triage({ category: 'account' })
  .completed('RESOLVED');
recorded('thanks', { customerId: 'cust-3', message: MESSAGES.thanks, at: at(4) }, howTo.request.metadata.conversationId)
  .triage({ intent: 'thanks' })
  .completed('RESOLVED');
// 5. answered alone as `other` then; today a legal threat: escalated, `legal`.
recorded('legal', { customerId: 'cust-4', message: MESSAGES.legal, at: at(5) })
  .triage({ category: 'other' })
  .completed('RESOLVED');
// 6. an approval that expired: 300 EUR asked for, no order found; escalated again.
recorded('expired', { customerId: 'cust-5', message: MESSAGES.expired, at: at(6) })
  .triage({ category: 'refund' })
  .approval([])
  .expired()
  .completed('HANDED_OFF');
// 7. waiting for a supervisor: no label yet.
recorded('awaiting', { customerId: 'cust-6', message: MESSAGES.awaiting, at: at(7) })
  .triage({ category: 'refund' })
  .approval([]);
// 8. a customer erased since: not run.
recorded('erased', { customerId: 'cust-erased', message: 'Refund order 7003, please.', at: at(8) })
  .approval([{ kind: 'refund', amount: eur(50) }])
  .decided('APPROVED');
// Not in the window: an hour earlier, and another tenant.
recorded('before', { customerId: 'cust-1', message: 'Where is my parcel?', at: base - 3_600_000 })
  .triage({ category: 'shipping' })
  .completed('RESOLVED');
recorded('other', { customerId: 'cust-1', message: 'Refund my 90 EUR.', at: at(9), tenant: otherTenant })
  .approval([{ kind: 'refund', amount: eur(90) }])
  .decided('APPROVED');

/** The CRM rows of the window's refunds, for the tenant of the test only. */
async function seedCrm(): Promise<void> {
  for (const id of customers) {
    await pool.query('INSERT INTO crm_customers (tenant_id, id, name, email, tier) VALUES ($1, $2, $3, $4, $5)', [
      tenantId,
      id,
      `Customer ${id}`,
      `${id}@example.com`,
      'STANDARD',
    ]);
  }
  const orders = [
    ['7001', 'cust-1', 80_000_000],
    ['7002', 'cust-2', 20_000_000],
  ] as const;
  for (const [orderId, customerId, micros] of orders) {
    const placed = new Date(base - 9 * day);
    await pool.query(
      `INSERT INTO crm_orders (tenant_id, id, customer_id, status, currency, total_micros, placed_at, delivered_at)
       VALUES ($1, $2, $3, 'delivered', 'EUR', $4, $5, $6)`,
      [tenantId, orderId, customerId, micros, placed, new Date(base - 6 * day)],
    );
    await pool.query(
      `INSERT INTO crm_payments (tenant_id, id, order_id, kind, amount_micros, currency, captured_at)
       VALUES ($1, $2, $3, 'charge', $4, 'EUR', $5)`,
      [tenantId, `pay-${orderId}`, orderId, micros, placed],
    );
  }
}

async function dropCrm(): Promise<void> {
  for (const table of ['crm_payments', 'crm_order_lines', 'crm_orders', 'crm_customers']) {
    await pool.query(`DELETE FROM ${table} WHERE tenant_id = $1`, [tenantId]);
  }
}

let out: string;
const options = (fields: Partial<RecordedEvalOptions> = {}): RecordedEvalOptions => ({
  from,
  to,
  tenant: tenantId,
  out,
  knowledgeDir,
  json: true,
  gate: false,
  ...fields,
});

beforeAll(async () => {
  out = await mkdtemp(join(tmpdir(), 'eval-recorded-'));
  await seedCrm();
  const producer = createEventProducer({ kafka, codec, logger, metrics: createMetricsRegistry({}, false) });
  await producer.connect();
  try {
    await producer.publish(published);
  } finally {
    await producer.disconnect();
  }
  // Crypto-shredding: the customer's data key is deleted, their sealed fields read `[erased]`.
  await keyVaultFromEnv(config, pool).erase(tenantId, 'cust-erased', { by: 'eval-recorded-test', reason: 'test' });
}, 60_000);

afterAll(async () => {
  await dropCrm();
  await pool.end();
  await rm(out, { recursive: true, force: true });
});

describe('eval --from/--to (recorded traffic)', () => {
  it('scores the new runs of a window against the recorded decisions, and writes the record', async () => {
    const { code, out: printed, err } = await run((context) => recordedEvalCommand(context, options()));
    expect(err.filter((line) => !line.startsWith('eval: wrote '))).toEqual([]);
    expect(code).toBe(0);
    const record = JSON.parse(printed[0] ?? '') as RecordedJsonRecord;

    expect(record).toMatchObject({
      provider: 'offline',
      model: 'heuristic-v1',
      source: { from: from.toISOString(), to: to.toISOString(), tenant: tenantId },
    });
    expect(record.commit).toMatch(/^([0-9a-f]{40}(-dirty)?|unknown)$/);
    expect(record.counts).toEqual({
      requests: 8,
      erased: 1,
      skipped: 0,
      runs: 7,
      humanLabelled: 3,
      byDecision: { APPROVED: 1, EDITED: 0, REJECTED: 1, EXPIRED: 1 },
      answeredAlone: 3,
      awaitingDecision: 1,
      notRecorded: 0,
      failedRuns: 0,
      // approved and expired escalated again; the rejected 20 EUR refund is answered alone.
      escalation: { hits: 2, total: 3 },
      // approved: escalated again; rejected: its refund proposed without a supervisor.
      decision: { hits: 1, total: 2 },
      // the approved 80 EUR, computed again from order 7001.
      amounts: { hits: 1, total: 1 },
      // of the how-to, the thanks and the legal threat, the legal threat is escalated now;
      // categories: account = account, other ≠ legal, the thanks recorded none.
      agreement: { escalation: { hits: 2, total: 3 }, category: { hits: 1, total: 2 } },
      pii: { leaks: 0, requestsWithLeaks: 0 },
      output: { checked: 7, leaking: 0 },
    });
    expect(record.scores).toEqual({
      escalationRecall: 2 / 3,
      decisionAgreement: 1 / 2,
      amountsExact: 1,
      newEscalations: 1,
      agreementWithRecorded: { escalation: 2 / 3, category: 1 / 2 },
      piiLeaks: 0,
      outputLeaks: 0,
    });
    const problems = record.failures.map((failure) => failure.problems.map((problem) => problem.kind));
    expect(problems).toEqual([
      ['escalation', 'decision'],
      ['new_escalation', 'category'],
    ]);
    expect(record.failures[1]?.problems[1]).toEqual({ kind: 'category', recorded: 'other', observed: 'legal' });

    // The record on disk is the one printed.
    const files = (await readdir(out)).filter((name) => name.startsWith('recorded-offline-'));
    expect(files).toHaveLength(1);
    expect(JSON.parse(await readFile(join(out, files[0] ?? ''), 'utf8'))).toEqual(record);
  }, 120_000);

  it('prints the markdown report, and with --gate exits 1 on the missed escalation', async () => {
    const { code, out: printed, err } = await run((context) =>
      recordedEvalCommand(context, options({ json: false, gate: true })),
    );
    expect(code).toBe(1);
    const lines = (printed[0] ?? '').split('\n');
    expect(lines[0]).toBe('# Evaluation of recorded traffic: offline (heuristic-v1)');
    expect(lines).toContain('8 request(s): 7 run, 1 erased, 0 skipped (over --limit).');
    expect(lines).toContain('| Escalation recall | 0.667 | 2/3 | ≥ 1 ✗ |');
    expect(lines).toContain('| Exact amounts (approved) | 1.000 | 1/1 |  |');
    expect(lines).toContain('| New escalations | 1 | of 3 |  |');
    expect(lines).toContain('| PII leaks | 0 | 0 request(s) | ≤ 0 ✓ |');
    expect(lines).toContain('Gate: failed (escalationRecall).');
    expect(err).toContain('gate: escalationRecall is 0.667, the target is ≥ 1');
  }, 120_000);

  it('runs the earliest requests within --limit and counts the rest as skipped', async () => {
    const { code, out: printed } = await run((context) => recordedEvalCommand(context, options({ limit: 2 })));
    expect(code).toBe(0);
    const record = JSON.parse(printed[0] ?? '') as RecordedJsonRecord;
    expect(record.counts).toMatchObject({ requests: 8, erased: 1, skipped: 5, runs: 2, humanLabelled: 2 });
    expect(record.scores).toMatchObject({
      escalationRecall: 1 / 2,
      amountsExact: 1,
      agreementWithRecorded: { escalation: null, category: null },
    });
  }, 120_000);

  it('writes nothing to Kafka or PostgreSQL', async () => {
    const ours = (await readToEnd(kafka, codec, RECORDED_TOPICS)).filter((record) =>
      conversations.has(record.event.metadata.conversationId),
    );
    expect(new Set(ours.map((record) => record.event.metadata.eventId))).toEqual(
      new Set(published.map((event) => event.metadata.eventId)),
    );
    const threads = await pool.query('SELECT 1 FROM langgraph.checkpoints WHERE thread_id LIKE $1 LIMIT 1', [
      'eval-recorded:%',
    ]);
    expect(threads.rowCount).toBe(0);
  }, 60_000);

  it('refuses a bad window and reports an empty one', async () => {
    const nobody = options({ tenant: uniqueName('tenant-nobody') });
    const empty = await run((context) => recordedEvalCommand(context, nobody));
    expect(empty).toMatchObject({ code: 1, out: [] });
    expect(empty.err.join('\n')).toContain('eval: no RequestReceived on customer.requests in');
    expect((await run((context) => recordedEvalCommand(context, options({ from: to, to: from })))).code).toBe(2);
  }, 60_000);

  it('exits 2 with the reason when the provider row does not exist, as the dataset command does (one loader)', async () => {
    const provider = uniqueName('no-such-provider');
    const recordedRun = await run((context) => recordedEvalCommand(context, options({ provider })));
    expect(recordedRun).toMatchObject({ code: 2, out: [] });
    expect(recordedRun.err).toEqual([`eval: no llm_providers row named "${provider}"`]);
    const records = await mkdtemp(join(tmpdir(), 'eval-no-provider-'));
    try {
      const datasetRun = await run((context) =>
        evalCommand(context, { dataset: datasetFile, provider, out: records, knowledgeDir, json: true, gate: false }),
      );
      expect(datasetRun).toMatchObject({ code: 2, out: [], err: [`eval: no llm_providers row named "${provider}"`] });
      expect(await readdir(records)).toEqual([]);
    } finally {
      await rm(records, { recursive: true, force: true });
    }
  }, 60_000);
});

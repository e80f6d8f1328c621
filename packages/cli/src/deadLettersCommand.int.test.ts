import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { loadMigrations } from '@supportstream/db';
import { createScratchSchema, type ScratchSchema } from '@supportstream/db/testing';
import { InvalidInputError } from '@supportstream/errors';
import { topicOf } from '@supportstream/events';
import {
  createDeadLetterConsole,
  createDeadLetterProducer,
  createEventProducer,
  createKafka,
  postgresReplayLedger,
  readRawToEnd,
  readToEnd,
  type DeadLetterConsole,
  type DeadLetterListing,
  type DeadLetterProducer,
  type EventProducer,
  type ReplayOutcome,
} from '@supportstream/kafka';
import { createMetricsRegistry } from '@supportstream/observability';
import { cliPath, createTestCodec, createTopics, deleteTopics, sampleContext, sampleEvent, stackConfig, testLogger, uniqueName } from '@supportstream/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDeadLetters } from './deadLettersCommand.js';

const config = stackConfig();
const logger = testLogger();
const kafka = createKafka({ brokers: config.KAFKA_BROKERS, clientId: 'dlq-cli-test', logger });
const codec = createTestCodec(config);
const prefix = uniqueName('dlq-cli');
const approvals = `${prefix}.human.approvals`;
const analytics = `${prefix}.system.analytics`;
const tenant = uniqueName('tenant');
const context = sampleContext({ tenantId: tenant });
const decided = sampleEvent('ApprovalDecided', context);

let db: ScratchSchema;
let events: EventProducer;
let letters: DeadLetterProducer;
let deadLetters: DeadLetterConsole;

/** Runs the command as `supportstream dlq …` would, capturing what it prints. */
async function dlq(args: readonly string[], options: Parameters<typeof runDeadLetters>[3] = {}): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runDeadLetters(deadLetters, { print: (line) => out.push(line), printError: (line) => err.push(line) }, args, options);
  return { code, out, err };
}

beforeAll(async () => {
  await createTopics(kafka, [approvals], 1);
  await createTopics(kafka, [analytics], 1);
  db = await createScratchSchema('dlq_cli');
  const migration = (await loadMigrations()).find((candidate) => candidate.name === 'dead_letters');
  if (migration === undefined) throw new Error('migration 015_dead_letters.sql is missing');
  await db.pool.query(migration.sql);
  events = createEventProducer({ kafka, codec, logger, metrics: createMetricsRegistry({}, false), topicFor: (event) => `${prefix}.${topicOf(event.type)}` });
  await events.connect();
  // Written as the consumer runtime writes a dead letter: the original bytes and the error headers.
  const [original] = await events.publish([decided]);
  const value = await codec.encode(decided);
  letters = createDeadLetterProducer(kafka);
  await letters.connect();
  await letters.send(`${approvals}.dlq`, {
    topic: approvals,
    partition: original?.partition ?? 0,
    message: { key: Buffer.from(context.conversationId), value, offset: original?.baseOffset ?? '0', timestamp: String(Date.now()), headers: { 'event-id': decided.metadata.eventId, 'event-type': 'ApprovalDecided' } },
    group: 'approvals',
    error: new InvalidInputError('APPROVAL_UNKNOWN', 'no such approval'),
    attempts: 1,
    failedAt: new Date(),
  });
  deadLetters = createDeadLetterConsole({ kafka, codec, ledger: postgresReplayLedger({ pool: db.pool }), events, topics: [approvals, analytics], logger, producerName: 'supportstream-cli' });
});

afterAll(async () => {
  await deadLetters.close();
  await letters.disconnect();
  await events.disconnect();
  await db.drop();
  await deleteTopics(kafka, [approvals, analytics]);
});

describe('supportstream dlq', () => {
  it('list: names the reason, origin, group, attempts, key and tenant; --json gives the listing', async () => {
    const text = await dlq(['list'], { tenant });
    expect(text.code).toBe(0);
    expect(text.out.join('\n')).toContain(`${approvals}.dlq[0]@0  from ${approvals}[0]@0  group approvals  attempts 1  key ${context.conversationId}`);
    expect(text.out.join('\n')).toContain('APPROVAL_UNKNOWN: no such approval');
    expect(text.out.join('\n')).toContain(`ApprovalDecided ${decided.metadata.eventId} tenant ${tenant}`);
    const json = await dlq(['list'], { topic: approvals, json: true });
    const listing = JSON.parse(json.out[0] ?? '{}') as DeadLetterListing;
    expect(listing.entries.map((entry) => [entry.key, entry.tenantId, entry.replay])).toEqual([[context.conversationId, tenant, null]]);
    expect((await dlq(['list'], { tenant: uniqueName('other') })).out).toEqual(['no dead letters', '0 dead letter(s)']);
  });

  it('replay: puts it back once; a second replay does nothing and says so', async () => {
    const first = await dlq(['replay', `${approvals}.dlq`, '0', '0'], { by: 'ops@example.test', json: true });
    expect(first.code).toBe(0);
    const result = JSON.parse(first.out[0] ?? '{}') as ReplayOutcome;
    expect(result).toMatchObject({ status: 'replayed', originalTopic: approvals, replayedBy: 'ops@example.test', replayedTo: { topic: approvals, partition: 0, offset: '1' } });
    const back = await readRawToEnd(kafka, [approvals]);
    expect(back.map((raw) => [raw.offset, raw.key?.toString('utf8')])).toEqual([
      ['0', context.conversationId],
      ['1', context.conversationId],
    ]);
    expect(back[1]?.value?.equals(back[0]?.value ?? Buffer.alloc(0))).toBe(true);

    const again = await dlq(['replay', `${approvals}.dlq`, '0', '0'], { by: 'someone-else' });
    expect(again.code).toBe(0);
    expect(again.out.join('\n')).toMatch(/^already replayed: .* by ops@example\.test .*nothing done$/);
    expect(await readRawToEnd(kafka, [approvals])).toHaveLength(2);
    const audit = (await readToEnd(kafka, codec, [analytics])).map((record) => record.event);
    expect(audit.map((event) => [event.type, event.metadata.conversationId, event.metadata.tenantId, event.metadata.eventId])).toEqual([['DeadLetterReplayed', context.conversationId, tenant, result.eventId]]);
    expect((await dlq(['list'])).out.join('\n')).toContain('REPLAYED by ops@example.test');
  });

  it('answers bad input with usage (exit 2) and unknown positions with not found (exit 1)', async () => {
    expect((await dlq(['replay', `${approvals}.dlq`, '0', '5'])).code).toBe(1);
    expect((await dlq(['replay', `${approvals}.dlq`, '0', '5'])).err.join('\n')).toContain('DEAD_LETTER_NOT_FOUND');
    expect((await dlq(['replay', `${approvals}.dlq`, 'x', '0'])).code).toBe(2);
    expect((await dlq(['replay', `${approvals}.dlq`, '0', 'last'])).code).toBe(2);
    expect((await dlq(['replay', `${approvals}.dlq`, '0'])).code).toBe(2);
    expect((await dlq(['list'], { limit: '0' })).code).toBe(2);
    expect((await dlq(['list'], { topic: 'nowhere' })).err.join('\n')).toContain('UNKNOWN_TOPIC');
    expect((await dlq(['purge'])).code).toBe(2);
  });

  it('is wired into the CLI: usage lists it, a malformed call exits 2 with a message', async () => {
    const run = (args: readonly string[]) =>
      promisify(execFile)(process.execPath, [cliPath(), ...args], { env: process.env, timeout: 60_000 }).then(
        (done) => ({ code: 0, stdout: done.stdout, stderr: done.stderr }),
        (error: { code: number; stdout: string; stderr: string }) => error,
      );
    expect((await run(['--help'])).stdout).toContain('dlq replay <dlqTopic> <partition> <offset>');
    const malformed = await run(['dlq', 'replay', 'customer.requests.dlq', '0']);
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toContain('dlq replay needs <dlqTopic> <partition> <offset>');
    const unknown = await run(['dlq', 'replay', `${prefix}.nothing.dlq`, '0', '0']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('DEAD_LETTER_NOT_FOUND');
  });
});

import { loadAgentServiceEnv } from '@supportstream/platform';
import { sampleContext, sampleEvent, stackConfig, testLogger, uniqueName } from '@supportstream/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommandContext } from '../commands.js';
import { createReplayEngine, type ReplayEngine, type ReplayResult } from './replayEngine.js';
import { auditCheckpointsCommand, auditStateCommand } from './timeTravel.js';

const config = stackConfig();
const logger = testLogger();

async function run(command: (context: CommandContext) => Promise<number>) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await command({ config, logger, print: (line) => out.push(line), printError: (line) => err.push(line) });
  return { code, out, err };
}

interface Row {
  readonly checkpointId: string;
  readonly parentCheckpointId: string | null;
  readonly step: number;
  readonly ran: string;
  readonly next: string[];
  readonly requestId: string | null;
}

interface State {
  readonly checkpointId: string;
  readonly ran: string;
  readonly values: {
    readonly request: { readonly requestId: string } | null;
    readonly messages: readonly { readonly role: string; readonly text: string }[];
    readonly triageDecision: unknown;
    readonly draft: unknown;
    readonly outcome: string | null;
    readonly finalReply: string | null;
  };
}

const conversationId = uniqueName('audit-timetravel');
const context = sampleContext({ conversationId, tenantId: uniqueName('tenant-timetravel') });
const first = sampleEvent('RequestReceived', context, { message: 'How do I reset my password?', customerTier: 'STANDARD', subject: null });
const second = sampleEvent('RequestReceived', { ...context, requestId: uniqueName('req') }, { message: 'Thanks! How long does shipping to Germany take?', customerTier: 'STANDARD', subject: null });
let engine: ReplayEngine;
let runs: ReplayResult[];

beforeAll(async () => {
  // The conversation runs through the real graph, nodes and offline provider in this process, as the pipeline bench does.
  engine = await createReplayEngine({ env: loadAgentServiceEnv(), logger, producer: 'audit-timetravel-test' });
  runs = [await engine.run(first, conversationId), await engine.run(second, conversationId)];
});

afterAll(async () => {
  await engine.deleteThread(conversationId);
  await engine.close();
});

const checkpoints = async () => {
  const { code, out } = await run((commandContext) => auditCheckpointsCommand(commandContext, conversationId, { json: true }));
  expect(code).toBe(0);
  return JSON.parse(out[0] ?? '') as Row[];
};

const state = async (checkpoint?: string) => {
  const { code, out } = await run((commandContext) => auditStateCommand(commandContext, conversationId, { json: true, ...(checkpoint ? { checkpoint } : {}) }));
  expect(code).toBe(0);
  return JSON.parse(out[0] ?? '') as State;
};

describe('audit time travel', () => {
  it('lists every checkpoint of the thread, oldest first, each with the node that produced it', async () => {
    expect(runs.map((result) => result.outcome)).toEqual(['RESOLVED', 'RESOLVED']);
    const rows = await checkpoints();
    // A step writes one checkpoint when its invoke ends (exit durability): a run's input is not a
    // checkpoint of its own, the first is the run start, waiting before moderate.
    expect(rows[0]).toMatchObject({ step: 0, ran: '(run start)', parentCheckpointId: null, next: ['moderate'] });
    rows.slice(1).forEach((row, index) => expect(row.parentCheckpointId).toBe(rows[index]?.checkpointId));
    rows.slice(1).forEach((row, index) => expect(row.step).toBeGreaterThan(rows[index]?.step ?? Number.POSITIVE_INFINITY));
    // Two runs: the run start, then one checkpoint per step, as the runs' events report them.
    const ran = rows.map((row) => row.ran);
    const expected = runs.flatMap((result) => ['(run start)', ...result.route]);
    expect(ran).toEqual(expected);
    expect(rows.at(-1)?.next).toEqual([]);
    expect(rows.filter((row) => row.ran === 'triage').map((row) => row.requestId)).toEqual([first.metadata.requestId, second.metadata.requestId]);

    const human = await run((commandContext) => auditCheckpointsCommand(commandContext, conversationId, {}));
    expect(human.out[0]).toBe(`conversation ${conversationId}: ${rows.length} checkpoint(s), oldest first`);
    expect(human.out).toHaveLength(rows.length + 2);
    expect(human.out.at(-1)).toContain(rows.at(-1)?.checkpointId);
  });

  it('shows the state at an older checkpoint as it was then, and the latest by default', async () => {
    const rows = await checkpoints();
    const afterFirstTriage = rows.find((row) => row.ran === 'triage');
    const afterFirstRun = rows.find((row) => row.ran === 'respond');
    const older = await state(afterFirstTriage?.checkpointId);
    expect(older).toMatchObject({ checkpointId: afterFirstTriage?.checkpointId, ran: 'triage', values: { draft: null, outcome: null, finalReply: null } });
    expect(older.values.triageDecision).not.toBeNull();
    expect(older.values.messages.map((message) => message.role)).toEqual(['customer']);

    const endOfFirst = await state(afterFirstRun?.checkpointId);
    expect(endOfFirst.values).toMatchObject({ outcome: 'RESOLVED', finalReply: runs[0]?.reply, request: { requestId: first.metadata.requestId } });

    const latest = await state();
    expect(latest.checkpointId).toBe(rows.at(-1)?.checkpointId);
    expect(latest.values).toMatchObject({ outcome: 'RESOLVED', finalReply: runs[1]?.reply, request: { requestId: second.metadata.requestId } });
    expect(latest.values.messages.map((message) => message.role)).toEqual(['customer', 'agent', 'customer', 'agent']);
    expect(latest.values.finalReply).not.toBe(endOfFirst.values.finalReply);

    const human = await run((commandContext) => auditStateCommand(commandContext, conversationId, { checkpoint: afterFirstTriage?.checkpointId ?? '' }));
    expect(human.out[0]).toContain(`at checkpoint ${afterFirstTriage?.checkpointId} (step 2`);
    expect(human.out).toContain('outcome: null');
  });

  it('exits 1 with a message for an unknown conversation or checkpoint', async () => {
    const unknown = uniqueName('audit-nobody');
    const listing = await run((commandContext) => auditCheckpointsCommand(commandContext, unknown, {}));
    expect(listing).toMatchObject({ code: 1, out: [] });
    expect(listing.err.join('\n')).toContain(`no checkpoints for conversation ${unknown}`);
    expect((await run((commandContext) => auditStateCommand(commandContext, unknown, {}))).code).toBe(1);
    const missing = '1f000000-0000-6000-8000-000000000000';
    const atMissing = await run((commandContext) => auditStateCommand(commandContext, conversationId, { checkpoint: missing }));
    expect(atMissing).toMatchObject({ code: 1, out: [] });
    expect(atMissing.err.join('\n')).toContain(`conversation ${conversationId} has no checkpoint ${missing}`);
  });
});

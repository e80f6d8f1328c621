import type { RunnableConfig } from '@langchain/core/runnables';
import { MemorySaver } from '@langchain/langgraph';
import { createPool } from '@supportstream/db';
import { testDatabaseUrl } from '@supportstream/db/testing';
import { buildSupportGraph, type NodeImplementations, type RequestInfo } from '@supportstream/graph';
import { afterAll, describe, expect, it } from 'vitest';
import { scriptedNodes } from '../test/scriptedNodes.js';
import { createStepRunner } from './stepRunner.js';

/** A checkpointer that "crashes" once: the step's writes are saved, its checkpoint is not. */
class CrashingSaver extends MemorySaver {
  crashNextPut = false;
  override async put(...args: Parameters<MemorySaver['put']>): Promise<RunnableConfig> {
    if (this.crashNextPut) {
      this.crashNextPut = false;
      throw new Error('simulated crash between saving a step\'s writes and its checkpoint');
    }
    return super.put(...args);
  }
}

const pool = createPool(testDatabaseUrl(), { max: 4 });
afterAll(async () => {
  await pool.end();
});

const request = (conversationId: string): RequestInfo => ({
  requestId: `req-${conversationId}`,
  conversationId,
  tenantId: 't',
  customerId: 'c',
  customerTier: 'STANDARD',
  channel: 'WEB',
  subject: null,
  message: 'Where is my parcel?',
  correlationId: 'corr',
  receivedEventId: 'evt',
  receivedAt: new Date().toISOString(),
});

describe('step runner after a crash inside LangGraph', () => {
  it('completes a step whose writes were saved but whose checkpoint was not, without running the node again', async () => {
    const saver = new CrashingSaver();
    let moderations = 0;
    const nodes: NodeImplementations = { ...scriptedNodes() };
    const moderate = nodes.moderate!;
    nodes.moderate = (state, context) => {
      moderations += 1;
      return moderate(state, context);
    };
    const graph = buildSupportGraph({ nodes, checkpointer: saver });
    const runner = createStepRunner({ graph, pool });
    const conversationId = `crash-${Date.now()}`;
    const started = await runner.startRun(request(conversationId));
    expect(started.kind).toBe('started');

    saver.crashNextPut = true;
    await expect(runner.runStep(conversationId, 'moderate', started.snapshot.checkpointId ?? '')).rejects.toThrow(/simulated crash/);
    const limbo = await runner.readThread(conversationId);
    expect(limbo.checkpointId).toBe(started.snapshot.checkpointId);
    expect(limbo.tasks).toContain('moderate');

    // The redelivered trigger finishes the step from the saved writes.
    const again = await runner.runStep(conversationId, 'moderate', started.snapshot.checkpointId ?? '');
    expect(again.kind).toBe('ran');
    expect(again.snapshot.next).toEqual(['triage']);
    expect(again.snapshot.values.lastStep?.node).toBe('moderate');
    expect(moderations).toBe(1);
  });

  it('finishes a run start that crashed after its input was saved, instead of queueing the request behind it', async () => {
    const saver = new CrashingSaver();
    const graph = buildSupportGraph({ nodes: scriptedNodes(), checkpointer: saver });
    const runner = createStepRunner({ graph, pool });
    const conversationId = `start-crash-${Date.now()}`;
    // The input checkpoint is written; the first loop checkpoint is not.
    let puts = 0;
    const originalPut = saver.put.bind(saver);
    saver.put = async (...args: Parameters<MemorySaver['put']>): Promise<RunnableConfig> => {
      puts += 1;
      if (puts === 2) throw new Error('simulated crash during the run start');
      return originalPut(...args);
    };
    await expect(runner.startRun(request(conversationId))).rejects.toThrow(/simulated crash/);
    saver.put = originalPut;
    const again = await runner.startRun(request(conversationId));
    expect(again.kind).toBe('existing');
    expect(again.snapshot.next).toEqual(['moderate']);
  });
});

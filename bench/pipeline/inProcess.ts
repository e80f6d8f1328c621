/** In-process mode: the same graph, nodes and PostgreSQL checkpointer in one process, steps back to back, no Kafka. */
import { buildSupportGraph } from '@supportstream/graph';
import type { Logger } from '@supportstream/observability';
import { createStepRunner } from '@supportstream/pipeline';
import { createAgentRuntime, type AgentServiceEnv } from '@supportstream/platform';
import type { PhaseCost, PhaseMeter } from './costMeter.js';
import { requestInfo, summarize, type ModeResult } from './shared.js';

export interface InProcessOptions {
  readonly env: AgentServiceEnv;
  readonly logger: Logger;
  readonly conversations: number;
  readonly concurrency: number;
  readonly timeoutMs: number;
  /** Brackets the conversations only (not the runtime's start, whose checkpointer setup is not a conversation's cost). */
  readonly meter: PhaseMeter;
}

export async function inProcess(options: InProcessOptions): Promise<{ readonly result: ModeResult; readonly cost: PhaseCost }> {
  const runtime = await createAgentRuntime(options.env, 'bench-inprocess', options.logger);
  const graph = buildSupportGraph({ nodes: runtime.nodes, checkpointer: runtime.checkpointer });
  const runner = createStepRunner({ graph, pool: runtime.lockPool });
  const endToEnd: number[] = [];
  const steps = new Map<string, number[]>();
  let next = 0;
  const started = await options.meter.start({ quietMs: 1_500 });
  const begin = performance.now();
  const worker = async () => {
    while (next < options.conversations && performance.now() - begin < options.timeoutMs) {
      const index = next++;
      const request = requestInfo(index, 'inproc');
      const conversationBegin = performance.now();
      // One process hosts every node: the run's steps follow each other under one lock, each
      // still its own invoke and checkpoint (as a service runs the nodes it hosts).
      const outcome = await runner.startRun(request, { chain: () => true });
      for (const step of outcome.steps ?? []) {
        const last = step.snapshot.values.lastStep;
        if (step.kind === 'ran' && last) steps.set(last.node, [...(steps.get(last.node) ?? []), last.durationMs]);
      }
      endToEnd.push(performance.now() - conversationBegin);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  const seconds = (performance.now() - begin) / 1000;
  // Closing the pools ends their backends, which flushes their statistics at once.
  await runtime.close();
  const cost = await options.meter.stop(started, { graceMs: 0, quietMs: 1_500 });
  return { result: summarize(options.conversations, seconds, endToEnd, steps), cost };
}

import type { RunnableConfig } from '@langchain/core/runnables';
import type { SupportGraph } from './build.js';
import type { SupportStateType } from './state.js';

/** A typed view of a thread's checkpoint (LangGraph types the values as any). */
export interface ThreadSnapshot {
  readonly values: SupportStateType;
  readonly next: readonly string[];
  /**
   * Every task of this checkpoint, including one whose writes were saved but whose next
   * checkpoint was not (a crash in between): LangGraph then leaves it out of `next`, and the
   * next invoke applies the saved writes instead of running the node again.
   */
  readonly tasks: readonly string[];
  readonly checkpointId: string | undefined;
  readonly parentCheckpointId: string | undefined;
  /** Values passed to interrupt() by the node that is paused, if any. */
  readonly interrupts: readonly unknown[];
  readonly createdAt: string | undefined;
  /** LangGraph's step counter of the checkpoint (-1 for the input checkpoint of a thread). */
  readonly step: number | undefined;
}

export function threadConfig(threadId: string, extra: Record<string, unknown> = {}): RunnableConfig {
  return { configurable: { thread_id: threadId, ...extra } };
}

function toSnapshot(state: Awaited<ReturnType<SupportGraph['getState']>>): ThreadSnapshot {
  const id = (config: RunnableConfig | undefined): string | undefined => {
    const value = config?.configurable?.['checkpoint_id'] as unknown;
    return typeof value === 'string' ? value : undefined;
  };
  return {
    values: state.values as SupportStateType,
    next: state.next,
    tasks: state.tasks.map((task) => task.name),
    checkpointId: id(state.config),
    parentCheckpointId: id(state.parentConfig),
    interrupts: state.tasks.flatMap((task) => task.interrupts.map((interrupt) => interrupt.value as unknown)),
    createdAt: state.createdAt,
    step: state.metadata?.step,
  };
}

/** The thread's latest checkpoint, or the one with `checkpointId` (time travel; unknown ids give an empty snapshot). */
export async function readThread(graph: SupportGraph, threadId: string, checkpointId?: string): Promise<ThreadSnapshot> {
  return toSnapshot(await graph.getState(threadConfig(threadId, checkpointId === undefined ? {} : { checkpoint_id: checkpointId })));
}

/** Newest first; bounded so a long thread cannot make a lookup unbounded. */
export async function* threadHistory(graph: SupportGraph, threadId: string, limit = 200): AsyncGenerator<ThreadSnapshot> {
  for await (const state of graph.getStateHistory(threadConfig(threadId), { limit })) yield toSnapshot(state);
}

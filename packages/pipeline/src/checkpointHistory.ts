import { PostgresSaver } from '@langchain/langgraph-checkpoint-postgres';
import { buildSupportGraph, currentRunId, readThread, threadHistory, type SupportGraph, type SupportStateType, type ThreadSnapshot } from '@supportstream/graph';
import type pg from 'pg';
import { CHECKPOINT_SCHEMA } from './checkpointer.js';

/**
 * What produced a checkpoint: `input` is the input checkpoint of a run (LangGraph's `__start__`
 * task is pending; it still holds the previous run's state), `runStart` the first loop checkpoint
 * of a run (no step yet), `step` a checkpoint written after `node` ran.
 */
export type CheckpointKind = 'input' | 'runStart' | 'step';

/** One checkpoint of a conversation's thread, without its state. */
export interface CheckpointSummary {
  readonly checkpointId: string;
  readonly parentCheckpointId: string | null;
  /** LangGraph's step counter (-1 for the input checkpoint of a thread). */
  readonly step: number | null;
  readonly createdAt: string | null;
  readonly kind: CheckpointKind;
  /** The node whose step wrote this checkpoint; null for `input` and `runStart`. */
  readonly node: string | null;
  /** The nodes the graph runs next; empty when the run ended. */
  readonly next: readonly string[];
  /** The run and request the checkpoint belongs to (null for an input checkpoint, which holds the previous run's values). */
  readonly runId: string | null;
  readonly requestId: string | null;
  /** The approval the run waits for, when the checkpoint is paused at escalation's interrupt(). */
  readonly pendingApprovalId: string | null;
}

/** A checkpoint with the graph state it holds. */
export interface CheckpointState extends CheckpointSummary {
  /** Every task of the checkpoint (see ThreadSnapshot.tasks). */
  readonly tasks: readonly string[];
  /** Values passed to interrupt() by the paused node, if any. */
  readonly interrupts: readonly unknown[];
  readonly values: SupportStateType;
}

export interface CheckpointList {
  /** Oldest first. */
  readonly checkpoints: readonly CheckpointSummary[];
  /** True when the thread has older checkpoints than the `limit` newest listed here. */
  readonly truncated: boolean;
}

/** Reads a conversation's graph checkpoints (time travel); it never writes. */
export interface CheckpointHistory {
  /** The newest `limit` checkpoints of the thread (default 500), oldest first; empty for an unknown thread. */
  list(threadId: string, options?: { limit?: number }): Promise<CheckpointList>;
  /** The state at a checkpoint (default: the latest); undefined for an unknown thread or checkpoint. */
  state(threadId: string, checkpointId?: string): Promise<CheckpointState | undefined>;
}

export const MAX_CHECKPOINT_LIST = 1_000;

const kindOf = (snapshot: ThreadSnapshot): CheckpointKind => {
  if (snapshot.next.includes('__start__') || snapshot.tasks.includes('__start__')) return 'input';
  return snapshot.values.lastStep?.node === undefined ? 'runStart' : 'step';
};

const pendingApprovalOf = (snapshot: ThreadSnapshot): string | null => {
  const value = snapshot.interrupts[0] as { approvalId?: unknown } | undefined;
  return typeof value?.approvalId === 'string' ? value.approvalId : null;
};

/** The summary of a snapshot LangGraph returned for a written checkpoint. */
export function describeCheckpoint(snapshot: ThreadSnapshot & { readonly checkpointId: string }): CheckpointSummary {
  const kind = kindOf(snapshot);
  // An input checkpoint still holds the previous run's values: its run starts at the next one.
  const input = kind === 'input';
  return {
    checkpointId: snapshot.checkpointId,
    parentCheckpointId: snapshot.parentCheckpointId ?? null,
    step: snapshot.step ?? null,
    createdAt: snapshot.createdAt ?? null,
    kind,
    node: kind === 'step' ? (snapshot.values.lastStep?.node ?? null) : null,
    next: [...snapshot.next],
    runId: input ? null : currentRunId(snapshot.values) || null,
    requestId: input ? null : (snapshot.values.request?.requestId ?? null),
    pendingApprovalId: pendingApprovalOf(snapshot),
  };
}

// LangGraph answers an unknown thread or checkpoint with an empty snapshot that was never written.
const isWritten = (snapshot: ThreadSnapshot): snapshot is ThreadSnapshot & { readonly checkpointId: string } => snapshot.checkpointId !== undefined && snapshot.createdAt !== undefined;

/** PostgreSQL's undefined_table: the checkpointer's tables were never set up, so no thread was ever started. */
const isUndefinedTable = (error: unknown): boolean => typeof error === 'object' && error !== null && (error as { code?: unknown }).code === '42P01';

/** Time travel over a graph that hosts no node (it only reads checkpoints). */
export function checkpointHistory(graph: SupportGraph): CheckpointHistory {
  return {
    async list(threadId, options = {}) {
      const limit = Math.min(MAX_CHECKPOINT_LIST, Math.max(1, Math.trunc(options.limit ?? 500)));
      const newestFirst: CheckpointSummary[] = [];
      try {
        // One more than asked: tells whether older checkpoints were left out.
        for await (const snapshot of threadHistory(graph, threadId, limit + 1)) if (isWritten(snapshot)) newestFirst.push(describeCheckpoint(snapshot));
      } catch (error) {
        if (isUndefinedTable(error)) return { checkpoints: [], truncated: false };
        throw error;
      }
      const truncated = newestFirst.length > limit;
      return { checkpoints: newestFirst.slice(0, limit).reverse(), truncated };
    },
    async state(threadId, checkpointId) {
      let snapshot: ThreadSnapshot;
      try {
        snapshot = await readThread(graph, threadId, checkpointId);
      } catch (error) {
        if (isUndefinedTable(error)) return undefined;
        throw error;
      }
      if (!isWritten(snapshot)) return undefined;
      return { ...describeCheckpoint(snapshot), tasks: [...snapshot.tasks], interrupts: [...snapshot.interrupts], values: snapshot.values };
    },
  };
}

/**
 * Time travel on the pipeline's PostgreSQL checkpoints (schema `langgraph` unless told), for the
 * audit CLI and the gateway. Read-only: it runs no `setup()` (no DDL, so a read-only role will
 * do), and a database where the tables do not exist yet has no checkpoints.
 */
export function openCheckpointHistory(pool: pg.Pool, schema = CHECKPOINT_SCHEMA): CheckpointHistory {
  return checkpointHistory(buildSupportGraph({ nodes: {}, checkpointer: new PostgresSaver(pool, undefined, { schema }) }));
}

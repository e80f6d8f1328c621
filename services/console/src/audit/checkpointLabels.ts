import type { CheckpointSummary } from '../api/types.js';

/** `step 3 · triage`, `step -1 · input`, `step 0 · run start`. */
export function checkpointTitle(checkpoint: Pick<CheckpointSummary, 'step' | 'kind' | 'node'>): string {
  const what = checkpoint.kind === 'step' ? (checkpoint.node ?? 'step') : checkpoint.kind === 'input' ? 'input' : 'run start';
  return checkpoint.step === null ? what : `step ${checkpoint.step} · ${what}`;
}

/** The checkpoint to compare with: its parent when listed (or at least known), else the one listed before it. */
export function previousOf(checkpoints: readonly CheckpointSummary[], index: number): string | undefined {
  const checkpoint = checkpoints[index];
  if (checkpoint === undefined) return undefined;
  if (checkpoint.parentCheckpointId !== null) return checkpoint.parentCheckpointId;
  return checkpoints[index - 1]?.checkpointId;
}

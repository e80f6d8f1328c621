import { UnstyledButton, Text } from '@mantine/core';
import type { CheckpointSummary } from '../api/types.js';
import { formatDateTime } from '../format/time.js';
import { checkpointTitle } from './checkpointLabels.js';

export interface CheckpointListProps {
  readonly checkpoints: readonly CheckpointSummary[];
  readonly selectedId: string | undefined;
  readonly onSelect: (checkpointId: string) => void;
}

/** The thread's checkpoints, oldest first, each a button that shows its state. */
export function CheckpointList({ checkpoints, selectedId, onSelect }: CheckpointListProps) {
  return (
    <ol className="checkpoint-list" aria-label="Checkpoints, oldest first">
      {checkpoints.map((checkpoint) => {
        const selected = checkpoint.checkpointId === selectedId;
        return (
          <li key={checkpoint.checkpointId}>
            <UnstyledButton
              className="checkpoint-button"
              aria-pressed={selected}
              data-checkpoint-id={checkpoint.checkpointId}
              onClick={() => onSelect(checkpoint.checkpointId)}
            >
              <Text size="sm" fw={600} component="span" className="checkpoint-title">
                {checkpointTitle(checkpoint)}
              </Text>
              <Text size="xs" c="dimmed" component="span" className="checkpoint-meta">
                <time dateTime={checkpoint.createdAt ?? undefined}>{formatDateTime(checkpoint.createdAt)}</time>
                {checkpoint.next.length > 0 ? ` · next ${checkpoint.next.join(', ')}` : ' · run ended'}
              </Text>
              <Text size="xs" c="dimmed" component="span" className="mono checkpoint-id">
                {checkpoint.checkpointId}
              </Text>
            </UnstyledButton>
          </li>
        );
      })}
    </ol>
  );
}

import { Alert, Button, Group, Loader, Stack, Switch, Text, Title } from '@mantine/core';
import { useState } from 'react';
import type { CheckpointState, CheckpointSummary } from '../api/types.js';
import { formatDateTime } from '../format/time.js';
import { checkpointTitle } from './checkpointLabels.js';
import { changedPaths, changesByKey } from './stateDiff.js';
import { StateValues } from './StateValues.js';
import type { StateEntry } from './useCheckpoints.js';

export interface CheckpointViewerProps {
  readonly checkpoints: readonly CheckpointSummary[];
  readonly selectedId: string;
  readonly selected: StateEntry;
  /** The checkpoint compared with (its parent), if any, and its state. */
  readonly previousId: string | undefined;
  readonly previous: StateEntry | undefined;
  readonly onSelect: (checkpointId: string) => void;
  readonly onRetry: (checkpointId: string) => void;
}

function Facts({ state }: { readonly state: CheckpointState }) {
  const rows: [string, string | null][] = [
    ['Checkpoint', state.checkpointId],
    ['Parent', state.parentCheckpointId],
    ['Created', formatDateTime(state.createdAt)],
    ['Next', state.next.length === 0 ? 'nothing (the run ended)' : state.next.join(', ')],
    ['Run', state.runId],
    ['Request', state.requestId],
    ['Waits for approval', state.pendingApprovalId],
    ['Tasks', state.tasks.length === 0 ? null : state.tasks.join(', ')],
  ];
  return (
    <dl className="facts">
      {rows
        .filter((row): row is [string, string] => row[1] !== null)
        .map(([name, value]) => (
          <div key={name}>
            <dt>{name}</dt>
            <dd className={name === 'Checkpoint' || name === 'Parent' || name === 'Run' || name === 'Request' ? 'mono' : undefined}>{value}</dd>
          </div>
        ))}
    </dl>
  );
}

/** The graph state at the chosen checkpoint, what changed since its parent, and steps back and forth through time. */
export function CheckpointViewer({ checkpoints, selectedId, selected, previousId, previous, onSelect, onRetry }: CheckpointViewerProps) {
  const [onlyChanged, setOnlyChanged] = useState(false);
  const index = checkpoints.findIndex((checkpoint) => checkpoint.checkpointId === selectedId);
  const before = index > 0 ? checkpoints[index - 1] : undefined;
  const after = index >= 0 ? checkpoints[index + 1] : undefined;
  const summary = checkpoints[index];
  const comparable = selected.status === 'ready' && previous?.status === 'ready' ? changesByKey(changedPaths(previous.state.values, selected.state.values)) : undefined;
  const previousSummary = checkpoints.find((checkpoint) => checkpoint.checkpointId === previousId);

  return (
    <section className="checkpoint-viewer" aria-labelledby="checkpoint-title" aria-busy={selected.status === 'loading'}>
      <Stack gap="sm">
        <Group justify="space-between" align="center" wrap="wrap" gap="xs">
          <Title order={3} size="h4" id="checkpoint-title">
            State at {summary === undefined ? 'checkpoint' : checkpointTitle(summary)}
          </Title>
          <Group gap="xs">
            <Button size="xs" variant="default" disabled={before === undefined} onClick={() => before !== undefined && onSelect(before.checkpointId)}>
              Earlier
            </Button>
            <Button size="xs" variant="default" disabled={after === undefined} onClick={() => after !== undefined && onSelect(after.checkpointId)}>
              Later
            </Button>
          </Group>
        </Group>

        {selected.status === 'loading' && <Loader size="sm" aria-label="Loading the checkpoint's state" />}
        {selected.status === 'missing' && (
          <Alert color="gray" variant="light" role="alert" title="No such checkpoint">
            It is not (or no longer) in this conversation's thread: closed threads are pruned.
          </Alert>
        )}
        {selected.status === 'error' && (
          <Alert color="red" variant="light" role="alert" title="The state could not be loaded">
            <Stack gap="xs" align="flex-start">
              <Text size="sm">{selected.error.message}</Text>
              <Button size="xs" variant="light" color="red" onClick={() => onRetry(selectedId)}>
                Retry
              </Button>
            </Stack>
          </Alert>
        )}
        {selected.status === 'ready' && (
          <>
            <Facts state={selected.state} />
            <Group justify="space-between" gap="xs" wrap="wrap">
              <Text size="sm" c="dimmed" role="status" aria-live="polite">
                {previousId === undefined
                  ? 'The first checkpoint: nothing to compare with.'
                  : comparable === undefined
                    ? previous?.status === 'loading' || previous === undefined
                      ? 'Comparing with the previous checkpoint…'
                      : 'The previous checkpoint could not be read: no comparison.'
                    : `${comparable.size === 0 ? 'Nothing changed' : `${comparable.size} ${comparable.size === 1 ? 'key' : 'keys'} changed`} since ${previousSummary === undefined ? 'its parent' : checkpointTitle(previousSummary)}.`}
              </Text>
              <Switch size="sm" label="Only what changed" checked={onlyChanged} disabled={comparable === undefined} onChange={(event) => setOnlyChanged(event.currentTarget.checked)} />
            </Group>
            <StateValues values={selected.state.values} changes={comparable} onlyChanged={onlyChanged && comparable !== undefined} />
            {selected.state.interrupts.length > 0 && (
              <details>
                <summary>Interrupt values</summary>
                <pre className="event-data">{JSON.stringify(selected.state.interrupts, null, 2)}</pre>
              </details>
            )}
          </>
        )}
      </Stack>
    </section>
  );
}

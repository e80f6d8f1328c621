import { Button, Group, Modal, Stack, Text } from '@mantine/core';
import type { DeadLetter } from '../api/types.js';
import { originOf, shortPosition } from './records.js';

export interface ReplayConfirmProps {
  /** The record asked about; kept while the dialog closes so its text does not vanish mid-transition. */
  readonly record: DeadLetter | undefined;
  readonly opened: boolean;
  readonly onCancel: () => void;
  readonly onConfirm: (record: DeadLetter) => void;
}

/**
 * The confirm step of a replay: a modal dialog (labelled by its title, focus kept inside, Escape
 * cancels). Scroll is locked without react-remove-scroll's scroll-bar style element, which the
 * console's CSP (style-src 'self') would refuse.
 */
export function ReplayConfirm({ record, opened, onCancel, onConfirm }: ReplayConfirmProps) {
  const origin = record === undefined ? undefined : originOf(record);
  return (
    <Modal opened={opened} onClose={onCancel} title="Replay this dead letter?" centered removeScrollProps={{ removeScrollBar: false }}>
      {record !== undefined && origin !== undefined && (
        <Stack gap="sm">
          <Text size="sm">
            The record goes back to <strong>{record.originalTopic}</strong> with its key, value and headers, and its consumers handle it again. Replay it once the cause is fixed
            {record.errorCode === null ? '' : ` (it failed with ${record.errorCode})`}.
          </Text>
          <Text size="sm" c="dimmed">
            Record <span className="mono">{shortPosition(origin)}</span>, on <span className="mono">{shortPosition(record.position)}</span>. A record is replayed once: asking again answers
            that it was already replayed. The replay is recorded as a DeadLetterReplayed event under your name.
          </Text>
          <Group justify="flex-end" gap="sm" mt="xs">
            <Button variant="default" onClick={onCancel} data-autofocus>
              Cancel
            </Button>
            <Button onClick={() => onConfirm(record)}>Replay to {record.originalTopic}</Button>
          </Group>
        </Stack>
      )}
    </Modal>
  );
}

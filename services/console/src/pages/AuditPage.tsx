import { Alert, Anchor, Badge, Button, Group, Loader, Stack, Tabs, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { Link, useParams, useSearchParams } from 'react-router';
import type { ApiError } from '../api/client.js';
import type { CheckpointSummary } from '../api/types.js';
import { previousOf } from '../audit/checkpointLabels.js';
import { CheckpointList } from '../audit/CheckpointList.js';
import { CheckpointViewer } from '../audit/CheckpointViewer.js';
import { HistoryList } from '../audit/HistoryList.js';
import { useCheckpointList, useCheckpointStates } from '../audit/useCheckpoints.js';
import { useHistory } from '../audit/useHistory.js';

type View = 'log' | 'checkpoints';
const CHECKPOINT_LIMITS = [100, 500] as const;

function Failure({ error, what }: { readonly error: ApiError; readonly what: string }) {
  if (error.status === 403) {
    return (
      <Alert color="yellow" variant="light" role="alert" title="The audit trail is for staff">
        Your role may not read it (service, supervisor and admin may).
      </Alert>
    );
  }
  return (
    <Alert color="red" variant="light" role="alert" title={`The ${what} could not be loaded`}>
      {error.message}
    </Alert>
  );
}

function LogPanel({ history }: { readonly history: ReturnType<typeof useHistory> }) {
  if (history.status === 'loading') return <Loader size="sm" aria-label="Loading the history" />;
  if (history.status === 'error') return <Failure error={history.error} what="history" />;
  return (
    <Stack gap="sm">
      <Text size="sm" c="dimmed">
        Each record where the log holds it (topic, partition, offset), in offset order within each partition, indented under the event that caused it. From the read model's copy of the
        log; <span className="mono">supportstream audit history</span> reads Kafka itself.
      </Text>
      {history.events.length === 0 ? (
        <Text c="dimmed" role="status">
          No records yet.
        </Text>
      ) : (
        <HistoryList events={history.events} />
      )}
      {history.moreError !== undefined && (
        <Alert color="red" variant="light" role="alert">
          {history.moreError.message}
        </Alert>
      )}
      {history.nextAfter !== null && (
        <Group>
          <Button variant="default" onClick={history.loadMore} loading={history.loadingMore}>
            Load more records
          </Button>
        </Group>
      )}
    </Stack>
  );
}

function CheckpointsPanel({ conversationId, checkpoints, truncated, onMore, selectedId, onSelect }: {
  readonly conversationId: string;
  readonly checkpoints: readonly CheckpointSummary[];
  readonly truncated: boolean;
  readonly onMore: (() => void) | undefined;
  readonly selectedId: string | undefined;
  readonly onSelect: (checkpointId: string) => void;
}) {
  const index = checkpoints.findIndex((checkpoint) => checkpoint.checkpointId === selectedId);
  const previousId = index >= 0 ? previousOf(checkpoints, index) : undefined;
  const { states, retry } = useCheckpointStates(conversationId, [selectedId, previousId].filter((id): id is string => id !== undefined));
  if (checkpoints.length === 0) {
    return (
      <Text c="dimmed" role="status">
        No checkpoints: the conversation's graph thread has not started yet, or its checkpoints were pruned.
      </Text>
    );
  }
  return (
    <Stack gap="sm">
      {truncated && (
        <Alert color="blue" variant="light">
          <Group gap="sm" justify="space-between" wrap="wrap">
            <Text size="sm">The newest {checkpoints.length} checkpoints are listed; the thread has older ones.</Text>
            {onMore !== undefined && (
              <Button size="xs" variant="light" onClick={onMore}>
                List up to {CHECKPOINT_LIMITS[1]}
              </Button>
            )}
          </Group>
        </Alert>
      )}
      <div className="time-travel">
        <CheckpointList checkpoints={checkpoints} selectedId={selectedId} onSelect={onSelect} />
        {selectedId !== undefined && (
          <CheckpointViewer
            checkpoints={checkpoints}
            selectedId={selectedId}
            selected={states.get(selectedId) ?? { status: 'loading' }}
            previousId={previousId}
            previous={previousId === undefined ? undefined : states.get(previousId)}
            onSelect={onSelect}
            onRetry={retry}
          />
        )}
      </div>
    </Stack>
  );
}

/**
 * A conversation's audit trail: its history as the log holds it, and the graph state at any of its
 * checkpoints (time travel). The tab and the checkpoint chosen are in the URL (?view=, ?checkpoint=).
 */
export function AuditPage() {
  const { id = '' } = useParams();
  const [params, setParams] = useSearchParams();
  const [limit, setLimit] = useState<number>(CHECKPOINT_LIMITS[0]);
  const view: View = params.get('view') === 'checkpoints' ? 'checkpoints' : 'log';
  const history = useHistory(id);
  const list = useCheckpointList(id, limit);
  const checkpoints = list.status === 'ready' ? list.list.checkpoints : [];
  const selectedId = params.get('checkpoint') ?? checkpoints.at(-1)?.checkpointId;
  // Both routes answer 404 for a conversation the read model does not show this tenant.
  const notFound = (list.status === 'error' && list.error.status === 404) || (history.status === 'error' && history.error.status === 404);

  const setParam = (name: string, value: string) =>
    setParams(
      (current) => {
        const next = new URLSearchParams(current);
        next.set(name, value);
        return next;
      },
      { replace: true },
    );

  return (
    <Stack gap="lg" className="page">
      <Stack gap={4}>
        <Title order={1} size="h2">
          Audit · conversation <span className="mono">{id}</span>
        </Title>
        <Anchor component={Link} to={`/conversations/${encodeURIComponent(id)}`} size="sm">
          Back to the conversation
        </Anchor>
      </Stack>

      {notFound ? (
        <Alert color="red" variant="light" role="alert" title="No such conversation">
          It does not exist in your tenant, or it is not projected yet.
        </Alert>
      ) : (
        <Tabs value={view} onChange={(value) => setParam('view', value === 'checkpoints' ? 'checkpoints' : 'log')} keepMounted={false}>
          <Tabs.List>
            <Tabs.Tab value="log" rightSection={history.status === 'ready' ? <Badge size="xs" variant="light" aria-label={`${history.events.length}${history.nextAfter === null ? '' : '+'} records`}>{history.events.length}{history.nextAfter === null ? '' : '+'}</Badge> : undefined}>
              Log
            </Tabs.Tab>
            <Tabs.Tab value="checkpoints" rightSection={list.status === 'ready' ? <Badge size="xs" variant="light" aria-label={`${checkpoints.length} checkpoints`}>{checkpoints.length}</Badge> : undefined}>
              Checkpoints
            </Tabs.Tab>
          </Tabs.List>
          <Tabs.Panel value="log" pt="md">
            <LogPanel history={history} />
          </Tabs.Panel>
          <Tabs.Panel value="checkpoints" pt="md">
            {list.status === 'loading' && <Loader size="sm" aria-label="Loading the checkpoints" />}
            {list.status === 'error' && <Failure error={list.error} what="checkpoints" />}
            {list.status === 'ready' && (
              <CheckpointsPanel
                conversationId={id}
                checkpoints={checkpoints}
                truncated={list.list.truncated}
                onMore={limit < CHECKPOINT_LIMITS[1] ? () => setLimit(CHECKPOINT_LIMITS[1]) : undefined}
                selectedId={selectedId}
                onSelect={(checkpointId) => setParam('checkpoint', checkpointId)}
              />
            )}
          </Tabs.Panel>
        </Tabs>
      )}
    </Stack>
  );
}

import { Alert, Badge, Button, Group, NativeSelect, Skeleton, Stack, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { useSearchParams } from 'react-router';
import type { DeadLetter } from '../api/types.js';
import { DeadLetterCard } from '../deadLetters/DeadLetterCard.js';
import { positionKey, topicChoices } from '../deadLetters/records.js';
import { ReplayConfirm } from '../deadLetters/ReplayConfirm.js';
import { useDeadLetters } from '../deadLetters/useDeadLetters.js';
import { useReplays } from '../deadLetters/useReplays.js';

function Loading() {
  return (
    <Stack gap="md" aria-busy="true" aria-label="Loading dead letters">
      <Skeleton height={140} radius="md" />
      <Skeleton height={140} radius="md" />
    </Stack>
  );
}

/**
 * The tenant's dead letters (records a consumer gave up on), newest first, filtered by topic (kept
 * in the URL), and their replay to the original topic: confirmed first, idempotent, and the answer
 * kept on the record's card.
 */
export function DeadLettersPage() {
  const [params, setParams] = useSearchParams();
  const topic = params.get('topic');
  const list = useDeadLetters(topic);
  const { results, replay } = useReplays();
  const [confirm, setConfirm] = useState<{ readonly record: DeadLetter; readonly opened: boolean } | undefined>(undefined);
  const records = list.status === 'ready' ? list.list.deadLetters : [];
  const choices = topicChoices([...records.map((record) => record.originalTopic), ...(topic === null ? [] : [topic])]);

  const chooseTopic = (value: string) =>
    setParams((current) => {
      const next = new URLSearchParams(current);
      if (value === '') next.delete('topic');
      else next.set('topic', value);
      return next;
    });

  return (
    <Stack gap="lg" className="page">
      <Group justify="space-between" align="center" wrap="wrap" gap="sm">
        <Group gap="sm" align="center">
          <Title order={1} size="h2">
            Dead letters
          </Title>
          {list.status === 'ready' && (
            <Badge size="lg" variant="light" aria-label={`${list.list.matched} dead letters`}>
              {list.list.matched}
            </Badge>
          )}
        </Group>
        {list.status !== 'forbidden' && (
          <Button variant="default" size="xs" onClick={list.refresh} loading={list.refreshing}>
            Refresh
          </Button>
        )}
      </Group>

      {list.status === 'forbidden' ? (
        <Alert color="yellow" variant="light" role="alert" title="Dead letters are for operators (admin role)">
          Your role may not list or replay dead letters. Ask an admin of your tenant, or an operator with the <span className="mono">supportstream dlq</span> command.
        </Alert>
      ) : (
        <form className="inline-form" aria-label="Filter dead letters" onSubmit={(event) => event.preventDefault()}>
          <NativeSelect
            label="Topic"
            value={topic ?? ''}
            onChange={(event) => chooseTopic(event.currentTarget.value)}
            data={[{ value: '', label: 'All topics' }, ...choices.map((value) => ({ value, label: value }))]}
          />
        </form>
      )}

      {list.status === 'loading' && <Loading />}
      {list.status === 'error' && (
        <Alert color="red" variant="light" role="alert" title="The dead letters could not be loaded">
          <Stack gap="xs" align="flex-start">
            <Text size="sm">{list.error.message}</Text>
            <Button size="xs" variant="light" color="red" onClick={list.refresh}>
              Retry
            </Button>
          </Stack>
        </Alert>
      )}
      {list.status === 'ready' && (
        <section aria-labelledby="dead-letters-title">
          <Title order={2} size="h4" id="dead-letters-title" className="visually-hidden">
            Records
          </Title>
          <Stack gap="md">
            {list.list.note !== null && (
              <Alert color="gray" variant="light">
                {list.list.note}
              </Alert>
            )}
            {records.length === 0 ? (
              <Text c="dimmed" className="empty" role="status">
                No dead letters{topic === null ? '' : ` from ${topic}`}. Records a consumer gives up on appear here with their reason.
              </Text>
            ) : (
              <>
                {list.list.matched > records.length && (
                  <Text size="sm" c="dimmed">
                    The newest {records.length} of {list.list.matched} are shown; filter by topic to see others.
                  </Text>
                )}
                {records.map((record) => {
                  const result = results.get(positionKey(record.position));
                  return <DeadLetterCard key={positionKey(record.position)} record={record} {...(result === undefined ? {} : { result })} onReplay={() => setConfirm({ record, opened: true })} />;
                })}
              </>
            )}
          </Stack>
        </section>
      )}

      <ReplayConfirm
        record={confirm?.record}
        opened={confirm?.opened ?? false}
        onCancel={() => setConfirm((current) => (current === undefined ? undefined : { ...current, opened: false }))}
        onConfirm={(record) => {
          setConfirm({ record, opened: false });
          void replay(record);
        }}
      />
    </Stack>
  );
}

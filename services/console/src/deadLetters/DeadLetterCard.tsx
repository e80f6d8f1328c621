import { Alert, Anchor, Badge, Button, Card, Code, Group, Stack, Text } from '@mantine/core';
import { useId } from 'react';
import { Link } from 'react-router';
import type { DeadLetter, DeadLetterReplay } from '../api/types.js';
import { formatDateTime } from '../format/time.js';
import { originOf, recordLabel, shortPosition } from './records.js';
import type { ReplayResult } from './useReplays.js';

export interface DeadLetterCardProps {
  readonly record: DeadLetter;
  /** What a replay asked for on this page answered. */
  readonly result?: ReplayResult;
  readonly onReplay: () => void;
  readonly locale?: string;
}

const at = (position: DeadLetterReplay['replayedTo']): string => `${position.topic}@${position.partition}:${position.offset}`;

function ReplayNotice({ result, locale }: { readonly result: ReplayResult | undefined; readonly locale: string | undefined }) {
  switch (result?.kind) {
    case undefined:
    case 'sending':
      return null;
    case 'done': {
      const { outcome } = result;
      const when = formatDateTime(outcome.replayedAt, locale);
      if (outcome.status === 'already_replayed') {
        return (
          <Alert color="blue" variant="light" role="status" title="Already replayed: nothing was sent now">
            <Text size="sm">
              It was replayed to <span className="mono">{at(outcome.replayedTo)}</span> by {outcome.replayedBy}, {when}.
            </Text>
          </Alert>
        );
      }
      return (
        <Alert color="green" variant="light" role="status" title={`Replayed to ${at(outcome.replayedTo)}`}>
          <Text size="sm">
            By {outcome.replayedBy}, {when}. Audited as event <span className="mono">{outcome.eventId}</span>.{outcome.resumed ? ' This completed a replay an earlier attempt had started.' : ''}
          </Text>
        </Alert>
      );
    }
    case 'failed': {
      const { error } = result;
      const title =
        error.status === 403
          ? 'Dead letters are for operators (admin role)'
          : error.status === 404
            ? 'This dead letter is no longer there'
            : error.code === 'NOT_REPLAYABLE'
              ? 'This record cannot be replayed'
              : error.code === 'REPLAY_IN_PROGRESS'
                ? 'Another replay of this record is running'
                : 'The replay did not happen';
      return (
        <Alert color={error.code === 'REPLAY_IN_PROGRESS' ? 'yellow' : 'red'} variant="light" role="alert" title={title}>
          <Text size="sm">{error.status === 403 ? 'Your role may not replay records.' : `${error.message}. Nothing was replayed; try again once it is fixed.`}</Text>
        </Alert>
      );
    }
    default: {
      const unknown: never = result;
      return unknown;
    }
  }
}

/** What the list itself says of an earlier replay (this page's own result, if any, is shown instead). */
function ListedReplay({ record, locale }: { readonly record: DeadLetter; readonly locale: string | undefined }) {
  const { replay } = record;
  if (replay === null) return null;
  if (replay.status === 'pending') {
    return (
      <Text size="sm" c="orange.8">
        A replay asked for by {replay.requestedBy} did not complete; replaying it again completes it.
      </Text>
    );
  }
  return (
    <Text size="sm" c="dimmed">
      Replayed by {replay.replayedBy ?? replay.requestedBy}, {formatDateTime(replay.replayedAt, locale)}.
    </Text>
  );
}

/** A record preview: what the gateway tells of the record's value (the bytes themselves are not served). */
function preview(record: DeadLetter): Record<string, unknown> {
  return {
    key: record.key,
    eventType: record.eventType,
    eventId: record.eventId,
    tenantId: record.tenantId,
    decodable: record.decodable,
    valueBytes: record.valueBytes,
    consumerGroup: record.consumerGroup,
    attempts: record.attempts,
    dlq: record.position,
    original: { topic: record.originalTopic, partition: record.originalPartition, offset: record.originalOffset },
  };
}

/** One dead letter: where it came from and sits, why it failed, when, and its replay. */
export function DeadLetterCard({ record, result, onReplay, locale }: DeadLetterCardProps) {
  const titleId = useId();
  const origin = originOf(record);
  const sending = result?.kind === 'sending';
  const replayed = (result?.kind === 'done') || record.replay?.status === 'done';
  const facts: [string, string | null][] = [
    ['Failed', formatDateTime(record.failedAt, locale)],
    ['On the dead-letter topic', shortPosition(record.position)],
    ['Consumer group', record.consumerGroup],
    ['Attempts', record.attempts === null ? null : new Intl.NumberFormat(locale).format(record.attempts)],
    ['Event type', record.eventType],
    ['Event id', record.eventId],
  ];

  return (
    <Card component="article" withBorder radius="md" padding="md" aria-label={recordLabel(record)} aria-describedby={titleId} className="dead-letter" data-position={shortPosition(record.position)}>
      <Stack gap="xs">
        <Group justify="space-between" align="flex-start" gap="xs" wrap="wrap">
          <div className="dead-letter-title">
            <Text fw={600} className="mono" id={titleId}>
              {origin.topic} <span className="position">{origin.known ? `${origin.partition}:${origin.offset}` : '(original position unknown)'}</span>
            </Text>
            {record.errorMessage !== null && (
              <Text size="sm" className="pre-wrap">
                {record.errorMessage}
              </Text>
            )}
          </div>
          <Group gap={6} wrap="wrap">
            <Badge color="red" variant="light" title="Reason code">
              {record.errorCode ?? 'no reason code'}
            </Badge>
            {replayed && (
              <Badge color="green" variant="light">
                replayed
              </Badge>
            )}
            {!record.decodable && (
              <Badge color="gray" variant="outline" title="Its value does not decode with a known schema">
                undecodable
              </Badge>
            )}
          </Group>
        </Group>

        <dl className="facts">
          {facts
            .filter((fact): fact is [string, string] => fact[1] !== null)
            .map(([name, value]) => (
              <div key={name}>
                <dt>{name}</dt>
                <dd className={name === 'Event id' || name === 'On the dead-letter topic' ? 'mono' : undefined}>{value}</dd>
              </div>
            ))}
          {record.key !== null && (
            <div>
              <dt>Conversation</dt>
              <dd>
                <Anchor component={Link} to={`/conversations/${encodeURIComponent(record.key)}/audit`} className="mono" size="sm">
                  {record.key}
                </Anchor>
              </dd>
            </div>
          )}
        </dl>

        <details className="record-preview">
          <summary>Record preview</summary>
          <Text size="xs" c="dimmed" mt={4}>
            What the gateway tells of the record; its value ({new Intl.NumberFormat(locale).format(record.valueBytes)} bytes) is not served.
          </Text>
          <Code block className="event-data">
            {JSON.stringify(preview(record), null, 2)}
          </Code>
        </details>

        {result === undefined && <ListedReplay record={record} locale={locale} />}
        <ReplayNotice result={result} locale={locale} />

        <Group gap="sm">
          <Button size="xs" variant={replayed ? 'default' : 'filled'} onClick={onReplay} loading={sending} aria-label={`Replay ${shortPosition(origin)}`}>
            Replay
          </Button>
        </Group>
      </Stack>
    </Card>
  );
}

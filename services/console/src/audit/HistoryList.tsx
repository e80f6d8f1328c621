import { Anchor, Badge, Code, Group, Text } from '@mantine/core';
import type { HistoryEntry } from '../api/types.js';
import { formatDateTime } from '../format/time.js';

/** `customer.requests partition 0 offset 12`: a record's place in the log, its accessible name. */
export const logPosition = (entry: Pick<HistoryEntry, 'topic' | 'partition' | 'offset'>): string => `${entry.topic} partition ${entry.partition} offset ${entry.offset}`;

export const recordAnchor = (eventId: string): string => `record-${eventId}`;

function schemaText(schema: HistoryEntry['schema']): string {
  return schema.version === null ? `schema id ${schema.id}` : `schema v${schema.version}`;
}

function Cause({ entry }: { readonly entry: HistoryEntry }) {
  if (entry.parentEventId !== null) {
    return (
      <Text size="xs" c="dimmed">
        caused by{' '}
        <Anchor href={`#${recordAnchor(entry.parentEventId)}`} size="xs" className="mono">
          {entry.parentEventId}
        </Anchor>
      </Text>
    );
  }
  if (entry.causationId !== null) {
    return (
      <Text size="xs" c="dimmed">
        caused by <span className="mono">{entry.causationId}</span> (not an event of this conversation)
      </Text>
    );
  }
  return null;
}

function LogRecord({ entry }: { readonly entry: HistoryEntry }) {
  return (
    <li id={recordAnchor(entry.eventId)} className="event audit-record" data-depth={Math.min(entry.depth, 6)} aria-label={logPosition(entry)} data-event-id={entry.eventId}>
      <Group gap="xs" wrap="wrap" align="baseline">
        <Text fw={600} size="sm">
          {entry.type}
        </Text>
        <Badge size="xs" variant="outline" color="gray" title={`${entry.schema.subject ?? 'subject unknown'} · schema id ${entry.schema.id}`}>
          {schemaText(entry.schema)}
        </Badge>
        <Text size="xs" className="mono log-position">
          {entry.topic}[{entry.partition}]@{entry.offset}
        </Text>
      </Group>
      <Text size="xs" c="dimmed">
        <time dateTime={entry.occurredAt}>{formatDateTime(entry.occurredAt)}</time> · {entry.producer}
      </Text>
      {entry.summary !== '' && <Text size="sm">{entry.summary}</Text>}
      <Text size="xs" c="dimmed">
        event <span className="mono">{entry.eventId}</span>
      </Text>
      <Cause entry={entry} />
      <details>
        <summary>Payload</summary>
        <dl className="facts">
          <div>
            <dt>Schema subject</dt>
            <dd className="mono">{entry.schema.subject ?? 'unknown'}</dd>
          </div>
          <div>
            <dt>Request</dt>
            <dd className="mono">{entry.requestId}</dd>
          </div>
          <div>
            <dt>Correlation</dt>
            <dd className="mono">{entry.correlationId}</dd>
          </div>
        </dl>
        <Code block className="event-data">
          {JSON.stringify(entry.data, null, 2)}
        </Code>
      </details>
    </li>
  );
}

/** The conversation's records as the log holds them, each indented under its cause. */
export function HistoryList({ events }: { readonly events: readonly HistoryEntry[] }) {
  return (
    <ol className="timeline" aria-label="Log records, in projection order">
      {events.map((entry) => (
        <LogRecord key={entry.seq} entry={entry} />
      ))}
    </ol>
  );
}

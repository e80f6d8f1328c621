import { Alert, Anchor, Badge, Code, Group, Loader, Paper, Stack, Text, Title } from '@mantine/core';
import { Link, useParams } from 'react-router';
import type { Conversation, ConversationEvent } from '../api/types.js';
import { statusLabel } from '../approvals/ConversationOutcome.js';
import { useConversation } from '../conversations/useConversation.js';
import { causationDepths, useTimeline } from '../conversations/useTimeline.js';
import { formatDateTime } from '../format/time.js';

function Summary({ conversation }: { readonly conversation: Conversation }) {
  const rows: [string, string | null][] = [
    ['Customer', conversation.customerId],
    ['Channel', conversation.channel],
    ['Tier', conversation.customerTier],
    ['Subject', conversation.subject],
    ['Opened', formatDateTime(conversation.openedAt)],
    ['Last activity', formatDateTime(conversation.updatedAt)],
    ['Step', conversation.currentStep === null ? null : `${conversation.currentStep}${conversation.nextStep === null ? '' : ` → ${conversation.nextStep}`}`],
  ];
  return (
    <Paper withBorder p="md" radius="md">
      <Stack gap="sm">
        <dl className="facts">
          {rows
            .filter((row): row is [string, string] => row[1] !== null)
            .map(([name, value]) => (
              <div key={name}>
                <dt>{name}</dt>
                <dd>{value}</dd>
              </div>
            ))}
        </dl>
        {conversation.lastMessage !== null && (
          <div>
            <Text size="sm" fw={600}>
              Last message
            </Text>
            <Text size="sm" className="pre-wrap">
              {conversation.lastMessage}
            </Text>
          </div>
        )}
        {conversation.finalReply !== null && (
          <div>
            <Text size="sm" fw={600}>
              Reply
            </Text>
            <Text size="sm" className="pre-wrap final-reply">
              {conversation.finalReply}
            </Text>
          </div>
        )}
        {conversation.citations.length > 0 && (
          <div>
            <Text size="sm" fw={600}>
              Sources cited
            </Text>
            <ul className="citations">
              {conversation.citations.map((citation, index) => (
                <li key={citation.sourceId ?? index}>{citation.url ? <Anchor href={citation.url} target="_blank" rel="noreferrer">{citation.title ?? citation.url}</Anchor> : (citation.title ?? citation.sourceId ?? 'source')}</li>
              ))}
            </ul>
          </div>
        )}
      </Stack>
    </Paper>
  );
}

function EventItem({ event, depth }: { readonly event: ConversationEvent; readonly depth: number }) {
  return (
    <li id={`event-${event.eventId}`} className="event" data-depth={Math.min(depth, 6)} data-type={event.type}>
      <Group gap="xs" wrap="wrap" align="baseline">
        <Text fw={600} size="sm">
          {event.type}
        </Text>
        <Text size="xs" c="dimmed">
          <time dateTime={event.occurredAt}>{formatDateTime(event.occurredAt)}</time> · {event.producer} · {event.topic}[{event.partition}]@{event.offset} · schema {event.schemaId}
        </Text>
      </Group>
      <Text size="sm">{event.summary}</Text>
      {event.causationId !== null && (
        <Text size="xs" c="dimmed">
          caused by <Anchor href={`#event-${event.causationId}`} size="xs" className="mono">{event.causationId}</Anchor>
        </Text>
      )}
      <details>
        <summary>Data</summary>
        <Code block className="event-data">
          {JSON.stringify(event.data, null, 2)}
        </Code>
      </details>
    </li>
  );
}

/** One conversation: what the read model knows, and its timeline of events (live while it runs). */
export function ConversationPage() {
  const { id = '' } = useParams();
  const conversation = useConversation(id, { pollMs: 3_000 });
  const timeline = useTimeline(id);
  const depths = causationDepths(timeline.events);
  const current = conversation.status === 'loading' ? undefined : conversation.conversation;

  return (
    <Stack gap="lg" className="page">
      <Group gap="sm" align="center" wrap="wrap">
        <Title order={1} size="h2">
          Conversation <span className="mono">{id}</span>
        </Title>
        {current !== undefined && (
          <Badge size="lg" variant="light" data-status={current.status}>
            {statusLabel(current.status)}
          </Badge>
        )}
        <Anchor component={Link} to={`/conversations/${encodeURIComponent(id)}/audit`} size="sm" ml="auto">
          Audit trail
        </Anchor>
      </Group>
      {conversation.status === 'loading' && <Loader aria-label="Loading the conversation" />}
      {conversation.status === 'error' && (
        <Alert color="red" variant="light" role="alert" title={conversation.error.status === 404 ? 'No such conversation' : 'The conversation could not be loaded'}>
          {conversation.error.status === 404 ? 'It does not exist in your tenant, or it is not projected yet.' : conversation.error.message}
        </Alert>
      )}
      {current !== undefined && <Summary conversation={current} />}

      <section aria-labelledby="timeline-title">
        <Group gap="sm" mb="sm">
          <Title order={2} size="h3" id="timeline-title">
            Timeline
          </Title>
          <Badge color={timeline.live ? 'green' : 'gray'} variant="dot" role="status">
            {timeline.live ? 'Live' : 'Not live'}
          </Badge>
        </Group>
        {timeline.status === 'loading' && <Loader size="sm" aria-label="Loading the events" />}
        {timeline.status === 'error' && (
          <Alert color="red" variant="light" role="alert">
            {timeline.error?.message}
          </Alert>
        )}
        {timeline.status === 'ready' && timeline.events.length === 0 && <Text c="dimmed">No events yet.</Text>}
        {timeline.events.length > 0 && (
          <ol className="timeline" aria-label="Events, oldest first">
            {timeline.events.map((event) => (
              <EventItem key={event.seq} event={event} depth={depths.get(event.eventId) ?? 0} />
            ))}
          </ol>
        )}
      </section>
    </Stack>
  );
}

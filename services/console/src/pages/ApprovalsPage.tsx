import { Alert, Badge, Button, Group, Skeleton, Stack, Text, Title } from '@mantine/core';
import { ApprovalCard } from '../approvals/ApprovalCard.js';
import { ConversationOutcome } from '../approvals/ConversationOutcome.js';
import { useApprovalQueue, type LiveMode } from '../approvals/useApprovalQueue.js';
import { useDecisions } from '../approvals/useDecisions.js';
import { useNow } from '../approvals/useNow.js';

const LIVE: Record<LiveMode, { label: string; color: string; title: string }> = {
  connecting: { label: 'Connecting…', color: 'gray', title: 'Opening the live queue' },
  live: { label: 'Live', color: 'green', title: 'New approvals appear as they are requested (server-sent events)' },
  polling: { label: 'Refreshing every few seconds', color: 'yellow', title: 'This gateway has no live queue; the list is re-read every few seconds' },
  reconnecting: { label: 'Reconnecting…', color: 'orange', title: 'The live queue dropped; re-reading the list meanwhile' },
  stopped: { label: 'Not live', color: 'red', title: 'The live queue was refused' },
};

function Loading() {
  return (
    <Stack gap="md" aria-busy="true" aria-label="Loading approvals">
      <Skeleton height={180} radius="md" />
      <Skeleton height={180} radius="md" />
    </Stack>
  );
}

/** The approvals queue: every pending approval of the tenant, live, and the decisions made here. */
export function ApprovalsPage() {
  const queue = useApprovalQueue();
  const { decisions, decide, dismiss } = useDecisions();
  const now = useNow();
  const live = LIVE[queue.live];
  // An approval decided here stays with its outcome, also after it leaves the pending queue.
  const settled = (id: string) => {
    const kind = decisions.get(id)?.outcome.kind;
    return kind === 'sent' || kind === 'conflict';
  };
  const pending = [...queue.pending.values()].filter((approval) => !settled(approval.approvalId));
  const decidedHere = [...decisions.values()].filter((entry) => settled(entry.approval.approvalId)).reverse();

  return (
    <Stack gap="lg" className="page">
      <Group justify="space-between" align="center" wrap="wrap" gap="sm">
        <Group gap="sm" align="center">
          <Title order={1} size="h2">
            Approvals
          </Title>
          {queue.status === 'ready' && (
            <Badge size="lg" variant="light" aria-label={`${pending.length} waiting`}>
              {pending.length}
            </Badge>
          )}
        </Group>
        <Group gap="sm">
          <Badge color={live.color} variant="dot" title={live.title} role="status" aria-live="polite">
            {live.label}
          </Badge>
          <Button variant="default" size="xs" onClick={queue.refresh}>
            Refresh
          </Button>
        </Group>
      </Group>

      {queue.error !== undefined && queue.status !== 'error' && (
        <Alert color="orange" variant="light" role="alert" title="The queue may be out of date">
          {queue.error.message}
        </Alert>
      )}

      {queue.status === 'loading' && <Loading />}
      {queue.status === 'error' && (
        <Alert color="red" variant="light" role="alert" title="The approvals could not be loaded">
          <Stack gap="xs" align="flex-start">
            <Text size="sm">{queue.error?.message}</Text>
            <Button size="xs" variant="light" color="red" onClick={queue.refresh}>
              Retry
            </Button>
          </Stack>
        </Alert>
      )}
      {queue.status === 'ready' && queue.truncated && (
        <Alert color="blue" variant="light">
          More approvals are waiting than shown: the oldest are listed first, the others appear as these are decided.
        </Alert>
      )}

      {queue.status === 'ready' && (
        <section aria-labelledby="pending-title">
          <Title order={2} size="h4" id="pending-title" className="visually-hidden">
            Waiting for a decision
          </Title>
          {pending.length === 0 ? (
            <Text c="dimmed" className="empty" role="status">
              No approvals are waiting. New ones appear here as soon as an agent asks for one.
            </Text>
          ) : (
            <Stack gap="md">
              {pending.map((approval) => {
                const outcome = decisions.get(approval.approvalId)?.outcome;
                return <ApprovalCard key={approval.approvalId} approval={approval} now={now} {...(outcome === undefined ? {} : { outcome })} onDecide={(input) => void decide(approval, input)} />;
              })}
            </Stack>
          )}
        </section>
      )}

      {decidedHere.length > 0 && (
        <section aria-labelledby="decided-title">
          <Title order={2} size="h3" id="decided-title" mb="sm">
            Decided here
          </Title>
          <Stack gap="md">
            {decidedHere.map(({ approval, outcome }) => (
              <ApprovalCard key={approval.approvalId} approval={approval} now={now} outcome={outcome} onDecide={() => undefined} onDismiss={() => dismiss(approval.approvalId)}>
                {outcome.kind === 'sent' && <ConversationOutcome conversationId={approval.conversationId} />}
              </ApprovalCard>
            ))}
          </Stack>
        </section>
      )}
    </Stack>
  );
}

import { Alert, Badge, Blockquote, Button, Card, CloseButton, Group, Stack, Text, Textarea, TextInput, Title } from '@mantine/core';
import { useId, useState, type ReactNode } from 'react';
import { Link } from 'react-router';
import type { Approval, ApprovalDecision } from '../api/types.js';
import { formatDateTime, formatTimeLeft } from '../format/time.js';
import { ProposedActions } from './ProposedActions.js';
import type { DecisionInput, DecisionOutcome } from './useDecisions.js';

const RISK_COLORS: Record<string, string> = { LOW: 'green', MEDIUM: 'yellow', HIGH: 'orange', CRITICAL: 'red' };
const DONE: Record<ApprovalDecision, string> = { APPROVED: 'Approved', REJECTED: 'Rejected', EDITED: 'Approved with your edited reply' };

export interface ApprovalCardProps {
  readonly approval: Approval;
  readonly now: number;
  readonly locale?: string;
  readonly outcome?: DecisionOutcome;
  readonly onDecide: (input: DecisionInput) => void;
  readonly onDismiss?: () => void;
  /** Shown under a sent decision: the conversation as it goes on. */
  readonly children?: ReactNode;
}

/** `a; b; c` as separate reasons (the escalation step joins its reasons so). */
const reasonsOf = (reason: string | null): string[] =>
  (reason ?? '')
    .split(/;\s+|\n+/)
    .map((part) => part.trim())
    .filter((part) => part.length > 0);

function OutcomeNotice({ outcome, children }: { readonly outcome: DecisionOutcome | undefined; readonly children?: ReactNode }) {
  switch (outcome?.kind) {
    case undefined:
    case 'sending':
      return null;
    case 'sent':
      return (
        <Alert color="green" variant="light" role="status" title={`${DONE[outcome.decision]}.`}>
          <Text size="sm">The decision is on its way to the run{outcome.decision === 'REJECTED' ? ', which hands the conversation to a person.' : ', which resumes with it.'}</Text>
          {children}
        </Alert>
      );
    case 'conflict':
      return (
        <Alert color="yellow" variant="light" role="alert" title="Already decided elsewhere">
          <Text size="sm">Nothing was changed: {outcome.message}.</Text>
        </Alert>
      );
    case 'failed':
      return (
        <Alert color="red" variant="light" role="alert" title="The decision was not sent">
          <Text size="sm">{outcome.message}. Try again.</Text>
        </Alert>
      );
    default: {
      const unknown: never = outcome;
      return unknown;
    }
  }
}

/**
 * One approval: the conversation, what the agent proposes (reply and actions with exact amounts),
 * the risk and its reasons, the time left, and the decision: approve, reject, or edit the reply
 * and approve.
 */
export function ApprovalCard({ approval, now, locale, outcome, onDecide, onDismiss, children }: ApprovalCardProps) {
  const titleId = useId();
  const [editing, setEditing] = useState(false);
  const [reply, setReply] = useState(approval.proposedReply ?? '');
  const [comment, setComment] = useState('');
  const left = formatTimeLeft(approval.expiresAt, now, locale);
  const reasons = reasonsOf(approval.reason);
  const sending = outcome?.kind === 'sending';
  const settled = outcome?.kind === 'sent' || outcome?.kind === 'conflict';
  const disabled = sending || settled || left.expired;
  const decide = (decision: ApprovalDecision) => onDecide({ decision, comment, ...(decision === 'EDITED' ? { editedReply: reply } : {}) });
  const score = approval.riskScore === null ? undefined : new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 0 }).format(approval.riskScore);

  return (
    <Card component="article" withBorder radius="md" padding="lg" aria-labelledby={titleId} className="approval-card" data-approval-id={approval.approvalId}>
      <Stack gap="sm">
        <Group justify="space-between" align="flex-start" gap="xs" wrap="wrap">
          <div className="approval-title">
            <Title order={2} size="h4" id={titleId}>
              Approval for conversation{' '}
              <Link to={`/conversations/${encodeURIComponent(approval.conversationId)}`} className="mono">
                {approval.conversationId}
              </Link>
            </Title>
            <Text size="xs" c="dimmed">
              Requested {formatDateTime(approval.requestedAt, locale)} · approval <span className="mono">{approval.approvalId}</span>
            </Text>
          </div>
          <Group gap="xs" wrap="nowrap">
            <Badge color={RISK_COLORS[approval.risk ?? ''] ?? 'gray'} variant="filled" aria-label={`Risk ${approval.risk ?? 'unknown'}${score === undefined ? '' : `, score ${score}`}`}>
              {approval.risk ?? 'risk ?'}
              {score === undefined ? '' : ` · ${score}`}
            </Badge>
            {settled && onDismiss !== undefined && <CloseButton aria-label="Dismiss" onClick={onDismiss} size="sm" />}
          </Group>
        </Group>

        {!settled && (
          <Text size="sm" className={left.urgent ? 'time-left urgent' : 'time-left'}>
            Time left:{' '}
            <time dateTime={approval.expiresAt ?? undefined} title={formatDateTime(approval.expiresAt, locale)}>
              <strong>{left.text}</strong>
            </time>
          </Text>
        )}

        <section aria-label="Reasons">
          <Text size="sm" fw={600}>
            Why it needs you
          </Text>
          {reasons.length === 0 ? (
            <Text size="sm" c="dimmed">
              No reason given.
            </Text>
          ) : (
            <ul className="reasons">
              {reasons.map((reason) => (
                <li key={reason}>{reason}</li>
              ))}
            </ul>
          )}
        </section>

        <section aria-label="Proposed actions">
          <Text size="sm" fw={600}>
            Proposed actions
          </Text>
          <ProposedActions actions={approval.proposedActions} {...(locale === undefined ? {} : { locale })} />
        </section>

        {/* Once decided, the reply that went out is shown with the outcome instead. */}
        {!settled && (
          <section aria-label="Proposed reply">
            {editing ? (
              <Textarea label="Reply to send" description="Approving sends this reply instead of the proposed one." value={reply} onChange={(event) => setReply(event.currentTarget.value)} rows={5} resize="vertical" disabled={disabled} />
            ) : (
              <>
                <Text size="sm" fw={600}>
                  Proposed reply
                </Text>
                <Blockquote className="reply" p="sm" mt={4}>
                  {approval.proposedReply ?? 'No reply proposed.'}
                </Blockquote>
              </>
            )}
          </section>
        )}

        {!settled && <TextInput label="Comment (optional)" value={comment} onChange={(event) => setComment(event.currentTarget.value)} maxLength={2_000} disabled={disabled} size="sm" />}

        {left.expired && !settled && (
          <Alert color="gray" variant="light" role="status">
            This approval has expired; it can no longer be decided.
          </Alert>
        )}
        <OutcomeNotice outcome={outcome}>{children}</OutcomeNotice>

        {!settled && (
          <Group gap="sm" wrap="wrap" className="decision-buttons">
            {editing ? (
              <>
                <Button color="green" onClick={() => decide('EDITED')} disabled={disabled || reply.trim() === ''} loading={sending && outcome.decision === 'EDITED'}>
                  Approve edited reply
                </Button>
                <Button variant="default" onClick={() => setEditing(false)} disabled={sending}>
                  Cancel edit
                </Button>
              </>
            ) : (
              <>
                <Button color="green" onClick={() => decide('APPROVED')} disabled={disabled} loading={sending && outcome.decision === 'APPROVED'}>
                  Approve
                </Button>
                <Button color="red" variant="outline" onClick={() => decide('REJECTED')} disabled={disabled} loading={sending && outcome.decision === 'REJECTED'}>
                  Reject
                </Button>
                <Button variant="default" onClick={() => setEditing(true)} disabled={disabled}>
                  Edit reply
                </Button>
              </>
            )}
          </Group>
        )}
      </Stack>
    </Card>
  );
}

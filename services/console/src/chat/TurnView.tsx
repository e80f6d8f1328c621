import { Loader, Text } from '@mantine/core';
import { formatDateTime } from '../format/time.js';
import { stepLabel, type ReviewState, type Turn } from './transcript.js';

const REVIEWED: Record<Exclude<ReviewState, 'pending'>, string> = {
  APPROVED: 'A supervisor approved your request.',
  EDITED: 'A supervisor reviewed your request.',
  REJECTED: 'A supervisor reviewed your request.',
  EXPIRED: 'The review is taking longer than usual; our team will follow up.',
};

/** What a finished run means for the customer, beyond the reply itself. */
const OUTCOME_NOTES: Readonly<Record<string, string>> = {
  HANDED_OFF: 'A member of our support team will take it from here.',
  FAILED: 'Sorry, this could not be answered automatically. Please try again a little later.',
};

function Working({ label }: { readonly label: string }) {
  return (
    <div className="chat-working">
      <Loader size="xs" aria-hidden="true" />
      <Text size="sm">{label}</Text>
    </div>
  );
}

/** The steps that ran, done ones ticked, then the one running now. */
function Progress({ turn }: { readonly turn: Turn }) {
  const done = turn.steps.filter((node) => node !== turn.current);
  return (
    <>
      {done.length > 0 && (
        <ol className="chat-steps" aria-label="Steps done">
          {done.map((node) => (
            <li key={node}>
              <span aria-hidden="true">✓ </span>
              {stepLabel(node).replace(/…$/, '')}
            </li>
          ))}
        </ol>
      )}
      <Working label={`${turn.current === undefined ? 'Working on it…' : stepLabel(turn.current)}${turn.retrying ? ' (retrying)' : ''}`} />
    </>
  );
}

function Answer({ turn, queued }: { readonly turn: Turn; readonly queued: boolean }) {
  switch (turn.phase) {
    case 'sending':
      return <Working label="Sending…" />;
    case 'received':
      return <Working label={queued ? 'Received; it is answered after your previous message.' : `Received. ${stepLabel(turn.current ?? 'triage')}`} />;
    case 'review':
      return (
        <div className="chat-review" data-review="pending">
          <Working label="A supervisor is reviewing your request." />
          <Text size="xs" c="dimmed">
            You will see the answer here as soon as they decide.
          </Text>
        </div>
      );
    case 'working':
      return (
        <>
          {turn.review !== undefined && turn.review !== 'pending' && (
            <Text size="sm" fw={500} data-review={turn.review}>
              {REVIEWED[turn.review]}
            </Text>
          )}
          <Progress turn={turn} />
        </>
      );
    case 'done':
      return (
        <>
          {turn.review !== undefined && turn.review !== 'pending' && (
            <Text size="sm" fw={500} data-review={turn.review}>
              {REVIEWED[turn.review]}
            </Text>
          )}
          {turn.reply !== undefined && (
            <Text size="sm" className="pre-wrap chat-reply">
              {turn.reply}
            </Text>
          )}
          {turn.outcome !== undefined && OUTCOME_NOTES[turn.outcome] !== undefined && (turn.reply === undefined || turn.outcome !== 'FAILED') && (
            <Text size="xs" c="dimmed">
              {OUTCOME_NOTES[turn.outcome]}
            </Text>
          )}
          {turn.sources.length > 0 && (
            <Text size="xs" c="dimmed">
              Sources: {turn.sources.join(' · ')}
            </Text>
          )}
        </>
      );
    default: {
      const unknown: never = turn.phase;
      return unknown;
    }
  }
}

/** One message of the customer and, under it, what became of it. */
export function TurnView({ turn, queued }: { readonly turn: Turn; readonly queued: boolean }) {
  return (
    <li className="chat-turn" data-phase={turn.phase} {...(turn.outcome === undefined ? {} : { 'data-outcome': turn.outcome })}>
      <div className="chat-bubble chat-bubble-customer">
        <Text component="h3" className="visually-hidden">
          You wrote
        </Text>
        <Text size="sm" className="pre-wrap">
          {turn.message}
        </Text>
        <Text size="xs" className="chat-time">
          <time dateTime={turn.sentAt}>{formatDateTime(turn.sentAt)}</time>
        </Text>
      </div>
      <div className="chat-bubble chat-bubble-agent">
        <Text component="h3" className="visually-hidden">
          Support
        </Text>
        <Answer turn={turn} queued={queued} />
      </div>
    </li>
  );
}

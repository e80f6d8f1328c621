import { Badge, Group, Loader, Text } from '@mantine/core';
import { FINAL_STATUSES } from '../api/types.js';
import { useConversation } from '../conversations/useConversation.js';

export const statusLabel = (status: string | null): string => (status ?? 'unknown').replace(/_/g, ' ').toLowerCase();

/** The conversation after a decision, read every 2 s until it reaches a final status. */
export function ConversationOutcome({ conversationId }: { readonly conversationId: string }) {
  const state = useConversation(conversationId, { pollMs: 2_000 });
  const conversation = state.status === 'loading' ? undefined : state.conversation;
  const final = conversation?.status !== null && conversation?.status !== undefined && FINAL_STATUSES.has(conversation.status);
  return (
    <div className="conversation-outcome" aria-live="polite">
      <Group gap="xs" mt="xs">
        <Text size="sm">Conversation:</Text>
        {conversation === undefined ? (
          <Loader size="xs" aria-label="Loading the conversation" />
        ) : (
          <Badge variant={final ? 'filled' : 'light'} color={final ? 'teal' : 'blue'} data-status={conversation.status}>
            {statusLabel(conversation.status)}
          </Badge>
        )}
        {conversation !== undefined && !final && <Loader size="xs" type="dots" aria-label="Waiting for the run to finish" />}
      </Group>
      {final && conversation.finalReply !== null && (
        <Text size="sm" mt={4} className="final-reply pre-wrap" lineClamp={8}>
          Reply sent: {conversation.finalReply}
        </Text>
      )}
      {state.status === 'error' && (
        <Text size="sm" c="red" role="alert">
          {state.error.message}
        </Text>
      )}
    </div>
  );
}

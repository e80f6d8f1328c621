import { Alert, Anchor, Badge, Button, Group, Paper, PasswordInput, Stack, Text, Textarea, Title } from '@mantine/core';
import { useEffect, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import { Link } from 'react-router';
import { TurnView } from '../chat/TurnView.js';
import { isQueued } from '../chat/transcript.js';
import { useChat, type Chat, type Connection } from '../chat/useChat.js';
import { formatDateTime } from '../format/time.js';

const CONNECTION: Record<Exclude<Connection, 'none'>, { label: string; color: string }> = {
  starting: { label: 'Connecting…', color: 'gray' },
  live: { label: 'Live', color: 'green' },
  reconnecting: { label: 'Reconnecting…', color: 'orange' },
  lost: { label: 'Not live', color: 'red' },
};

const EXAMPLES = [
  { text: "How do I reset my password? I can't sign in.", note: 'answered at once' },
  { text: 'I was charged twice for order 1001. Please refund the duplicate charge.', note: 'a supervisor approves the refund' },
] as const;

/** Where the credential comes from, when there is none (or it stopped working). */
function TokenForm({ chat }: { readonly chat: Chat }) {
  const [value, setValue] = useState('');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (value.trim() === '') return;
    if (chat.takeToken(value)) setValue('');
  };
  return (
    <Paper component="form" onSubmit={submit} withBorder p="lg" radius="md" noValidate aria-labelledby="token-title">
      <Stack gap="sm">
        <Title order={2} size="h4" id="token-title">
          {chat.transcript.turns.length > 0 ? 'A new token to go on' : 'Your customer token'}
        </Title>
        {chat.credentialError !== undefined && (
          <Alert color="red" variant="light" role="alert" title="This token cannot be used">
            {chat.credentialError}
          </Alert>
        )}
        <PasswordInput
          label="Customer token (JWT)"
          description="From the chat link that npm start prints, or: supportstream tokens customer --tenant demo-tenant --customer cust-42"
          value={value}
          onChange={(event) => setValue(event.currentTarget.value)}
          autoComplete="off"
          spellCheck={false}
          error={chat.credentialError !== undefined}
        />
        <Group justify="space-between" wrap="wrap" gap="xs">
          <Text size="xs" c="dimmed" className="chat-hint">
            The token stays in this page&apos;s memory: it is not stored, and reloading the page forgets it.
          </Text>
          <Button type="submit">Start chatting</Button>
        </Group>
      </Stack>
    </Paper>
  );
}

/** The message being written; it lives in the page, so a refused token does not lose it. */
interface Draft {
  readonly draft: string;
  readonly setDraft: (draft: string) => void;
}

function Composer({ chat, draft, setDraft }: { readonly chat: Chat } & Draft) {
  const field = useRef<HTMLTextAreaElement>(null);
  const waiting = chat.conversationId !== undefined && chat.connection === 'starting';
  const submit = async () => {
    if (draft.trim() === '' || chat.sending || waiting) return;
    if (await chat.send(draft)) setDraft('');
  };
  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    // Enter sends, Shift+Enter is a new line; not while an input method is composing a character.
    if (event.key !== 'Enter' || event.shiftKey || event.nativeEvent.isComposing) return;
    event.preventDefault();
    void submit();
  };
  return (
    <form
      className="chat-composer"
      onSubmit={(event) => {
        event.preventDefault();
        void submit();
      }}
    >
      {chat.transcript.turns.length === 0 && (
        <div className="chat-examples">
          <Text size="sm" c="dimmed">
            No messages yet. Write what you need, or try one of these:
          </Text>
          <Group gap="xs" wrap="wrap">
            {EXAMPLES.map((example) => (
              <Button
                key={example.text}
                variant="light"
                size="xs"
                className="chat-example"
                title={example.note}
                onClick={() => {
                  setDraft(example.text);
                  field.current?.focus();
                }}
              >
                {example.text}
              </Button>
            ))}
          </Group>
        </div>
      )}
      <Textarea
        ref={field}
        label="Your message"
        description="Enter sends; Shift+Enter starts a new line."
        value={draft}
        onChange={(event) => setDraft(event.currentTarget.value)}
        onKeyDown={onKeyDown}
        minRows={2}
        rows={3}
        maxLength={10_000}
        data-autofocus
      />
      <Group justify="space-between" wrap="wrap" gap="xs">
        <Text size="xs" c="dimmed" role="status">
          {waiting ? 'Connecting to your conversation…' : ''}
        </Text>
        <Button type="submit" loading={chat.sending} disabled={draft.trim() === '' || waiting}>
          Send
        </Button>
      </Group>
    </form>
  );
}

function Identity({ chat }: { readonly chat: Chat }) {
  const claims = chat.credential?.claims;
  if (claims === undefined) return null;
  return (
    <Group gap={6} wrap="wrap" className="chat-identity" aria-label="Writing as">
      <Text size="sm" fw={500} className="mono">
        {claims.customerId ?? 'unknown customer'}
      </Text>
      {claims.tenantId !== undefined && (
        <Badge variant="outline" size="sm" color="gray" title="Tenant">
          {claims.tenantId}
        </Badge>
      )}
      {claims.expiresAt !== undefined && (
        <Text size="xs" c="dimmed">
          token valid until <time dateTime={new Date(claims.expiresAt).toISOString()}>{formatDateTime(new Date(claims.expiresAt).toISOString())}</time>
        </Text>
      )}
    </Group>
  );
}

/**
 * The customer chat (`/console/chat`), outside the console's session: a customer writes, and
 * the reply streams in (the steps as they run, a supervisor's review, then the answer). The
 * credential is a customer JWT from the link's fragment or pasted, held in memory only, sent as a
 * bearer token on every call and never as a cookie.
 */
export function ChatPage() {
  const chat = useChat();
  const [draft, setDraft] = useState('');
  const { turns } = chat.transcript;
  const end = useRef<HTMLDivElement>(null);
  const connection = chat.connection === 'none' ? undefined : CONNECTION[chat.connection];

  useEffect(() => {
    end.current?.scrollIntoView?.({ block: 'nearest' });
  }, [chat.transcript]);

  return (
    <div className="chat">
      <header className="chat-header">
        <Text component="span" fw={700} className="brand">
          supportstream <span className="brand-sub">customer chat</span>
        </Text>
        <Identity chat={chat} />
        {chat.credential !== undefined && (
          <Group gap="xs" wrap="wrap" className="chat-actions">
            {turns.length > 0 && (
              <Button variant="default" size="xs" onClick={chat.newConversation}>
                New conversation
              </Button>
            )}
            <Button variant="subtle" size="xs" onClick={chat.forgetToken}>
              Use another token
            </Button>
          </Group>
        )}
      </header>
      <main id="main" className="chat-main">
        <Stack gap="md">
          <Group justify="space-between" align="center" wrap="wrap" gap="xs">
            <Title order={1} size="h3">
              Ask support
            </Title>
            {connection !== undefined && (
              <Badge color={connection.color} variant="dot" role="status" aria-live="polite">
                {connection.label}
              </Badge>
            )}
          </Group>
          {chat.credential === undefined && turns.length === 0 && (
            <Text size="sm" c="dimmed">
              A demo of the platform from the customer&apos;s side: send a message and watch the agents answer it. Supervisors and operators use the <Anchor component={Link} to="/sign-in" size="sm">console</Anchor>.
            </Text>
          )}

          {turns.length > 0 && (
            <section aria-labelledby="conversation-title">
              <Title order={2} size="h4" id="conversation-title" className="visually-hidden">
                Conversation
              </Title>
              <div role="log" aria-live="polite" aria-label="Conversation">
                <ol className="chat-log">
                  {turns.map((turn, index) => (
                    <TurnView key={turn.key} turn={turn} queued={isQueued(turns, index)} />
                  ))}
                </ol>
              </div>
              <div ref={end} />
            </section>
          )}

          {chat.connectionError !== undefined && (
            <Alert color={chat.connection === 'lost' ? 'red' : 'orange'} variant="light" role="alert" title={chat.connection === 'lost' ? 'Live updates stopped' : 'Reconnecting'}>
              {chat.connectionError}
            </Alert>
          )}
          {chat.sendError !== undefined && (
            <Alert color="red" variant="light" role="alert" title="Not sent">
              {chat.sendError}
            </Alert>
          )}

          {chat.credential === undefined ? <TokenForm chat={chat} /> : <Composer chat={chat} draft={draft} setDraft={setDraft} />}
        </Stack>
      </main>
    </div>
  );
}

import { Alert, Badge, Button, Group, Loader, Select, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useEffect, useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import { api, ApiError, isAbort } from '../api/client.js';
import type { Conversation } from '../api/types.js';
import { statusLabel } from '../approvals/ConversationOutcome.js';
import { formatDateTime } from '../format/time.js';

const STATUSES = ['RECEIVED', 'IN_PROGRESS', 'AWAITING_APPROVAL', 'RESOLVED', 'RESOLVED_AFTER_APPROVAL', 'HANDED_OFF', 'FALLBACK', 'FAILED'];

interface ListState {
  readonly status: 'loading' | 'ready' | 'unavailable' | 'error';
  readonly conversations: readonly Conversation[];
  readonly nextAfter: string | null;
  readonly error?: ApiError;
}

function useConversationList(filters: { status: string | null; customerId: string }, after: string | null) {
  const [state, setState] = useState<ListState>({ status: 'loading', conversations: [], nextAfter: null });
  useEffect(() => {
    const controller = new AbortController();
    const query = new URLSearchParams({ limit: '50' });
    if (filters.status !== null) query.set('status', filters.status);
    if (filters.customerId.trim() !== '') query.set('customerId', filters.customerId.trim());
    if (after !== null) query.set('after', after);
    api
      .get<{ conversations: Conversation[]; nextAfter: string | null }>(`/v1/conversations?${query.toString()}`, { signal: controller.signal })
      .then((page) => setState((current) => ({ status: 'ready', conversations: after === null ? page.conversations : [...current.conversations, ...page.conversations], nextAfter: page.nextAfter })))
      .catch((error: unknown) => {
        if (isAbort(error)) return;
        const apiError = error instanceof ApiError ? error : new ApiError(0, 'UNKNOWN', String(error));
        // An older gateway has no list: the lookup by id still works.
        setState({ status: apiError.status === 404 ? 'unavailable' : 'error', conversations: [], nextAfter: null, error: apiError });
      });
    return () => controller.abort();
  }, [filters.status, filters.customerId, after]);
  return state;
}

/** Find a conversation: by id, or from the tenant's list filtered by status and customer. */
export function ConversationsPage() {
  const navigate = useNavigate();
  const [id, setId] = useState('');
  const [status, setStatus] = useState<string | null>(null);
  const [customer, setCustomer] = useState('');
  const [filters, setFilters] = useState({ status: null as string | null, customerId: '' });
  const [after, setAfter] = useState<string | null>(null);
  const list = useConversationList(filters, after);

  const open = (event: FormEvent) => {
    event.preventDefault();
    if (id.trim() !== '') void navigate(`/conversations/${encodeURIComponent(id.trim())}`);
  };
  const filter = (event: FormEvent) => {
    event.preventDefault();
    setAfter(null);
    setFilters({ status, customerId: customer });
  };

  return (
    <Stack gap="lg" className="page">
      <Title order={1} size="h2">
        Conversations
      </Title>
      <form onSubmit={open} className="inline-form" aria-label="Open a conversation by id">
        <TextInput label="Conversation id" value={id} onChange={(event) => setId(event.currentTarget.value)} className="grow" spellCheck={false} />
        <Button type="submit" disabled={id.trim() === ''}>
          Open
        </Button>
      </form>

      {list.status !== 'unavailable' && (
        <section aria-labelledby="list-title">
          <Title order={2} size="h3" id="list-title" mb="sm">
            Recent activity
          </Title>
          <form onSubmit={filter} className="inline-form" aria-label="Filter conversations">
            <Select label="Status" placeholder="Any" data={STATUSES.map((value) => ({ value, label: statusLabel(value) }))} value={status} onChange={setStatus} clearable />
            <TextInput label="Customer id" value={customer} onChange={(event) => setCustomer(event.currentTarget.value)} spellCheck={false} />
            <Button type="submit" variant="light">
              Filter
            </Button>
          </form>
          {list.status === 'loading' && <Loader size="sm" mt="md" aria-label="Loading conversations" />}
          {list.status === 'error' && (
            <Alert color="red" variant="light" role="alert" mt="md">
              {list.error?.message}
            </Alert>
          )}
          {list.status === 'ready' && list.conversations.length === 0 && (
            <Text c="dimmed" mt="md">
              No conversations match.
            </Text>
          )}
          {list.conversations.length > 0 && (
            <div className="table-scroll">
              <Table striped highlightOnHover mt="md">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Conversation</Table.Th>
                    <Table.Th>Status</Table.Th>
                    <Table.Th>Customer</Table.Th>
                    <Table.Th>Last activity</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {list.conversations.map((conversation) => (
                    <Table.Tr key={conversation.conversationId}>
                      <Table.Td>
                        <Link to={`/conversations/${encodeURIComponent(conversation.conversationId)}`} className="mono">
                          {conversation.conversationId}
                        </Link>
                      </Table.Td>
                      <Table.Td>
                        <Badge variant="light">{statusLabel(conversation.status)}</Badge>
                      </Table.Td>
                      <Table.Td>{conversation.customerId ?? '—'}</Table.Td>
                      <Table.Td>{formatDateTime(conversation.updatedAt)}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </div>
          )}
          {list.nextAfter !== null && (
            <Group mt="sm">
              <Button variant="default" onClick={() => setAfter(list.nextAfter)}>
                Load more
              </Button>
            </Group>
          )}
        </section>
      )}
    </Stack>
  );
}

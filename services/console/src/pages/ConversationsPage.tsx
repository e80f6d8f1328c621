import { Alert, Badge, Button, Group, Loader, NativeSelect, Select, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { api, ApiError, isAbort } from '../api/client.js';
import type { Conversation } from '../api/types.js';
import { statusLabel } from '../approvals/ConversationOutcome.js';
import { filtersFromParams, filtersToParams, fromLocalInput, listQuery, RANGE_LABELS, TIME_RANGES, toLocalInput, type ListFilters, type TimeRange } from '../conversations/listFilters.js';
import { formatDateTime } from '../format/time.js';

const STATUSES = ['RECEIVED', 'IN_PROGRESS', 'AWAITING_APPROVAL', 'RESOLVED', 'RESOLVED_AFTER_APPROVAL', 'HANDED_OFF', 'FALLBACK', 'FAILED'];
const PAGE = 50;

interface ListState {
  readonly status: 'loading' | 'ready' | 'unavailable' | 'error';
  readonly conversations: readonly Conversation[];
  readonly nextAfter: string | null;
  readonly loadingMore?: boolean;
  readonly error?: ApiError;
}

interface Loaded {
  /** The filters and the reading they belong to. */
  readonly key: string;
  /** The gateway query of the first page: later pages repeat it, so a relative range keeps the `from` it started with. */
  readonly query: string;
  readonly state: ListState;
}

const asApiError = (error: unknown): ApiError => (error instanceof ApiError ? error : new ApiError(0, 'UNKNOWN', String(error)));
type Page = { conversations: Conversation[]; nextAfter: string | null };

/** GET /v1/conversations with the filters (a relative range ends when it is read), and `loadMore` for the next page. */
function useConversationList(filtersKey: string, reading: number) {
  const [loaded, setLoaded] = useState<Loaded | undefined>(undefined);
  const key = `${filtersKey}#${reading}`;

  useEffect(() => {
    const controller = new AbortController();
    const query = listQuery(filtersFromParams(new URLSearchParams(filtersKey)), Date.now());
    query.set('limit', String(PAGE));
    const loadedKey = `${filtersKey}#${reading}`;
    api
      .get<Page>(`/v1/conversations?${query.toString()}`, { signal: controller.signal })
      .then((page) => setLoaded({ key: loadedKey, query: query.toString(), state: { status: 'ready', conversations: page.conversations, nextAfter: page.nextAfter } }))
      .catch((error: unknown) => {
        if (isAbort(error)) return;
        const apiError = asApiError(error);
        // An older gateway has no list: the lookup by id still works.
        setLoaded({ key: loadedKey, query: query.toString(), state: { status: apiError.status === 404 ? 'unavailable' : 'error', conversations: [], nextAfter: null, error: apiError } });
      });
    return () => controller.abort();
  }, [filtersKey, reading]);

  const current = loaded?.key === key ? loaded : undefined;
  const after = current?.state.status === 'ready' && current.state.loadingMore !== true ? current.state.nextAfter : null;
  const firstQuery = current?.query;

  const loadMore = useCallback(() => {
    if (after === null || firstQuery === undefined) return;
    const update = (change: (state: ListState) => ListState) => setLoaded((known) => (known?.key === key ? { ...known, state: change(known.state) } : known));
    update((state) => ({ ...state, loadingMore: true }));
    const query = new URLSearchParams(firstQuery);
    query.set('after', after);
    api
      .get<Page>(`/v1/conversations?${query.toString()}`)
      .then((page) => update((state) => ({ status: 'ready', conversations: [...state.conversations, ...page.conversations], nextAfter: page.nextAfter })))
      .catch((error: unknown) => update((state) => ({ ...state, loadingMore: false, error: asApiError(error) })));
  }, [key, after, firstQuery]);

  const state: ListState = current?.state ?? { status: 'loading', conversations: [], nextAfter: null };
  return { ...state, loadMore };
}

/** The filter form; mounted anew (its key) whenever the URL's filters change, so back and reload show what is applied. */
function FilterForm({ applied, onApply }: { readonly applied: ListFilters; readonly onApply: (filters: ListFilters) => void }) {
  const [status, setStatus] = useState<string | null>(applied.status);
  const [customer, setCustomer] = useState(applied.customerId);
  const [range, setRange] = useState<TimeRange>(applied.range);
  const [fromInput, setFromInput] = useState(toLocalInput(applied.from));
  const [toInput, setToInput] = useState(toLocalInput(applied.to));
  const [tried, setTried] = useState(false);

  const from = fromLocalInput(fromInput);
  const to = fromLocalInput(toInput);
  const custom = range === 'custom';
  const fromError = custom && from === undefined ? 'Enter a date and time' : undefined;
  const toError = custom && to === undefined ? 'Enter a date and time' : custom && typeof from === 'string' && typeof to === 'string' && Date.parse(to) <= Date.parse(from) ? 'Must be later than From' : undefined;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setTried(true);
    if (fromError !== undefined || toError !== undefined) return;
    const open = custom && from === null && to === null;
    onApply({ status, customerId: customer, range: open ? 'any' : range, from: custom ? (from ?? null) : null, to: custom ? (to ?? null) : null });
  };

  return (
    <form onSubmit={submit} className="inline-form" aria-label="Filter conversations" noValidate>
      <Select label="Status" placeholder="Any" data={STATUSES.map((value) => ({ value, label: statusLabel(value) }))} value={status} onChange={setStatus} clearable />
      <TextInput label="Customer id" value={customer} onChange={(event) => setCustomer(event.currentTarget.value)} spellCheck={false} />
      <NativeSelect
        label="Last activity"
        value={range}
        onChange={(event) => setRange(event.currentTarget.value as TimeRange)}
        data={TIME_RANGES.map((value) => ({ value, label: RANGE_LABELS[value] }))}
      />
      {custom && (
        <>
          <TextInput type="datetime-local" label="From" value={fromInput} onChange={(event) => setFromInput(event.currentTarget.value)} error={tried ? fromError : undefined} />
          <TextInput type="datetime-local" label="To" value={toInput} onChange={(event) => setToInput(event.currentTarget.value)} error={tried ? toError : undefined} />
        </>
      )}
      <Button type="submit" variant="light">
        Filter
      </Button>
    </form>
  );
}

/** Find a conversation: by id, or from the tenant's list filtered by status, customer and last activity (the filters live in the URL). */
export function ConversationsPage() {
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const [id, setId] = useState('');
  const [reading, setReading] = useState(0);
  const applied = filtersFromParams(params);
  const filtersKey = filtersToParams(applied).toString();
  const list = useConversationList(filtersKey, reading);

  const open = (event: FormEvent) => {
    event.preventDefault();
    if (id.trim() !== '') void navigate(`/conversations/${encodeURIComponent(id.trim())}`);
  };
  const apply = (filters: ListFilters) => {
    const next = filtersToParams(filters);
    // Other filters are read when the URL changes; the same ones again are read again (a relative range then ends now).
    if (next.toString() === filtersKey) setReading((count) => count + 1);
    else setParams(next);
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
          <FilterForm key={filtersKey} applied={applied} onApply={apply} />
          {list.status === 'loading' && <Loader size="sm" mt="md" aria-label="Loading conversations" />}
          {list.error !== undefined && (
            <Alert color="red" variant="light" role="alert" mt="md" title={list.error.status === 400 ? 'The filters were refused' : 'The conversations could not be loaded'}>
              {list.error.message}
            </Alert>
          )}
          {list.status === 'ready' && list.conversations.length === 0 && (
            <Text c="dimmed" mt="md" role="status">
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
              <Button variant="default" onClick={list.loadMore} loading={list.loadingMore === true}>
                Load more
              </Button>
            </Group>
          )}
        </section>
      )}
    </Stack>
  );
}

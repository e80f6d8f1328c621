import { createEventFactory, type EventContext, type EventDataMap, type EventType, type SupportEvent } from '@supportstream/events';
import { SAMPLE_DATA, sampleContext, uniqueName } from '@supportstream/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient } from './test/conformance.js';
import { signToken, startTestGateway, type TestGateway } from './test/harness.js';

interface ConversationList {
  conversations: { conversationId: string; customerId: string | null; status: string | null; updatedAt: string; lastMessage: string | null; tenantId: string }[];
  nextAfter: string | null;
}
interface ErrorBody {
  error: { code: string; message: string };
}

let gw: TestGateway;
let api: ReturnType<typeof apiClient>;
const tenant = uniqueName('tenant-list');
const otherTenant = uniqueName('tenant-list-other');
const alice = uniqueName('alice');
const bob = uniqueName('bob');
const CARD = '4242 4242 4242 4242';
const factory = createEventFactory({ producer: 'tests' });
const base = Date.parse('2025-03-01T10:00:00.000Z');
const at = (minutes: number) => new Date(base + minutes * 60_000);
const event = <T extends EventType>(type: T, context: EventContext, minutes: number, data: Partial<EventDataMap[T]> = {}): SupportEvent =>
  factory.create(type, { ...SAMPLE_DATA[type], ...data }, context, undefined, at(minutes)) as SupportEvent;

interface Seeded {
  readonly id: string;
  readonly customer: string;
  readonly status: string;
  /** Minutes after base of the conversation's last event. */
  readonly updated: number;
}
const seeded: Seeded[] = [];
const tokens: Record<string, string> = {};

/** A conversation of `customer` whose last event is at `updated` minutes and whose status ends as `status`. */
function conversation(customer: string, status: 'RECEIVED' | 'IN_PROGRESS' | 'AWAITING_APPROVAL' | 'RESOLVED', updated: number, options: { id?: string; message?: string; tenantId?: string } = {}): SupportEvent[] {
  const context = sampleContext({ tenantId: options.tenantId ?? tenant, ...(options.id === undefined ? {} : { conversationId: options.id }) });
  const events: SupportEvent[] = [event('RequestReceived', context, status === 'RECEIVED' ? updated : updated - 1, { customerId: customer, ...(options.message === undefined ? {} : { message: options.message }) })];
  if (status === 'IN_PROGRESS') events.push(event('AgentStepCompleted', context, updated, { node: 'triage' }));
  if (status === 'AWAITING_APPROVAL') events.push(event('ApprovalRequested', context, updated, { approvalId: uniqueName('appr') }));
  if (status === 'RESOLVED') events.push(event('RunCompleted', context, updated, { outcome: 'RESOLVED' }));
  if ((options.tenantId ?? tenant) === tenant) seeded.push({ id: context.conversationId, customer, status, updated });
  return events;
}

/** What the list should be: updatedAt descending, then conversationId descending. */
const expected = (keep: (conversation: Seeded) => boolean = () => true) =>
  seeded
    .filter(keep)
    .sort((a, b) => b.updated - a.updated || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0))
    .map((conversation) => conversation.id);

const list = (query: string, token: string | undefined) => api.call<ConversationList>('GET', `/v1/conversations${query}`, token === undefined ? {} : { token });

async function allPages(query: string, token: string | undefined, limit: number): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = [];
  let after: string | null = null;
  let pages = 0;
  do {
    const separator = query === '' ? '?' : '&';
    const response: Awaited<ReturnType<typeof list>> = await list(`${query}${separator}limit=${limit}${after === null ? '' : `&after=${encodeURIComponent(after)}`}`, token);
    expect(response.status).toBe(200);
    ids.push(...response.body.conversations.map((item) => item.conversationId));
    after = response.body.nextAfter;
    pages += 1;
  } while (after !== null && pages < 50);
  return { ids, pages };
}

beforeAll(async () => {
  gw = await startTestGateway();
  api = apiClient(gw.baseUrl);
  // Two conversations share the same last activity: the id breaks the tie, and a page may end between them.
  await gw.seed([
    ...conversation(alice, 'RECEIVED', 10, { message: `Charge card ${CARD} again` }),
    ...conversation(alice, 'IN_PROGRESS', 20, { id: `conv-tie-b-${uniqueName('x')}` }),
    ...conversation(bob, 'IN_PROGRESS', 20, { id: `conv-tie-a-${uniqueName('x')}` }),
    ...conversation(bob, 'AWAITING_APPROVAL', 30),
    ...conversation(alice, 'RESOLVED', 40),
    ...conversation(bob, 'RESOLVED', 50),
    ...conversation(alice, 'IN_PROGRESS', 60),
    ...conversation(alice, 'RESOLVED', 70, { tenantId: otherTenant }),
  ]);
  tokens['supervisor'] = await signToken({ sub: 'sup@example.test', tenant, role: 'supervisor' });
  tokens['admin'] = await signToken({ sub: 'admin@example.test', tenant, role: 'admin' });
  tokens['service'] = await signToken({ sub: 'svc', tenant, role: 'service' });
  tokens['alice'] = await signToken({ sub: alice, tenant, role: 'customer' });
  tokens['otherSupervisor'] = await signToken({ sub: 'sup@other.test', tenant: otherTenant, role: 'supervisor' });
});

afterAll(async () => {
  await gw.close();
});

describe('GET /v1/conversations', () => {
  it("lists the tenant's conversations to staff, last activity first (ties by id), never another tenant's", async () => {
    for (const who of ['supervisor', 'admin', 'service']) {
      const response = await list('', tokens[who]);
      expect({ who, status: response.status }).toEqual({ who, status: 200 });
      expect(response.body.conversations.map((item) => item.conversationId)).toEqual(expected());
      expect(response.body.conversations.every((item) => item.tenantId === tenant)).toBe(true);
      expect(response.body.nextAfter).toBeNull();
    }
    const first = (await list('', tokens['supervisor'])).body.conversations;
    expect(first[0]).toMatchObject({ customerId: alice, status: 'IN_PROGRESS', updatedAt: at(60).toISOString() });
    expect(JSON.stringify(first)).not.toContain(CARD);
    expect(JSON.stringify(first)).toContain('[card ••••4242]');
    const other = await list('', tokens['otherSupervisor']);
    expect(other.body.conversations).toHaveLength(1);
    expect(other.body.conversations[0]?.tenantId).toBe(otherTenant);
  });

  it('pages with an opaque cursor: every conversation once, in order, ties split across pages included', async () => {
    for (const limit of [1, 2, 3, 4]) {
      const { ids, pages } = await allPages('', tokens['supervisor'], limit);
      expect({ limit, ids }).toEqual({ limit, ids: expected() });
      expect(pages).toBe(Math.ceil(seeded.length / limit));
    }
    // The cursor carries the filters' results only: the same filters go with it.
    const { ids } = await allPages('?status=in_progress,resolved', tokens['supervisor'], 2);
    expect(ids).toEqual(expected((item) => item.status === 'IN_PROGRESS' || item.status === 'RESOLVED'));
  });

  it('filters by status (comma-separated, any case), customer and an updatedAt window [from, to)', async () => {
    const ids = async (query: string) => (await list(query, tokens['supervisor'])).body.conversations.map((item) => item.conversationId);
    expect(await ids('?status=AWAITING_APPROVAL')).toEqual(expected((item) => item.status === 'AWAITING_APPROVAL'));
    expect(await ids('?status=resolved, Received')).toEqual(expected((item) => item.status === 'RESOLVED' || item.status === 'RECEIVED'));
    expect(await ids(`?customerId=${bob}`)).toEqual(expected((item) => item.customer === bob));
    expect(await ids(`?customerId=${bob}&status=resolved`)).toEqual(expected((item) => item.customer === bob && item.status === 'RESOLVED'));
    // from is inclusive, to exclusive, both on updatedAt.
    const window = `?from=${encodeURIComponent(at(20).toISOString())}&to=${encodeURIComponent(at(50).toISOString())}`;
    expect(await ids(window)).toEqual(expected((item) => item.updated >= 20 && item.updated < 50));
    expect(await ids(`?from=${encodeURIComponent('2025-03-01T11:00:00+01:00')}`)).toEqual(expected((item) => item.updated >= 0));
    expect(await ids('?to=2025-03-01')).toEqual([]);
    expect(await ids(`?customerId=${uniqueName('nobody')}`)).toEqual([]);
  });

  it('shows a customer only their own conversations; another customer id is a 403', async () => {
    const own = expected((item) => item.customer === alice);
    expect((await list('', tokens['alice'])).body.conversations.map((item) => item.conversationId)).toEqual(own);
    expect((await list(`?customerId=${alice}`, tokens['alice'])).body.conversations.map((item) => item.conversationId)).toEqual(own);
    expect((await allPages('', tokens['alice'], 1)).ids).toEqual(own);
    // A customer's message is theirs: the read model keeps it masked all the same.
    expect(JSON.stringify((await list('', tokens['alice'])).body)).not.toContain(CARD);
    const foreign = await api.call<ErrorBody>('GET', `/v1/conversations?customerId=${bob}`, { token: tokens['alice'] });
    expect(foreign.status).toBe(403);
    expect(foreign.body.error.code).toBe('FORBIDDEN');
  });

  it('refuses bad parameters with 400 and no credentials with 401', async () => {
    const forged = Buffer.from(JSON.stringify(['12', 'bad id with spaces'])).toString('base64url');
    for (const query of ['?status=waiting', '?status=', '?status=resolved,nope', '?limit=0', '?limit=201', '?limit=ten', '?from=yesterday', '?to=2025-13-01', `?from=${at(30).toISOString()}&to=${at(10).toISOString()}`, '?after=not-a-cursor', `?after=${forged}`, '?customerId=has%20space', '?sort=asc', '?status=resolved&status=received']) {
      const response = await api.call<ErrorBody>('GET', `/v1/conversations${query}`, { token: tokens['supervisor'] });
      expect({ query, status: response.status }).toEqual({ query, status: 400 });
      expect(['VALIDATION_FAILED', 'INVALID_CURSOR']).toContain(response.body.error.code);
    }
    expect((await list('', undefined)).status).toBe(401);
  });
});

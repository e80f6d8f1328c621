// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter } from 'react-router';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Providers } from '../App.js';
import type { DeadLetter, DeadLetterReplay } from '../api/types.js';
import { DeadLettersPage } from './DeadLettersPage.js';

// An in-memory gateway behind fetch: the list, and replays that are idempotent like the real one.
interface Call {
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
}
const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
const failure = (status: number, code: string, message: string) => json(status, { error: { code, message, requestId: 'r' } });

const deadLetter = (originalTopic: string, dlqOffset: string, original: { partition: number; offset: string }, overrides: Partial<DeadLetter> = {}): DeadLetter => ({
  position: { topic: `${originalTopic}.dlq`, partition: 0, offset: dlqOffset },
  originalTopic,
  originalPartition: original.partition,
  originalOffset: original.offset,
  consumerGroup: 'supportstream-triage',
  errorCode: 'CRM_REFUSED',
  errorMessage: 'the CRM refused [email]',
  attempts: 3,
  failedAt: '2026-03-01T10:00:00Z',
  key: 'conv-42',
  eventType: 'RequestReceived',
  eventId: 'evt-42',
  tenantId: 'demo-tenant',
  decodable: true,
  valueBytes: 512,
  replay: null,
  ...overrides,
});

let calls: Call[];
let records: DeadLetter[];
/** What the gateway's ledger holds: dead-letter offset → the first replay. */
let ledger: Map<string, DeadLetterReplay>;

function gateway(input: string, init: RequestInit = {}): Promise<Response> {
  const method = init.method ?? 'GET';
  calls.push({ method, path: input, headers: (init.headers ?? {}) as Record<string, string> });
  const url = new URL(input, 'http://console.test');
  if (method === 'GET' && url.pathname === '/v1/admin/dead-letters') {
    const topic = url.searchParams.get('topic');
    const shown = records.filter((record) => topic === null || record.originalTopic === topic);
    return Promise.resolve(json(200, { deadLetters: shown, matched: shown.length, hiddenUnknownTenant: 0, note: null }));
  }
  const replay = /^\/v1\/admin\/dead-letters\/([^/]+)\/(\d+)\/(\d+)\/replay$/.exec(url.pathname);
  if (method === 'POST' && replay !== null) {
    const [, topic = '', partition = '', offset = ''] = replay;
    if (offset === '9') return Promise.resolve(failure(409, 'NOT_REPLAYABLE', 'customer.requests.dlq[0]@9 cannot be replayed: the record says it came from agent.actions'));
    const known = ledger.get(offset);
    if (known !== undefined) return Promise.resolve(json(200, { ...known, status: 'already_replayed' }));
    const record = records.find((candidate) => candidate.position.offset === offset);
    const outcome: DeadLetterReplay = {
      status: 'replayed',
      replayId: `replay-${offset}`,
      dlq: { topic: decodeURIComponent(topic), partition: Number(partition), offset },
      originalTopic: record?.originalTopic ?? '?',
      replayedTo: { topic: record?.originalTopic ?? '?', partition: 0, offset: '457' },
      replayedBy: 'admin@tenant.test',
      replayedAt: '2026-03-01T12:00:00Z',
      eventId: `evt-replayed-${offset}`,
      resumed: false,
    };
    ledger.set(offset, outcome);
    return Promise.resolve(json(200, outcome));
  }
  return Promise.resolve(failure(404, 'NOT_FOUND', `no route ${method} ${input}`));
}

beforeEach(() => {
  calls = [];
  ledger = new Map();
  records = [
    deadLetter('customer.requests', '5', { partition: 0, offset: '123' }),
    deadLetter('agent.actions', '7', { partition: 1, offset: '77' }, { errorCode: 'STEP_FAILED', errorMessage: 'the research step timed out', eventType: 'AgentStepCompleted', eventId: 'evt-77' }),
  ];
  vi.stubGlobal('fetch', gateway);
});

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const renderPage = (path = '/dead-letters') =>
  render(
    <Providers>
      <MemoryRouter initialEntries={[path]}>
        <DeadLettersPage />
      </MemoryRouter>
    </Providers>,
  );

const posts = () => calls.filter((call) => call.method === 'POST');

describe('the dead letters page', () => {
  it('lists each record by its original position, with the reason, the dead-letter position and a collapsed preview', async () => {
    renderPage();
    expect(screen.getByLabelText('Loading dead letters')).toBeTruthy();
    const record = await screen.findByRole('article', { name: /customer\.requests partition 0 offset 123/ });
    expect(within(record).getByText('CRM_REFUSED')).toBeTruthy();
    expect(within(record).getByText('the CRM refused [email]')).toBeTruthy();
    expect(within(record).getByText('customer.requests.dlq 0:5')).toBeTruthy();
    expect(within(record).getByText('evt-42')).toBeTruthy();
    expect(within(record).getByRole('link', { name: 'conv-42' }).getAttribute('href')).toBe('/conversations/conv-42/audit');
    const preview = record.querySelector('details.record-preview');
    expect(preview?.hasAttribute('open')).toBe(false);
    expect(preview?.textContent).toContain('"valueBytes": 512');
    expect(screen.getAllByRole('article').map((article) => article.getAttribute('aria-label'))).toEqual(['customer.requests partition 0 offset 123', 'agent.actions partition 1 offset 77']);
    expect(calls[0]?.path).toBe('/v1/admin/dead-letters?limit=200');
  });

  it('replays a record after a labelled, focus-trapped confirm, then shows where it went; a second replay says it was already done', async () => {
    const user = userEvent.setup();
    renderPage();
    const record = await screen.findByRole('article', { name: /customer\.requests partition 0 offset 123/ });
    await user.click(within(record).getByRole('button', { name: 'Replay customer.requests 0:123' }));
    const dialog = await screen.findByRole('dialog', { name: 'Replay this dead letter?' });
    await waitFor(() => expect(dialog.contains(document.activeElement)).toBe(true));
    expect(posts()).toEqual([]);
    await user.click(within(dialog).getByRole('button', { name: 'Replay to customer.requests' }));

    const done = await within(record).findByRole('status');
    expect(done.textContent).toContain('Replayed to customer.requests@0:457');
    expect(done.textContent).toContain('admin@tenant.test');
    expect(done.textContent).toContain('evt-replayed-5');
    expect(posts().map((call) => [call.path, call.headers['X-SupportStream-CSRF']])).toEqual([['/v1/admin/dead-letters/customer.requests.dlq/0/5/replay', '1']]);

    await user.click(within(record).getByRole('button', { name: 'Replay customer.requests 0:123' }));
    await user.click(within(await screen.findByRole('dialog')).getByRole('button', { name: 'Replay to customer.requests' }));
    await within(record).findByText('Already replayed: nothing was sent now');
    expect(within(record).getByRole('status').textContent).toContain('It was replayed to customer.requests@0:457 by admin@tenant.test');
    expect(posts()).toHaveLength(2);
    // The other record is untouched.
    expect(within(screen.getByRole('article', { name: /agent\.actions/ })).queryByRole('status')).toBeNull();
  });

  it('sends nothing when the confirm is cancelled with Escape', async () => {
    const user = userEvent.setup();
    renderPage();
    const record = await screen.findByRole('article', { name: /agent\.actions partition 1 offset 77/ });
    await user.click(within(record).getByRole('button', { name: 'Replay agent.actions 1:77' }));
    await screen.findByRole('dialog');
    await user.keyboard('{Escape}');
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(posts()).toEqual([]);
  });

  it('says why a replay was refused, and what the list says of an earlier replay', async () => {
    records = [
      deadLetter('customer.requests', '9', { partition: 0, offset: '200' }),
      deadLetter('customer.requests', '3', { partition: 0, offset: '100' }, { replay: { replayId: 'r3', status: 'done', requestedBy: 'ops@tenant.test', replayedBy: 'ops@tenant.test', replayedAt: '2026-02-28T09:00:00Z' } }),
    ];
    const user = userEvent.setup();
    renderPage();
    const earlier = await screen.findByRole('article', { name: /offset 100/ });
    expect(within(earlier).getByText(/Replayed by ops@tenant\.test/)).toBeTruthy();
    const refused = screen.getByRole('article', { name: /offset 200/ });
    await user.click(within(refused).getByRole('button', { name: 'Replay customer.requests 0:200' }));
    await user.click(within(await screen.findByRole('dialog')).getByRole('button', { name: 'Replay to customer.requests' }));
    const alert = await within(refused).findByRole('alert');
    expect(alert.textContent).toContain('This record cannot be replayed');
    expect(alert.textContent).toContain('the record says it came from agent.actions');
  });

  it('filters by topic, in the URL', async () => {
    renderPage('/dead-letters?topic=agent.actions');
    await screen.findByRole('article', { name: /agent\.actions/ });
    expect(screen.queryByRole('article', { name: /customer\.requests/ })).toBeNull();
    expect(calls.at(-1)?.path).toBe('/v1/admin/dead-letters?limit=200&topic=agent.actions');
    fireEvent.change(screen.getByLabelText('Topic'), { target: { value: 'customer.requests' } });
    await screen.findByRole('article', { name: /customer\.requests/ });
    expect(calls.at(-1)?.path).toBe('/v1/admin/dead-letters?limit=200&topic=customer.requests');
    fireEvent.change(screen.getByLabelText('Topic'), { target: { value: 'human.approvals' } });
    await screen.findByText(/No dead letters from human\.approvals/);
  });

  it('tells a supervisor plainly that dead letters are for operators, without the raw error', async () => {
    vi.stubGlobal('fetch', () => Promise.resolve(failure(403, 'FORBIDDEN', 'the supervisor role may not do this (needs admin)')));
    renderPage();
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('Dead letters are for operators (admin role)');
    expect(alert.textContent).not.toContain('needs admin');
    expect(screen.queryByLabelText('Topic')).toBeNull();
  });

  it('shows a failure to load, and retries', async () => {
    vi.stubGlobal('fetch', () => Promise.resolve(failure(503, 'UNAVAILABLE', 'Kafka or the replay ledger is unavailable right now; retry shortly')));
    const user = userEvent.setup();
    renderPage();
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('The dead letters could not be loaded');
    expect(alert.textContent).toContain('Kafka or the replay ledger is unavailable right now');
    records = [];
    vi.stubGlobal('fetch', gateway);
    await user.click(within(alert).getByRole('button', { name: 'Retry' }));
    await screen.findByText(/No dead letters\. Records a consumer gives up on appear here/);
  });
});

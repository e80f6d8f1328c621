// @vitest-environment happy-dom
import { cleanup, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter, Route, Routes, useLocation } from 'react-router';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Providers } from '../App.js';
import type { CheckpointState, CheckpointSummary, HistoryEntry } from '../api/types.js';
import { AuditPage } from './AuditPage.js';

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
const notFound = () => json(404, { error: { code: 'NOT_FOUND', message: 'conversation not found', requestId: 'r' } });

const entry = (seq: string, overrides: Partial<HistoryEntry>): HistoryEntry => ({
  seq,
  eventId: `evt-${seq}`,
  type: 'RequestReceived',
  occurredAt: '2026-03-01T10:00:00Z',
  topic: 'customer.requests',
  partition: 0,
  offset: '12',
  schema: { id: 7, subject: 'customer.requests-io.supportstream.events.RequestReceived', version: 2 },
  producer: 'gateway',
  requestId: 'req-1',
  correlationId: 'corr-1',
  causationId: null,
  parentEventId: null,
  ancestorIds: [],
  depth: 0,
  summary: 'Where is my order?',
  data: { channel: 'email', message: 'Where is my order?' },
  ...overrides,
});

const history = [
  entry('1', {}),
  entry('2', { type: 'AgentStepCompleted', topic: 'agent.actions', partition: 2, offset: '40', producer: 'triage', causationId: 'evt-1', parentEventId: 'evt-1', ancestorIds: ['evt-1'], depth: 1, summary: 'moderate: allowed', schema: { id: 9, subject: 'agent.actions-io.supportstream.events.AgentStepCompleted', version: 1 } }),
  entry('3', { type: 'RequestReceived', offset: '15', causationId: 'evt-of-another-conversation', summary: 'a follow-up' }),
];
const later = entry('4', { type: 'RunCompleted', topic: 'agent.actions', partition: 2, offset: '41', causationId: 'evt-2', parentEventId: 'evt-2', ancestorIds: ['evt-1', 'evt-2'], depth: 2, summary: 'resolved' });

const summary = (checkpointId: string, step: number, kind: CheckpointSummary['kind'], node: string | null, parentCheckpointId: string | null): CheckpointSummary => ({
  checkpointId,
  parentCheckpointId,
  step,
  createdAt: `2026-03-01T10:00:0${step + 1}Z`,
  kind,
  node,
  next: node === null ? ['moderate'] : ['triage'],
  runId: kind === 'input' ? null : 'run-1',
  requestId: kind === 'input' ? null : 'req-1',
  pendingApprovalId: null,
});
const checkpoints = [summary('cp-0', -1, 'input', null, null), summary('cp-1', 0, 'runStart', null, 'cp-0'), summary('cp-2', 1, 'step', 'moderate', 'cp-1')];
const message = { role: 'customer', text: 'Where is my order?' };
const VALUES: Record<string, Record<string, unknown>> = {
  'cp-0': { messages: [], request: null, moderation: null, lastStep: null },
  'cp-1': { messages: [message], request: { requestId: 'req-1', customerId: '[id]' }, moderation: null, lastStep: null },
  'cp-2': { messages: [message], request: { requestId: 'req-1', customerId: '[id]' }, moderation: { verdict: 'allow' }, lastStep: { node: 'moderate', summary: 'allowed' } },
};

let paths: string[];
beforeEach(() => {
  paths = [];
  vi.stubGlobal('fetch', (input: string) => {
    paths.push(input);
    const url = new URL(input, 'http://console.test');
    if (url.pathname.startsWith('/v1/conversations/conv-missing/')) return Promise.resolve(notFound());
    if (url.pathname === '/v1/conversations/conv-1/history') {
      return Promise.resolve(url.searchParams.get('after') === '3' ? json(200, { conversationId: 'conv-1', source: 'read-model', events: [later], nextAfter: null }) : json(200, { conversationId: 'conv-1', source: 'read-model', events: history, nextAfter: '3' }));
    }
    if (url.pathname === '/v1/conversations/conv-1/checkpoints') return Promise.resolve(json(200, { conversationId: 'conv-1', checkpoints, truncated: false }));
    const one = /^\/v1\/conversations\/conv-1\/checkpoints\/([^/]+)$/.exec(url.pathname);
    const found = checkpoints.find((checkpoint) => checkpoint.checkpointId === one?.[1]);
    if (found !== undefined) {
      const state: CheckpointState = { ...found, conversationId: 'conv-1', tasks: [], interrupts: [], values: VALUES[found.checkpointId] ?? {} };
      return Promise.resolve(json(200, state));
    }
    return Promise.resolve(notFound());
  });
});

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

function Search() {
  return <output data-testid="search">{useLocation().search}</output>;
}

const renderPage = (path: string) =>
  render(
    <Providers>
      <MemoryRouter initialEntries={[path]}>
        <Routes>
          <Route path="/conversations/:id/audit" element={<AuditPage />} />
        </Routes>
        <Search />
      </MemoryRouter>
    </Providers>,
  );

const statePaths = () => paths.filter((path) => /\/checkpoints\/[^/?]+$/.test(path));

describe('the audit page', () => {
  it('shows the history as the log holds it: positions, schema versions, causes and collapsed payloads, page by page', async () => {
    const user = userEvent.setup();
    renderPage('/conversations/conv-1/audit');
    const log = await screen.findByRole('list', { name: 'Log records, in projection order' });
    const records = within(log).getAllByRole('listitem');
    expect(records.map((record) => record.getAttribute('aria-label'))).toEqual(['customer.requests partition 0 offset 12', 'agent.actions partition 2 offset 40', 'customer.requests partition 0 offset 15']);
    const [request, moderate, followUp] = records as [HTMLElement, HTMLElement, HTMLElement];
    expect(within(request).getByText('customer.requests[0]@12')).toBeTruthy();
    expect(within(request).getByText('schema v2').closest('[title]')?.getAttribute('title')).toBe('customer.requests-io.supportstream.events.RequestReceived · schema id 7');
    expect(within(request).getByText('evt-1')).toBeTruthy();
    expect(moderate.getAttribute('data-depth')).toBe('1');
    expect(within(moderate).getByRole('link', { name: 'evt-1' }).getAttribute('href')).toBe('#record-evt-1');
    expect(followUp.textContent).toContain('caused by evt-of-another-conversation (not an event of this conversation)');
    const payload = request.querySelector('details');
    expect(payload?.hasAttribute('open')).toBe(false);
    expect(payload?.textContent).toContain('"message": "Where is my order?"');

    await user.click(screen.getByRole('button', { name: 'Load more records' }));
    await within(log).findByRole('listitem', { name: 'agent.actions partition 2 offset 41' });
    expect(paths.filter((path) => path.includes('/history'))).toEqual(['/v1/conversations/conv-1/history?limit=200', '/v1/conversations/conv-1/history?limit=200&after=3']);
    expect(screen.queryByRole('button', { name: 'Load more records' })).toBeNull();
  });

  it('travels through the checkpoints: the latest first, what changed since its parent, any other on a click, each read once', async () => {
    const user = userEvent.setup();
    renderPage('/conversations/conv-1/audit');
    await user.click(await screen.findByRole('tab', { name: /Checkpoints/ }));
    const list = await screen.findByRole('list', { name: 'Checkpoints, oldest first' });
    const buttons = within(list).getAllByRole('button');
    expect(buttons.map((button) => button.querySelector('.checkpoint-title')?.textContent)).toEqual(['step -1 · input', 'step 0 · run start', 'step 1 · moderate']);
    expect(buttons.map((button) => button.getAttribute('aria-pressed'))).toEqual(['false', 'false', 'true']);

    const viewer = screen.getByRole('region', { name: 'State at step 1 · moderate' });
    await within(viewer).findByText('2 keys changed since step 0 · run start.');
    const values = within(viewer).getByRole('list', { name: 'State values' });
    const changeOf = (key: string) => values.querySelector(`[data-key="${key}"]`)?.getAttribute('data-change');
    expect([changeOf('moderation'), changeOf('lastStep'), changeOf('messages'), changeOf('request')]).toEqual(['changed', 'changed', 'same', 'same']);
    expect(values.querySelector('[data-key="lastStep"]')?.textContent).toContain('"node": "moderate"');

    await user.click(within(viewer).getByRole('switch', { name: 'Only what changed' }));
    expect([...values.querySelectorAll('li')].map((item) => item.getAttribute('data-key'))).toEqual(['moderation', 'lastStep']);

    await user.click(buttons[1]!);
    const earlier = await screen.findByRole('region', { name: 'State at step 0 · run start' });
    await within(earlier).findByText('2 keys changed since step -1 · input.');
    expect(earlier.querySelector('[data-key="messages"]')?.getAttribute('data-change')).toBe('changed');
    expect(earlier.textContent).toContain('messages[0] (added)');
    expect(within(list).getAllByRole('button').map((button) => button.getAttribute('aria-pressed'))).toEqual(['false', 'true', 'false']);
    expect(screen.getByTestId('search').textContent).toBe('?view=checkpoints&checkpoint=cp-1');

    await user.click(within(earlier).getByRole('button', { name: 'Earlier' }));
    const first = await screen.findByRole('region', { name: 'State at step -1 · input' });
    await within(first).findByText('The first checkpoint: nothing to compare with.');
    expect(within(first).getByRole('button', { name: 'Earlier' }).hasAttribute('disabled')).toBe(true);
    await user.click(within(first).getByRole('button', { name: 'Later' }));
    await screen.findByRole('region', { name: 'State at step 0 · run start' });
    await waitFor(() => expect([...statePaths()].sort()).toEqual(['/v1/conversations/conv-1/checkpoints/cp-0', '/v1/conversations/conv-1/checkpoints/cp-1', '/v1/conversations/conv-1/checkpoints/cp-2']));
  });

  it('opens the checkpoint the URL names', async () => {
    renderPage('/conversations/conv-1/audit?view=checkpoints&checkpoint=cp-1');
    const viewer = await screen.findByRole('region', { name: 'State at step 0 · run start' });
    await within(viewer).findByText('2 keys changed since step -1 · input.');
  });

  it('says "no such conversation" for a 404', async () => {
    renderPage('/conversations/conv-missing/audit');
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('No such conversation');
    expect(screen.queryByRole('tab')).toBeNull();
  });
});

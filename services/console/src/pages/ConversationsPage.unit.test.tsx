// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter, Route, Routes, useLocation, useNavigate } from 'react-router';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Providers } from '../App.js';
import type { Conversation } from '../api/types.js';
import { ConversationsPage } from './ConversationsPage.js';

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

const conversation = (conversationId: string, updatedAt: string): Conversation => ({
  conversationId,
  tenantId: 'demo-tenant',
  customerId: 'cust-7',
  channel: 'email',
  customerTier: 'standard',
  subject: null,
  lastMessage: null,
  status: 'RESOLVED',
  currentStep: null,
  nextStep: null,
  outcome: null,
  finalReply: null,
  citations: [],
  requestCount: 1,
  stepCount: 6,
  failureCount: 0,
  eventCount: 9,
  openedAt: updatedAt,
  updatedAt,
});

/** The query of each list call, as an object. */
let queries: Record<string, string>[];
beforeEach(() => {
  queries = [];
  vi.stubGlobal('fetch', (input: string) => {
    const url = new URL(input, 'http://console.test');
    if (url.pathname !== '/v1/conversations') return Promise.resolve(json(404, { error: { code: 'NOT_FOUND', message: 'no', requestId: 'r' } }));
    queries.push(Object.fromEntries(url.searchParams));
    return Promise.resolve(json(200, { conversations: [conversation('conv-1', '2026-03-01T10:00:00Z')], nextAfter: null }));
  });
});

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

function Probe() {
  const navigate = useNavigate();
  return (
    <>
      <output data-testid="search">{useLocation().search}</output>
      <button type="button" onClick={() => void navigate(-1)}>
        Go back
      </button>
    </>
  );
}

const renderPage = (path = '/conversations') =>
  render(
    <Providers>
      <MemoryRouter initialEntries={[path]}>
        <Routes>
          <Route path="/conversations" element={<ConversationsPage />} />
        </Routes>
        <Probe />
      </MemoryRouter>
    </Providers>,
  );

const local = (value: string) => new Date(value).toISOString();

describe('the conversation list’s time filter', () => {
  it('sends a relative range as from = now minus the range, and keeps it in the URL', async () => {
    const user = userEvent.setup();
    renderPage();
    await screen.findByRole('link', { name: 'conv-1' });
    expect(queries).toEqual([{ limit: '50' }]);
    await user.selectOptions(screen.getByLabelText('Last activity'), 'Last 24 hours');
    const before = Date.now();
    await user.click(screen.getByRole('button', { name: 'Filter' }));
    await waitFor(() => expect(queries).toHaveLength(2));
    const after = Date.now();
    const from = Date.parse(queries[1]?.['from'] ?? '');
    expect(from).toBeGreaterThanOrEqual(before - 86_400_000);
    expect(from).toBeLessThanOrEqual(after - 86_400_000);
    expect(queries[1]?.['to']).toBeUndefined();
    expect(screen.getByTestId('search').textContent).toBe('?range=24h');
    // The same range again is read again, ending now.
    await user.click(screen.getByRole('button', { name: 'Filter' }));
    await waitFor(() => expect(queries).toHaveLength(3));
    expect(Date.parse(queries[2]?.['from'] ?? '')).toBeGreaterThanOrEqual(from);
  });

  it('sends a custom range as ISO from/to with the status and customer, and back restores the previous filters', async () => {
    const user = userEvent.setup();
    renderPage('/conversations?status=RESOLVED');
    await screen.findByRole('link', { name: 'conv-1' });
    expect(queries[0]).toEqual({ status: 'RESOLVED', limit: '50' });
    await user.type(screen.getByLabelText('Customer id'), 'cust-7');
    await user.selectOptions(screen.getByLabelText('Last activity'), 'Between…');
    fireEvent.change(screen.getByLabelText('From'), { target: { value: '2026-02-01T08:30' } });
    fireEvent.change(screen.getByLabelText('To'), { target: { value: '2026-02-02T18:00' } });
    await user.click(screen.getByRole('button', { name: 'Filter' }));
    await waitFor(() => expect(queries).toHaveLength(2));
    expect(queries[1]).toEqual({ status: 'RESOLVED', customerId: 'cust-7', from: local('2026-02-01T08:30'), to: local('2026-02-02T18:00'), limit: '50' });
    expect(new URLSearchParams(screen.getByTestId('search').textContent ?? '').get('from')).toBe(local('2026-02-01T08:30'));

    await user.click(screen.getByRole('button', { name: 'Go back' }));
    await waitFor(() => expect(queries).toHaveLength(3));
    expect(queries[2]).toEqual({ status: 'RESOLVED', limit: '50' });
    expect(screen.getByLabelText<HTMLInputElement>('Customer id').value).toBe('');
    expect(screen.getByLabelText<HTMLSelectElement>('Last activity').value).toBe('any');
  });

  it('reads the filters from the URL on load, showing the custom times in local time', async () => {
    renderPage(`/conversations?customer=cust-7&from=${encodeURIComponent(local('2026-02-01T08:30'))}`);
    await screen.findByRole('link', { name: 'conv-1' });
    expect(queries[0]).toEqual({ customerId: 'cust-7', from: local('2026-02-01T08:30'), limit: '50' });
    expect(screen.getByLabelText<HTMLSelectElement>('Last activity').value).toBe('custom');
    expect(screen.getByLabelText<HTMLInputElement>('From').value).toBe('2026-02-01T08:30');
    expect(screen.getByLabelText<HTMLInputElement>('To').value).toBe('');
  });

  it('refuses a range that ends before it starts, sending nothing', async () => {
    const user = userEvent.setup();
    renderPage();
    await screen.findByRole('link', { name: 'conv-1' });
    await user.selectOptions(screen.getByLabelText('Last activity'), 'Between…');
    fireEvent.change(screen.getByLabelText('From'), { target: { value: '2026-02-02T08:30' } });
    fireEvent.change(screen.getByLabelText('To'), { target: { value: '2026-02-01T08:30' } });
    await user.click(screen.getByRole('button', { name: 'Filter' }));
    await screen.findByText('Must be later than From');
    expect(queries).toHaveLength(1);
    expect(screen.getByTestId('search').textContent).toBe('');
  });
});

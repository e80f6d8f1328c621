// @vitest-environment happy-dom
import { cleanup, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter } from 'react-router';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Providers } from '../App.js';
import type { Approval } from '../api/types.js';
import { sampleApproval } from '../../test/fixtures.js';
import { ApprovalsPage } from './ApprovalsPage.js';

// An in-memory gateway behind fetch: the list, no live stream (an older gateway), decisions, conversations.
interface Call {
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: unknown;
}
let pending: Approval[];
let calls: Call[];
const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

beforeEach(() => {
  const expiresAt = new Date(Date.now() + 3_600_000).toISOString();
  pending = [sampleApproval('appr-1', '2026-03-01T10:00:00Z', { expiresAt }), sampleApproval('appr-2', '2026-03-01T11:00:00Z', { expiresAt })];
  calls = [];
  vi.stubGlobal('fetch', (input: string, init: RequestInit = {}) => {
    const method = init.method ?? 'GET';
    const body = typeof init.body === 'string' ? (JSON.parse(init.body) as unknown) : undefined;
    calls.push({ method, path: input, headers: (init.headers ?? {}) as Record<string, string>, body });
    if (input === '/v1/approvals/stream') return Promise.resolve(json(404, { error: { code: 'NOT_FOUND', message: 'no route', requestId: 'r' } }));
    if (input.startsWith('/v1/approvals?')) return Promise.resolve(json(200, { approvals: pending }));
    if (input === '/v1/approvals/appr-1/decision') return Promise.resolve(json(409, { error: { code: 'APPROVAL_NOT_PENDING', message: 'approval appr-1 is APPROVED, not PENDING', requestId: 'r' } }));
    if (input === '/v1/approvals/appr-2/decision') {
      pending = pending.filter((approval) => approval.approvalId !== 'appr-2');
      return Promise.resolve(json(202, { approvalId: 'appr-2', decision: 'APPROVED', eventId: 'evt-1' }));
    }
    if (input === '/v1/conversations/conv-appr-2') return Promise.resolve(json(200, { conversationId: 'conv-appr-2', status: 'RESOLVED_AFTER_APPROVAL', finalReply: 'We refunded €49.99.', citations: [] }));
    return Promise.resolve(json(404, { error: { code: 'NOT_FOUND', message: `no route ${method} ${input}`, requestId: 'r' } }));
  });
});

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const renderPage = () =>
  render(
    <Providers>
      <MemoryRouter>
        <ApprovalsPage />
      </MemoryRouter>
    </Providers>,
  );

describe('the approvals page', () => {
  it('lists the pending approvals and, without a live stream, says it refreshes by polling', async () => {
    renderPage();
    expect(screen.getByLabelText('Loading approvals')).toBeTruthy();
    await screen.findByRole('article', { name: /conv-appr-1/ });
    expect(screen.getAllByRole('article').map((card) => card.getAttribute('data-approval-id'))).toEqual(['appr-1', 'appr-2']);
    await screen.findByText('Refreshing every few seconds');
    expect(screen.getByLabelText('2 waiting')).toBeTruthy();
  });

  it('shows a 409 plainly, and a sent decision with the conversation’s outcome under "Decided here"', async () => {
    const user = userEvent.setup();
    renderPage();
    const first = await screen.findByRole('article', { name: /conv-appr-1/ });
    await user.click(within(first).getByRole('button', { name: 'Approve' }));
    await screen.findByText('Already decided elsewhere');
    const decided = screen.getByRole('region', { name: 'Decided here' });
    expect(within(decided).getByText(/Nothing was changed: approval appr-1 is APPROVED, not PENDING/)).toBeTruthy();

    const second = screen.getByRole('article', { name: /conv-appr-2/ });
    await user.click(within(second).getByRole('button', { name: 'Approve' }));
    await within(decided).findByText('Approved.');
    await waitFor(() => expect(decided.querySelector('[data-status="RESOLVED_AFTER_APPROVAL"]')).not.toBeNull());
    expect(within(decided).getByText('Reply sent: We refunded €49.99.')).toBeTruthy();

    const decisions = calls.filter((call) => call.method === 'POST');
    expect(decisions.map((call) => [call.path, call.body, call.headers['X-SupportStream-CSRF']])).toEqual([
      ['/v1/approvals/appr-1/decision', { decision: 'APPROVED' }, '1'],
      ['/v1/approvals/appr-2/decision', { decision: 'APPROVED' }, '1'],
    ]);
    // Nothing is left waiting on this page.
    expect(screen.getByLabelText('0 waiting').textContent).toBe('0');
  });

  it('says plainly when the queue cannot be loaded, and retries', async () => {
    vi.stubGlobal('fetch', () => Promise.resolve(json(503, { error: { code: 'UNAVAILABLE', message: 'a dependency of the gateway is unavailable; retry shortly', requestId: 'r' } })));
    const user = userEvent.setup();
    renderPage();
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('The approvals could not be loaded');
    expect(alert.textContent).toContain('a dependency of the gateway is unavailable; retry shortly');
    vi.stubGlobal('fetch', (input: string) => Promise.resolve(input.startsWith('/v1/approvals?') ? json(200, { approvals: [] }) : json(404, { error: { code: 'NOT_FOUND', message: 'no', requestId: 'r' } })));
    await user.click(within(alert).getByRole('button', { name: 'Retry' }));
    await screen.findByText(/No approvals are waiting/);
  });
});

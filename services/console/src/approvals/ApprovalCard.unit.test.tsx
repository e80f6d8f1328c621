// @vitest-environment happy-dom
import { cleanup, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { ReactNode } from 'react';
import { MemoryRouter } from 'react-router';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Providers } from '../App.js';
import { sampleApproval } from '../../test/fixtures.js';
import { ApprovalCard } from './ApprovalCard.js';
import type { DecisionInput, DecisionOutcome } from './useDecisions.js';

afterEach(cleanup);

const now = Date.parse('2026-03-01T12:00:00Z');
const wrap = (children: ReactNode) => (
  <Providers>
    <MemoryRouter>{children}</MemoryRouter>
  </Providers>
);
const approval = sampleApproval('appr-1', '2026-03-01T11:58:00Z', {
  expiresAt: '2026-03-01T12:04:05Z',
  reason: 'refund above the automatic limit (25 EUR); customer tier standard',
  proposedActions: [
    { kind: 'refund', description: 'Refund the duplicate charge for order 1001', amount: { amountMicros: '49990000', currency: 'EUR' }, parameters: { orderId: '1001' } },
    { kind: 'store_credit', description: 'A goodwill credit', amount: { amountMicros: 5, currency: 'USD' }, parameters: {} },
  ],
});

function renderCard(options: { outcome?: DecisionOutcome; at?: number } = {}) {
  const onDecide = vi.fn<(input: DecisionInput) => void>();
  const view = render(wrap(<ApprovalCard approval={approval} now={options.at ?? now} locale="en-US" onDecide={onDecide} {...(options.outcome === undefined ? {} : { outcome: options.outcome })} />));
  return { onDecide, card: screen.getByRole('article', { name: /Approval for conversation conv-appr-1/ }), ...view };
}

describe('the approval card', () => {
  it('shows the conversation, the exact amounts, the risk and its reasons, the reply and the time left', () => {
    const { card } = renderCard();
    const inCard = within(card);
    expect(inCard.getByRole('link', { name: 'conv-appr-1' }).getAttribute('href')).toBe('/conversations/conv-appr-1');
    expect(inCard.getByText('€49.99').getAttribute('title')).toBe('49990000 micros EUR');
    expect(inCard.getByText('$0.000005')).toBeTruthy();
    expect(inCard.getByText('Refund')).toBeTruthy();
    expect(inCard.getByText('Store credit')).toBeTruthy();
    expect(inCard.getByText('orderId').nextSibling?.textContent).toBe('1001');
    expect(inCard.getByLabelText('Risk HIGH, score 82%')).toBeTruthy();
    expect(inCard.getAllByRole('listitem').map((item) => item.textContent)).toEqual(expect.arrayContaining(['refund above the automatic limit (25 EUR)', 'customer tier standard']));
    expect(inCard.getByText('We refunded the duplicate charge.')).toBeTruthy();
    expect(card.querySelector('time')?.textContent).toBe('4 min 5 sec');
    expect(card.querySelector('.time-left')?.className).toContain('urgent');
  });

  it('approves, rejects, or approves an edited reply, with the comment', async () => {
    const user = userEvent.setup();
    const { card, onDecide } = renderCard();
    const inCard = within(card);
    await user.type(inCard.getByLabelText('Comment (optional)'), 'duplicate confirmed');
    await user.click(inCard.getByRole('button', { name: 'Approve' }));
    expect(onDecide).toHaveBeenLastCalledWith({ decision: 'APPROVED', comment: 'duplicate confirmed' });
    await user.click(inCard.getByRole('button', { name: 'Reject' }));
    expect(onDecide).toHaveBeenLastCalledWith({ decision: 'REJECTED', comment: 'duplicate confirmed' });

    await user.click(inCard.getByRole('button', { name: 'Edit reply' }));
    const reply = inCard.getByLabelText('Reply to send');
    expect((reply as HTMLTextAreaElement).value).toBe('We refunded the duplicate charge.');
    await user.clear(reply);
    expect(inCard.getByRole('button', { name: 'Approve edited reply' }).hasAttribute('disabled')).toBe(true);
    await user.type(reply, 'We refunded 49.99 EUR.');
    await user.click(inCard.getByRole('button', { name: 'Approve edited reply' }));
    expect(onDecide).toHaveBeenLastCalledWith({ decision: 'EDITED', comment: 'duplicate confirmed', editedReply: 'We refunded 49.99 EUR.' });
    await user.click(inCard.getByRole('button', { name: 'Cancel edit' }));
    expect(inCard.queryByLabelText('Reply to send')).toBeNull();
    expect(onDecide).toHaveBeenCalledTimes(3);
  });

  it('is keyboard-usable: Tab reaches the decision buttons, Enter decides', async () => {
    const user = userEvent.setup();
    const { onDecide } = renderCard();
    const approve = screen.getByRole('button', { name: 'Approve' });
    for (let tabs = 0; tabs < 10 && document.activeElement !== approve; tabs += 1) await user.tab();
    expect(document.activeElement).toBe(approve);
    await user.keyboard('{Enter}');
    expect(onDecide).toHaveBeenCalledWith({ decision: 'APPROVED', comment: '' });
  });

  it('shows a conflict plainly and offers no more decisions', () => {
    const { card } = renderCard({ outcome: { kind: 'conflict', message: 'approval appr-1 is APPROVED, not PENDING' } });
    const alert = within(card).getByRole('alert');
    expect(alert.textContent).toContain('Already decided elsewhere');
    expect(alert.textContent).toContain('Nothing was changed: approval appr-1 is APPROVED, not PENDING.');
    expect(within(card).queryByRole('button', { name: 'Approve' })).toBeNull();
  });

  it('while sending, disables the buttons; after a failure, says why and lets the supervisor retry', () => {
    const sending = renderCard({ outcome: { kind: 'sending', decision: 'APPROVED' } });
    expect(within(sending.card).getByRole('button', { name: 'Reject' }).hasAttribute('disabled')).toBe(true);
    sending.unmount();
    const failed = renderCard({ outcome: { kind: 'failed', message: 'decisions are unavailable right now (Redis); retry shortly' } });
    expect(within(failed.card).getByRole('alert').textContent).toContain('The decision was not sent');
    expect(within(failed.card).getByRole('button', { name: 'Approve' }).hasAttribute('disabled')).toBe(false);
  });

  it('counts down live and, once expired, refuses decisions', () => {
    const { card, rerender, onDecide } = renderCard();
    rerender(wrap(<ApprovalCard approval={approval} now={now + 4 * 60_000} locale="en-US" onDecide={onDecide} />));
    expect(card.querySelector('time')?.textContent).toBe('5 sec');
    rerender(wrap(<ApprovalCard approval={approval} now={now + 5 * 60_000} locale="en-US" onDecide={onDecide} />));
    expect(card.querySelector('time')?.textContent).toBe('expired');
    expect(within(card).getByText(/has expired; it can no longer be decided/)).toBeTruthy();
    expect(within(card).getByRole('button', { name: 'Approve' }).hasAttribute('disabled')).toBe(true);
  });
});

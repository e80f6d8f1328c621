// @vitest-environment happy-dom
import { act, cleanup, configure, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter } from 'react-router';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { Providers } from '../App.js';
import type { Overview, OverviewBucket, OverviewOperations } from '../api/types.js';
import { OPERATORS_ONLY } from '../overview/OperationsPanel.js';
import { REFRESH_MS } from '../overview/useOverview.js';
import { OverviewPage } from './OverviewPage.js';

const MINUTE = 60_000;
const FROM = Date.parse('2026-03-01T09:18:00Z');
const bucket = (index: number, counts: Partial<OverviewBucket> = {}): OverviewBucket => ({
  start: new Date(FROM + index * MINUTE).toISOString(),
  conversations: 0,
  resolved: 0,
  resolvedAfterApproval: 0,
  handedOff: 0,
  fallback: 0,
  failed: 0,
  escalated: 0,
  meanHandlingMs: null,
  ...counts,
});
const money = (currency: string, amountMicros: string, amount: string) => ({ currency, amountMicros, amount });

/** What GET /v1/overview answers a supervisor: the figures of the gateway's int test. */
function sampleOverview(overrides: Partial<Overview> = {}): Overview {
  return {
    window: '1h',
    from: new Date(FROM).toISOString(),
    to: new Date(FROM + 60 * MINUTE).toISOString(),
    stepSeconds: 60,
    generatedAt: '2026-03-01T10:17:30Z',
    totals: {
      conversations: 6,
      resolved: 2,
      resolvedAfterApproval: 1,
      handedOff: 1,
      fallback: 1,
      failed: 1,
      escalated: 2,
      resolutionRate: 0.5,
      escalationRate: 2 / 6,
      meanHandlingMs: 2_833,
      meanQualityScore: 0.9,
      llm: { calls: 6, cachedCalls: 1, promptTokens: 1_200, completionTokens: 300 },
    },
    costs: [
      { currency: 'EUR', conversations: 5, total: money('EUR', '2000001', '2.000001'), perConversation: money('EUR', '400000', '0.4'), llm: money('EUR', '1000005', '1.000005') },
      { currency: 'USD', conversations: 1, total: money('USD', '49990000', '49.99'), perConversation: money('USD', '49990000', '49.99'), llm: money('USD', '0', '0') },
    ],
    series: Array.from({ length: 60 }, (_, index) =>
      index === 29 ? bucket(index, { conversations: 2, fallback: 1, failed: 1, meanHandlingMs: 3_500 }) : index === 54 ? bucket(index, { conversations: 4, resolved: 2, resolvedAfterApproval: 1, handedOff: 1, escalated: 2, meanHandlingMs: 2_500 }) : bucket(index),
    ),
    approvals: { pending: 2, oldestRequestedAt: '2026-03-01T09:35:30Z', oldestWaitingMs: 42 * MINUTE },
    operations: null,
    ...overrides,
  };
}

const operations: OverviewOperations = {
  status: 'ok',
  readAt: '2026-03-01T10:17:29Z',
  message: null,
  consumerGroups: [
    {
      group: 'supportstream-research',
      lag: 1_234,
      topics: [
        { topic: 'agent.actions', lag: 1_230, partitions: 3 },
        { topic: 'customer.requests', lag: 4, partitions: 3 },
      ],
    },
    { group: 'supportstream-projections', lag: 0, topics: [{ topic: 'agent.actions', lag: 0, partitions: 3 }] },
  ],
  deadLetters: [
    { topic: 'agent.actions.dlq', records: 4, partitions: 3 },
    { topic: 'customer.requests.dlq', records: 0, partitions: 3 },
  ],
  unreadGroups: [],
};

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
let paths: string[];
let answer: (path: string) => Response;
let consoleErrors: string[];

// The page loads its charts lazily; loading them once here keeps each test's waits short.
beforeAll(async () => {
  // A loaded machine renders charts slowly: findBy* waits up to 5 s instead of 1 s.
  configure({ asyncUtilTimeout: 5_000 });
  await import('../overview/OverviewCharts.js');
}, 30_000);

beforeEach(() => {
  paths = [];
  consoleErrors = [];
  vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
    consoleErrors.push(args.map(String).join(' '));
  });
  // happy-dom lays nothing out, so recharts finds its container 0 px wide and says so; a browser does not.
  const warn = console.warn.bind(console);
  vi.spyOn(console, 'warn').mockImplementation((...args: unknown[]) => {
    if (!String(args[0]).startsWith('The width(0) and height(0) of chart')) warn(...args);
  });
  answer = () => json(200, sampleOverview());
  vi.stubGlobal('fetch', (input: string) => {
    paths.push(input);
    return Promise.resolve(answer(input));
  });
});

afterEach(() => {
  cleanup();
  vi.useRealTimers();
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
  // React warnings (keys, act, invalid DOM nesting) are errors here too.
  expect(consoleErrors).toEqual([]);
});

const renderPage = () =>
  render(
    <Providers>
      <MemoryRouter>
        <OverviewPage />
      </MemoryRouter>
    </Providers>,
  );

const stat = async (name: string) => (await screen.findByRole('group', { name })).textContent ?? '';

describe('the overview page', () => {
  it('shows the rates as percentages, handling time, exact money in the locale, tokens and the approval queue', async () => {
    renderPage();
    expect(screen.getByLabelText('Loading the overview')).toBeTruthy();
    expect(await stat('Resolution rate')).toContain('50%');
    expect(await stat('Resolution rate')).toContain('3 of 6 conversations resolved (1 after approval)');
    expect(await stat('Escalation rate')).toContain('33.3%');
    expect(await stat('Mean handling time')).toContain('2.8 sec');
    expect(await stat('Mean handling time')).toContain('Mean quality score 90%');
    const cost = await stat('Cost');
    expect(cost).toContain('€2.000001 · $49.99');
    expect(cost).toContain('€2.000001 over 5 conversations · €0.40 each · models €1.000005');
    expect(cost).toContain('$49.99 over 1 conversation · $49.99 each · models $0.00');
    expect(await stat('LLM tokens')).toContain('1,500');
    expect(await stat('Approvals waiting')).toMatch(/^Approvals waiting2The oldest has waited 42 min · Open the queue$/);
    expect(paths).toEqual(['/v1/overview?window=1h']);
    expect(screen.getByText(/Figures of the last hour, as of/)).toBeTruthy();
  });

  it('draws the charts and lists the busy buckets in a table', async () => {
    renderPage();
    for (const title of ['Outcomes', 'Escalations', 'Mean handling time']) expect(await screen.findByRole('figure', { name: title })).toBeTruthy();
    const table = screen.getByRole('table', { name: 'Conversations per bucket' });
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows.map((row) => within(row).getAllByRole('cell').slice(1).map((cell) => cell.textContent))).toEqual([
      ['2', '0', '0', '0', '1', '1', '0', '3.5 sec'],
      ['4', '2', '1', '1', '0', '0', '2', '2.5 sec'],
    ]);
    expect(screen.getByText('The figures as a table (2 buckets with conversations)')).toBeTruthy();
  });

  it('tells a supervisor that lag and dead letters are for operators', async () => {
    renderPage();
    await screen.findByText(OPERATORS_ONLY);
    expect(screen.queryByRole('table', { name: 'Consumer lag' })).toBeNull();
  });

  it('shows an admin the consumer lag per group and the dead-letter sizes', async () => {
    answer = () => json(200, sampleOverview({ operations }));
    renderPage();
    const lag = await screen.findByRole('table', { name: 'Consumer lag' });
    const lagRows = within(lag).getAllByRole('row').slice(1);
    expect(lagRows.map((row) => within(row).getAllByRole('cell').map((cell) => cell.textContent))).toEqual([
      ['supportstream-research', '1,234', 'agent.actions 1,230 · customer.requests 4'],
      ['supportstream-projections', '0', 'agent.actions 0'],
    ]);
    const dlq = screen.getByRole('table', { name: 'Dead letters' });
    expect(within(dlq).getAllByRole('row').slice(1).map((row) => within(row).getAllByRole('cell').map((cell) => cell.textContent))).toEqual([
      ['agent.actions.dlq', '4'],
      ['customer.requests.dlq', '0'],
    ]);
    expect(screen.queryByText(OPERATORS_ONLY)).toBeNull();
  });

  it('says so when Kafka could not be read, and still shows the support figures', async () => {
    answer = () => json(200, sampleOverview({ operations: { ...operations, status: 'unavailable', readAt: null, message: 'Kafka did not answer within 3 s', consumerGroups: [], deadLetters: [] } }));
    renderPage();
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('Kafka figures unavailable');
    expect(alert.textContent).toContain('Kafka did not answer within 3 s');
    expect(await stat('Resolution rate')).toContain('50%');
  });

  it('has an empty state for a window without conversations', async () => {
    answer = () =>
      json(
        200,
        sampleOverview({
          totals: { ...sampleOverview().totals, conversations: 0, resolved: 0, resolvedAfterApproval: 0, handedOff: 0, fallback: 0, failed: 0, escalated: 0, resolutionRate: null, escalationRate: null, meanHandlingMs: null, meanQualityScore: null },
          costs: [],
          series: Array.from({ length: 60 }, (_, index) => bucket(index)),
          approvals: { pending: 0, oldestRequestedAt: null, oldestWaitingMs: null },
        }),
      );
    renderPage();
    await screen.findByText('No conversations in this window.');
    expect(await stat('Resolution rate')).toContain('—');
    expect(await stat('Cost')).toContain('Nothing was spent in this window');
    expect(await stat('Approvals waiting')).toContain('None waiting');
    expect(screen.queryByRole('figure')).toBeNull();
  });

  it('says plainly when the overview cannot be loaded, and retries', async () => {
    answer = () => json(503, { error: { code: 'UNAVAILABLE', message: 'the overview is not available on this gateway', requestId: 'r' } });
    const user = userEvent.setup();
    renderPage();
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('The overview could not be loaded');
    expect(alert.textContent).toContain('the overview is not available on this gateway');
    answer = () => json(200, sampleOverview());
    await user.click(within(alert).getByRole('button', { name: 'Retry' }));
    expect(await stat('Resolution rate')).toContain('50%');
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('reads another window when one is chosen', async () => {
    const user = userEvent.setup();
    answer = (path) => json(200, path.endsWith('7d') ? sampleOverview({ window: '7d', stepSeconds: 3_600, totals: { ...sampleOverview().totals, resolutionRate: 0.25 } }) : sampleOverview());
    renderPage();
    expect(await stat('Resolution rate')).toContain('50%');
    const windows = screen.getByRole('radiogroup', { name: 'Time window' });
    await user.click(within(windows).getByLabelText('7 d'));
    await waitFor(async () => expect(await stat('Resolution rate')).toContain('25%'));
    expect(paths).toEqual(['/v1/overview?window=1h', '/v1/overview?window=7d']);
    expect(screen.getByText(/Figures of the last 7 days/)).toBeTruthy();
  });

  it('re-reads every 15 seconds and keeps the figures when a refresh fails', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    renderPage();
    expect(await stat('Resolution rate')).toContain('50%');
    answer = () => json(503, { error: { code: 'UNAVAILABLE', message: 'PostgreSQL is unavailable right now', requestId: 'r' } });
    act(() => {
      vi.advanceTimersByTime(REFRESH_MS);
    });
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('The figures may be out of date');
    expect(alert.textContent).toContain('PostgreSQL is unavailable right now');
    expect(await stat('Resolution rate')).toContain('50%');
    expect(paths).toEqual(['/v1/overview?window=1h', '/v1/overview?window=1h']);
    answer = () => json(200, sampleOverview({ totals: { ...sampleOverview().totals, resolutionRate: 0.75 } }));
    act(() => {
      vi.advanceTimersByTime(REFRESH_MS);
    });
    await waitFor(async () => expect(await stat('Resolution rate')).toContain('75%'));
    expect(screen.queryByRole('alert')).toBeNull();
    expect(paths).toHaveLength(3);
  });
});

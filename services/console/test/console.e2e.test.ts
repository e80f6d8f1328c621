// The console in Debian's Chromium against the real platform: the agent services, projections and
// gateway as processes (the gateway serving services/console/dist). A supervisor signs in, sees a
// refund above the threshold arrive in the queue without reloading, approves it in the page, and
// the conversation ends RESOLVED_AFTER_APPROVAL with the exact amount; a customer is refused.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { TransientError } from '@supportstream/errors';
import { createDeadLetterProducer, defaultDeadLetterTopic, HEADER } from '@supportstream/kafka';
import { AGENT_SERVICES, callGateway, cliPath, createTestCodec, freePort, jwtEnvironment, sampleContext, sampleEvent, signTestToken, stackConfig, startService, stopService, testKafka, uniqueName, waitFor, type ServiceProcess } from '@supportstream/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cutOff, launchChromium, openPage, type RunningBrowser, type WatchedPage } from './browser.js';

const run = promisify(execFile);
const cli = async (...args: string[]) => (await run(process.execPath, [cliPath(), ...args], { env: process.env, timeout: 60_000 })).stdout.trim();

const DIST = join(dirname(fileURLToPath(import.meta.url)), '../dist/index.html');
const JWT = { secret: 'console-e2e-jwt-secret-0123456789abcdef', issuer: 'supportstream-console-e2e', audience: 'supportstream-api' };
const TENANT = 'demo-tenant';
const REFUND = 'I was charged twice for order 1001. Please refund the duplicate charge.';
const services: ServiceProcess[] = [];
let chromium: RunningBrowser;
let gateway = '';
let supervisorKey = '';
let supervisorKeyId = '';
let adminKey = '';

const token = (claims: { sub: string; role: string }) => signTestToken(JWT, { ...claims, tenant: TENANT });
const api = (method: string, path: string, headers: Record<string, string>, body?: unknown) => callGateway(gateway, method, path, headers, body);

/** Signs in on the sign-in page (where `path` redirects to) with an API key. */
async function signInWithKey(page: WatchedPage['page'], key: string, path: string): Promise<void> {
  await page.goto(gateway + path);
  await page.getByRole('textbox', { name: 'API key' }).fill(key);
  await page.keyboard.press('Enter');
}

/** Runs a test on a fresh page; when it fails, a screenshot (and the page's errors) go to .local/test-results/screenshots. */
async function withPage(name: string, test: (watched: WatchedPage) => Promise<void>, options: Parameters<typeof openPage>[1] = {}): Promise<void> {
  const watched = await openPage(chromium.browser, options);
  try {
    await test(watched);
  } catch (error) {
    const path = await watched.screenshot(`failed-${name}`).catch((failure: unknown) => `(no screenshot: ${String(failure)})`);
    console.error(`screenshot of the failed test: ${path}; page errors: ${JSON.stringify(watched.errors)}`);
    throw error;
  } finally {
    await watched.close();
  }
}

beforeAll(async () => {
  if (!existsSync(DIST)) throw new Error('services/console/dist is missing: run `npm run build -w @supportstream/console` (npm test builds it)');
  await cli('db', 'migrate');
  await cli('knowledge', 'ingest');
  const port = await freePort();
  gateway = `http://127.0.0.1:${port}`;
  services.push(await startService('projections'));
  for (const name of AGENT_SERVICES) services.push(await startService(name, { KAFKA_SESSION_TIMEOUT_MS: '10000' }));
  services.push(await startService('analytics'));
  services.push(await startService('gateway', { GATEWAY_PORT: String(port), ...jwtEnvironment(JWT), GATEWAY_RATE_LIMIT_PER_MINUTE: '600' }));
  const created = JSON.parse(await cli('apikeys', 'create', '--tenant', TENANT, '--role', 'supervisor', '--name', uniqueName('console-e2e-supervisor'), '--json')) as { key: string; keyId: string };
  supervisorKey = created.key;
  supervisorKeyId = created.keyId;
  adminKey = (JSON.parse(await cli('apikeys', 'create', '--tenant', TENANT, '--role', 'admin', '--name', uniqueName('console-e2e-admin'), '--json')) as { key: string }).key;
  chromium = await launchChromium();
}, 240_000);

afterAll(async () => {
  await chromium?.close();
  const codes = await Promise.all(services.map((service) => stopService(service)));
  expect(codes.every((code) => code === 0)).toBe(true);
}, 60_000);

describe('the console in a browser', () => {
  it('refuses a customer credential at sign-in, plainly, and sets no cookie', async () => {
    await withPage('customer-refused', async ({ page, context, errors }) => {
      await page.goto(`${gateway}/console/`);
      await page.getByRole('heading', { name: 'Sign in to the console' }).waitFor();
      expect(new URL(page.url()).pathname).toBe('/console/sign-in');
      await page.locator('label', { hasText: /^JWT$/ }).click();
      await page.getByLabel('Token (JWT)').fill(await token({ sub: 'cust-42', role: 'customer' }));
      await page.getByRole('button', { name: 'Sign in' }).click();
      const alert = page.getByRole('alert').filter({ hasText: 'Not signed in' });
      await alert.waitFor();
      expect(await alert.innerText()).toMatch(/cannot open the console/);
      expect(await context.cookies()).toEqual([]);
      // A wrong key is refused too, with the gateway's reason.
      await page.locator('label', { hasText: /^API key$/ }).click();
      await page.getByRole('textbox', { name: 'API key' }).fill(`${supervisorKey.slice(0, -4)}AAAA`);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('alert').filter({ hasText: 'the API key is not valid' }).waitFor();
      expect(errors).toEqual([]);
    });
  }, 60_000);

  it('a supervisor signs in, sees a new refund appear without reloading, approves it, and the conversation ends resolved with the exact amount', async () => {
    await withPage('approve-refund', async (watched) => {
      const { page, context, errors } = watched;
      await page.goto(`${gateway}/console/approvals`);
      await page.getByRole('textbox', { name: 'API key' }).fill(supervisorKey);
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { name: 'Approvals', level: 1 }).waitFor();
      expect(new URL(page.url()).pathname).toBe('/console/approvals');
      // The session is an HttpOnly, SameSite=Strict cookie the page cannot read.
      const cookies = await context.cookies();
      expect(cookies.map((cookie) => [cookie.name, cookie.httpOnly, cookie.sameSite, cookie.path])).toEqual([['supportstream_session', true, 'Strict', '/']]);
      expect(cookies[0]?.value).not.toContain(supervisorKey.split('_').at(-1));
      expect(await page.evaluate(() => document.cookie)).toBe('');
      await page.getByRole('status').filter({ hasText: /^(Live|Refreshing every few seconds)$/ }).waitFor();
      const loadsBefore = watched.navigations();

      const customer = { authorization: `Bearer ${await token({ sub: 'cust-42', role: 'customer' })}` };
      const submitted = await api('POST', '/v1/requests', customer, { message: REFUND });
      expect(submitted.status).toBe(202);
      const conversationId = String(submitted.json['conversationId']);

      const card = page.getByRole('article').filter({ hasText: conversationId });
      await card.waitFor({ timeout: 90_000 });
      const text = await card.innerText();
      expect(text).toContain('€49.99');
      expect(text).toMatch(/Time left:\s*\d+ (day|hr|min)/);
      expect(text).toMatch(/Refund/);
      expect(text).toContain('Why it needs you');
      await watched.screenshot('approvals-queue');

      await card.getByRole('button', { name: 'Approve', exact: true }).click();
      const decided = page.getByRole('region', { name: 'Decided here' }).getByRole('article').filter({ hasText: conversationId });
      await decided.getByText('Approved.').waitFor();
      await decided.locator('[data-status="RESOLVED_AFTER_APPROVAL"]').waitFor({ timeout: 90_000 });
      expect(await decided.locator('.final-reply').innerText()).toMatch(/49[.,]99/);
      await watched.screenshot('approvals-decided');
      expect(watched.navigations()).toBe(loadsBefore);

      // What the page showed is what the platform did.
      const supervisor = { 'x-api-key': supervisorKey };
      const conversation = await api('GET', `/v1/conversations/${conversationId}`, supervisor);
      expect(conversation.json).toMatchObject({ status: 'RESOLVED_AFTER_APPROVAL', outcome: 'RESOLVED_AFTER_APPROVAL' });
      expect(String(conversation.json['finalReply'])).toMatch(/49[.,]99/);
      const approvals = await api('GET', '/v1/approvals?limit=500', supervisor);
      const approval = (approvals.json['approvals'] as { conversationId: string; status: string; decidedBy: string; proposedActions: { amount: { amountMicros: unknown; currency: string } | null }[] }[]).find((entry) => entry.conversationId === conversationId);
      expect(approval).toMatchObject({ status: 'APPROVED', decidedBy: `apikey:${supervisorKeyId}` });
      expect(approval?.proposedActions.map((action) => action.amount)).toContainEqual({ amountMicros: expect.anything() as unknown, currency: 'EUR' });
      expect(String(approval?.proposedActions[0]?.amount?.amountMicros)).toBe('49990000');

      // The conversation page shows its timeline from the log.
      await decided.getByRole('link', { name: conversationId }).click();
      await page.getByRole('heading', { name: `Conversation ${conversationId}` }).waitFor();
      await page.locator('.event[data-type="ApprovalDecided"]').waitFor({ timeout: 30_000 });
      await page.locator('.event[data-type="RunCompleted"]').first().waitFor({ timeout: 30_000 });
      await watched.screenshot('conversation');

      // Its audit trail: the log records with their positions, and the graph state at an earlier checkpoint.
      await page.getByRole('link', { name: 'Audit trail' }).click();
      await page.getByRole('heading', { name: `Audit · conversation ${conversationId}` }).waitFor();
      const log = page.getByRole('list', { name: 'Log records, in projection order' });
      await log.locator('li[aria-label*="customer.requests"]').first().waitFor({ timeout: 30_000 });
      expect(await log.locator('.audit-record').count()).toBeGreaterThanOrEqual(8);
      await page.getByRole('tab', { name: /Checkpoints/ }).click();
      const checkpoints = page.getByRole('list', { name: 'Checkpoints, oldest first' }).getByRole('button');
      await checkpoints.first().waitFor({ timeout: 30_000 });
      expect(await checkpoints.count()).toBeGreaterThanOrEqual(5);
      await checkpoints.nth(2).click();
      expect(await checkpoints.nth(2).getAttribute('aria-pressed')).toBe('true');
      await page.locator('.checkpoint-viewer').getByText(/changed since|Nothing changed/).waitFor({ timeout: 30_000 });
      await watched.screenshot('audit-checkpoint');

      // At phone width nothing overflows sideways.
      await page.setViewportSize({ width: 390, height: 844 });
      await page.goto(`${gateway}/console/approvals`);
      await page.getByRole('heading', { name: 'Approvals', level: 1 }).waitFor();
      expect(await page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth)).toBe(true);
      expect(await cutOff(page)).toEqual([]);
      await watched.screenshot('approvals-phone', { fullPage: false });

      // Signing out ends the session: the page goes back to sign-in and the cookie is gone.
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByRole('heading', { name: 'Sign in to the console' }).waitFor();
      expect(await context.cookies()).toEqual([]);
      expect(errors).toEqual([]);
    });
  }, 180_000);

  it('a rejection in the page ends the conversation handed off to a human, with the comment recorded', async () => {
    await withPage('reject-refund', async (watched) => {
      const { page, errors } = watched;
      await signInWithKey(page, supervisorKey, '/console/approvals');
      await page.getByRole('heading', { name: 'Approvals', level: 1 }).waitFor();
      await page.getByRole('status').filter({ hasText: /^(Live|Refreshing every few seconds)$/ }).waitFor();

      const customer = { authorization: `Bearer ${await token({ sub: 'cust-42', role: 'customer' })}` };
      const submitted = await api('POST', '/v1/requests', customer, { message: REFUND });
      expect(submitted.status).toBe(202);
      const conversationId = String(submitted.json['conversationId']);

      const card = page.getByRole('article').filter({ hasText: conversationId });
      await card.waitFor({ timeout: 90_000 });
      await card.getByRole('textbox', { name: 'Comment (optional)' }).fill('The second charge was an authorisation that expired.');
      await card.getByRole('button', { name: 'Reject', exact: true }).click();
      const decided = page.getByRole('region', { name: 'Decided here' }).getByRole('article').filter({ hasText: conversationId });
      await decided.getByText('Rejected.').waitFor();
      await decided.locator('[data-status="HANDED_OFF"]').waitFor({ timeout: 90_000 });
      await watched.screenshot('approvals-rejected');

      const supervisor = { 'x-api-key': supervisorKey };
      const conversation = await api('GET', `/v1/conversations/${conversationId}`, supervisor);
      expect(conversation.json).toMatchObject({ status: 'HANDED_OFF', outcome: 'HANDED_OFF' });
      const approvals = await api('GET', '/v1/approvals?limit=500', supervisor);
      const approval = (approvals.json['approvals'] as { conversationId: string; status: string; decidedBy: string; comment: string | null }[]).find((entry) => entry.conversationId === conversationId);
      expect(approval).toMatchObject({ status: 'REJECTED', decidedBy: `apikey:${supervisorKeyId}`, comment: 'The second charge was an authorisation that expired.' });
      expect(errors).toEqual([]);
    });
  }, 180_000);

  it('the customer chat page gets its reply, then a refund waits for a supervisor and the approval arrives live', async () => {
    await withPage('customer-chat', async (watched) => {
      const { page, errors } = watched;
      await page.goto(`${gateway}/console/chat#token=${await token({ sub: 'cust-42', role: 'customer' })}`);
      const message = page.getByRole('textbox', { name: 'Your message' });
      await message.waitFor();
      // The token left the address bar; the page holds it in memory only.
      expect(new URL(page.url()).hash).toBe('');
      expect(await page.evaluate(() => [window.localStorage.length, window.sessionStorage.length, document.cookie])).toEqual([0, 0, '']);
      expect(await page.getByLabel('Writing as').innerText()).toContain('cust-42');

      await message.fill("How do I reset my password? I can't sign in.");
      await message.press('Enter');
      const answered = page.locator('.chat-turn[data-phase="done"]').first();
      await answered.waitFor({ timeout: 90_000 });
      expect(await answered.locator('.chat-reply').innerText()).toMatch(/password/i);
      await watched.screenshot('chat-answered');

      // A refund above the threshold, in a new conversation: reviewed, then approved by a supervisor (here through the API).
      await page.getByRole('button', { name: 'New conversation' }).click();
      await message.fill(REFUND);
      await message.press('Enter');
      await page.getByText('A supervisor is reviewing your request.').waitFor({ timeout: 90_000 });
      const supervisor = { 'x-api-key': supervisorKey };
      const conversations = await api('GET', '/v1/conversations?customerId=cust-42&status=AWAITING_APPROVAL&limit=50', supervisor);
      const listed = conversations.json['conversations'] as { conversationId: string; lastMessage: string | null }[];
      const waiting = listed.find((conversation) => conversation.lastMessage === REFUND);
      expect(waiting).toBeDefined();
      const approvals = await api('GET', '/v1/approvals?status=pending&limit=500', supervisor);
      const approval = (approvals.json['approvals'] as { approvalId: string; conversationId: string }[]).find((entry) => entry.conversationId === waiting?.conversationId);
      expect(approval).toBeDefined();
      expect((await api('POST', `/v1/approvals/${approval?.approvalId ?? ''}/decision`, supervisor, { decision: 'APPROVED', comment: 'checked the two captures' })).status).toBe(202);
      const done = page.locator('.chat-turn[data-phase="done"]').filter({ hasText: REFUND });
      await done.waitFor({ timeout: 90_000 });
      expect(await done.locator('[data-review="APPROVED"]').innerText()).toBe('A supervisor approved your request.');
      expect(await done.locator('.chat-reply').innerText()).toMatch(/49[.,]99/);
      // Nothing meant for staff reached the customer's page.
      const shown = await page.locator('main').innerText();
      for (const internal of ['checked the two captures', 'apikey:', 'For agents']) expect(shown).not.toContain(internal);

      await page.setViewportSize({ width: 390, height: 844 });
      expect(await page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth)).toBe(true);
      expect(await cutOff(page)).toEqual([]);
      await watched.screenshot('chat-phone', { fullPage: false });
      expect(errors).toEqual([]);
    });
  }, 240_000);

  it('an admin replays a dead letter from the page; the request it held is answered, and a second replay sends nothing', async () => {
    await withPage('dead-letter-replay', async (watched) => {
      const { page, errors } = watched;
      // A request the triage had given up on, written to the DLQ as the consumer runtime writes one.
      const context = sampleContext({ tenantId: TENANT });
      const event = sampleEvent('RequestReceived', context, { customerId: 'cust-42', message: 'How do I change the e-mail address of my account?', channel: 'WEB' });
      const codec = createTestCodec(stackConfig());
      const letters = createDeadLetterProducer(testKafka('console-e2e-dlq'));
      await letters.connect();
      const originalOffset = String(900_000 + Math.floor(Math.random() * 99_999));
      try {
        await letters.send(defaultDeadLetterTopic('customer.requests'), {
          topic: 'customer.requests',
          partition: 0,
          message: { key: Buffer.from(context.conversationId), value: await codec.encode(event), offset: originalOffset, timestamp: String(Date.now()), headers: { [HEADER.eventType]: 'RequestReceived' } },
          group: 'supportstream-triage',
          error: new TransientError('CRM_UNAVAILABLE', 'the CRM did not answer in time (5 attempts)'),
          attempts: 5,
          failedAt: new Date(),
        });
      } finally {
        await letters.disconnect();
      }

      await signInWithKey(page, adminKey, '/console/dead-letters');
      await page.getByRole('heading', { name: 'Dead letters', level: 1 }).waitFor();
      const record = page.getByRole('article', { name: `customer.requests partition 0 offset ${originalOffset}` });
      await record.waitFor({ timeout: 30_000 });
      expect(await record.innerText()).toContain('CRM_UNAVAILABLE');
      await record.getByRole('button', { name: `Replay customer.requests 0:${originalOffset}` }).click();
      const dialog = page.getByRole('dialog', { name: 'Replay this dead letter?' });
      await dialog.getByRole('button', { name: 'Replay to customer.requests' }).click();
      await record.getByRole('status').filter({ hasText: /Replayed to customer\.requests@\d+:\d+/ }).waitFor({ timeout: 30_000 });
      await watched.screenshot('dead-letter-replayed');

      // The replayed request runs through the platform like any other.
      await waitFor(async () => (await api('GET', `/v1/conversations/${context.conversationId}`, { 'x-api-key': adminKey })).json['status'] === 'RESOLVED', { timeoutMs: 90_000, description: 'the replayed request answered' });

      // Replaying again is answered from the ledger: nothing is sent.
      await record.getByRole('button', { name: `Replay customer.requests 0:${originalOffset}` }).click();
      await dialog.getByRole('button', { name: 'Replay to customer.requests' }).click();
      await record.getByRole('status').filter({ hasText: 'Already replayed: nothing was sent now' }).waitFor({ timeout: 30_000 });
      const events = await api('GET', `/v1/conversations/${context.conversationId}/events?limit=500`, { 'x-api-key': adminKey });
      expect((events.json['events'] as { type: string }[]).filter((entry) => entry.type === 'RequestReceived')).toHaveLength(1);
      expect(errors).toEqual([]);
    });
  }, 180_000);

  it('the Overview shows rates, cost and the queue with charts, lag and dead letters for an admin, and fits a phone', async () => {
    await withPage('overview', async (watched) => {
      const { page, errors } = watched;
      await signInWithKey(page, adminKey, '/console/overview');
      await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
      // Earlier tests of this file finished conversations in this tenant within the hour.
      await page.locator('.recharts-surface').first().waitFor({ timeout: 30_000 });
      const text = await page.locator('main').innerText();
      expect(text).toMatch(/Resolution rate/i);
      expect(text).toMatch(/Consumer lag/i);
      expect(text).toContain('supportstream-triage');
      await watched.screenshot('overview');
      await page.setViewportSize({ width: 390, height: 844 });
      expect(await page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth)).toBe(true);
      expect(await cutOff(page)).toEqual([]);
      await watched.screenshot('overview-phone', { fullPage: false });
      expect(errors).toEqual([]);
    });
  }, 120_000);
});

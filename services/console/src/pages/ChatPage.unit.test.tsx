// @vitest-environment happy-dom
import { cleanup, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter } from 'react-router';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Providers } from '../App.js';
import { ChatPage } from './ChatPage.js';

// An in-memory gateway behind fetch: POST /v1/requests, GET the conversation, and its SSE stream,
// whose frames the test writes as the platform would.
interface Call {
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly credentials: RequestCredentials | undefined;
  readonly body: unknown;
}

const base64Url = (value: unknown) => btoa(JSON.stringify(value)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
/** A JWT as the CLI mints it (the page never verifies the signature; the gateway does). */
const jwt = (claims: Record<string, unknown>) => `${base64Url({ alg: 'HS256', typ: 'JWT' })}.${base64Url(claims)}.c2lnbmF0dXJl`;
const inAnHour = () => Math.floor(Date.now() / 1000) + 3600;
const customerToken = () => jwt({ sub: 'cust-42', tenant_id: 'demo-tenant', role: 'customer', exp: inAnHour() });

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
const failure = (status: number, code: string, message: string) => json(status, { error: { code, message, requestId: 'r' } });

let calls: Call[];
let stream: ReadableStreamDefaultController<string> | undefined;
let seq: number;
let requests: number;
let lists: number;
/** What POST /v1/requests answers (default: accepted). */
let postAnswer: (() => Response) | undefined;

function event(type: string, requestId: string, data: Record<string, unknown>) {
  seq += 1;
  const view = { seq: String(seq), eventId: `evt-${seq}`, type, topic: 't', partition: 0, offset: String(seq), occurredAt: new Date().toISOString(), producer: 'test', requestId, correlationId: requestId, causationId: null, schemaId: 1, summary: type, data };
  stream?.enqueue(`id: ${seq}\nevent: ${type}\ndata: ${JSON.stringify(view)}\n\n`);
}

beforeEach(() => {
  calls = [];
  stream = undefined;
  seq = 0;
  requests = 0;
  lists = 0;
  postAnswer = undefined;
  window.history.replaceState(null, '', '/console/chat');
  vi.stubGlobal('fetch', (input: string, init: RequestInit = {}) => {
    const method = init.method ?? 'GET';
    const body = typeof init.body === 'string' ? (JSON.parse(init.body) as unknown) : undefined;
    calls.push({ method, path: input, headers: (init.headers ?? {}) as Record<string, string>, credentials: init.credentials, body });
    if (method === 'POST' && input === '/v1/requests') {
      if (postAnswer !== undefined) return Promise.resolve(postAnswer());
      requests += 1;
      return Promise.resolve(json(202, { conversationId: 'conv-1', requestId: `req-${requests}`, eventId: `evt-req-${requests}` }));
    }
    // The read model learns of the conversation a moment after the POST: not in the first list.
    if (input === '/v1/conversations?limit=50') {
      lists += 1;
      return Promise.resolve(json(200, { conversations: lists === 1 ? [] : [{ conversationId: 'conv-1', status: 'RECEIVED' }], nextAfter: null }));
    }
    if (input === '/v1/conversations/conv-1/stream') {
      const body = new ReadableStream<string>({
        start(controller) {
          stream = controller;
          controller.enqueue('retry: 3000\n\n');
        },
      }).pipeThrough(new TextEncoderStream());
      return Promise.resolve(new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream' } }));
    }
    return Promise.resolve(failure(404, 'NOT_FOUND', `no route ${method} ${input}`));
  });
});

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const renderPage = () =>
  render(
    <Providers>
      <MemoryRouter initialEntries={['/chat']}>
        <ChatPage />
      </MemoryRouter>
    </Providers>,
  );

const conversation = () => screen.getByRole('log', { name: 'Conversation' });

describe('the customer chat', () => {
  it('takes the token from the fragment, out of the address bar, and shows who writes', async () => {
    const token = customerToken();
    window.history.replaceState(null, '', `/console/chat#token=${token}`);
    renderPage();
    expect(within(screen.getByLabelText('Writing as')).getByText('cust-42')).toBeTruthy();
    expect(within(screen.getByLabelText('Writing as')).getByText('demo-tenant')).toBeTruthy();
    await waitFor(() => expect(window.location.hash).toBe(''));
    expect(window.location.href).not.toContain(token);
    expect(window.location.pathname).toBe('/console/chat');
    // Nothing kept in the browser's storage either.
    expect(window.localStorage.length).toBe(0);
    expect(window.sessionStorage.length).toBe(0);
    expect(screen.getByLabelText('Your message')).toBeTruthy();
    expect(screen.getByText(/No messages yet/)).toBeTruthy();
  });

  it('sends with the bearer token, follows the stream, and shows the steps and then the reply; a follow-up continues the conversation', async () => {
    const token = customerToken();
    window.history.replaceState(null, '', `/console/chat#token=${token}`);
    const user = userEvent.setup();
    renderPage();
    await user.type(screen.getByLabelText('Your message'), 'How do I reset my password?{Shift>}{Enter}{/Shift}Thanks');
    expect(screen.getByLabelText<HTMLTextAreaElement>('Your message').value).toBe('How do I reset my password?\nThanks');
    await user.keyboard('{Enter}');

    await waitFor(() => expect(stream).toBeDefined());
    const post = calls.find((call) => call.method === 'POST');
    expect(post?.headers['authorization']).toBe(`Bearer ${token}`);
    expect(post?.headers['X-SupportStream-CSRF']).toBeUndefined();
    expect(post?.headers['Idempotency-Key']).toMatch(/^chat-[0-9a-f]{32}$/);
    expect(post?.credentials).toBe('omit');
    expect(post?.body).toMatchObject({ message: 'How do I reset my password?\nThanks', channel: 'CHAT' });
    expect(post?.body).not.toHaveProperty('conversationId');
    // Every call carries the bearer token and no cookie.
    for (const call of calls) {
      expect(call.headers['authorization']).toBe(`Bearer ${token}`);
      expect(call.credentials).toBe('omit');
    }
    expect(calls.map((call) => `${call.method} ${call.path}`)).toEqual(['POST /v1/requests', 'GET /v1/conversations?limit=50', 'GET /v1/conversations?limit=50', 'GET /v1/conversations/conv-1/stream']);
    expect(screen.getByLabelText<HTMLTextAreaElement>('Your message').value).toBe('');
    await screen.findByText('Live');

    event('RequestReceived', 'req-1', { message: 'How do I reset my password?\nThanks' });
    event('AgentStepCompleted', 'req-1', { node: 'moderate', next: 'triage' });
    event('AgentStepCompleted', 'req-1', { node: 'triage', next: 'research' });
    await within(conversation()).findByText('Researching…');
    expect(within(conversation()).getByText('Triaging')).toBeTruthy();
    event('AgentStepCompleted', 'req-1', { node: 'research', next: 'solution' });
    await within(conversation()).findByText('Drafting a reply…');
    event('AgentStepCompleted', 'req-1', { node: 'solution', next: 'quality' });
    event('AgentStepCompleted', 'req-1', { node: 'quality', next: 'respond' });
    event('AgentStepCompleted', 'req-1', { node: 'respond', next: null });
    event('RunCompleted', 'req-1', { outcome: 'RESOLVED', finalReply: 'Open Settings, then choose "Reset password".', citations: [{ sourceId: 'kb-1', title: 'Resetting your password' }] });
    event('ReplyReady', 'req-1', { body: 'Open Settings, then choose "Reset password".', citations: [] });
    await within(conversation()).findByText('Open Settings, then choose "Reset password".');
    expect(within(conversation()).getByText('Sources: Resetting your password')).toBeTruthy();
    expect(within(conversation()).queryByText('Drafting a reply…')).toBeNull();

    await user.type(screen.getByLabelText('Your message'), 'And my username?');
    await user.click(screen.getByRole('button', { name: 'Send' }));
    await waitFor(() => expect(calls.filter((call) => call.method === 'POST')).toHaveLength(2));
    expect(calls.filter((call) => call.method === 'POST')[1]?.body).toMatchObject({ message: 'And my username?', conversationId: 'conv-1' });
    // The one stream goes on: no second one is opened.
    expect(calls.filter((call) => call.path.endsWith('/stream'))).toHaveLength(1);
    event('RequestReceived', 'req-2', { message: 'And my username?' });
    await within(conversation()).findByText('Received. Triaging…');
    expect(within(conversation()).getAllByRole('listitem').filter((item) => item.classList.contains('chat-turn'))).toHaveLength(2);
  });

  it('says a supervisor is reviewing a request that waits for one, then shows the decision and the reply', async () => {
    window.history.replaceState(null, '', `/console/chat#token=${customerToken()}`);
    const user = userEvent.setup();
    renderPage();
    await user.click(screen.getByRole('button', { name: /charged twice for order 1001/ }));
    expect(screen.getByLabelText<HTMLTextAreaElement>('Your message').value).toMatch(/^I was charged twice/);
    await user.keyboard('{Enter}');
    await waitFor(() => expect(stream).toBeDefined());
    event('RequestReceived', 'req-1', { message: 'I was charged twice for order 1001.' });
    event('AgentStepCompleted', 'req-1', { node: 'quality', next: 'escalate' });
    event('ApprovalRequested', 'req-1', { approvalId: 'appr-1', proposedReply: 'We refunded €49.99.' });
    await within(conversation()).findByText('A supervisor is reviewing your request.');
    // What the agents proposed is not shown before a supervisor decides.
    expect(within(conversation()).queryByText(/We refunded/)).toBeNull();
    event('ApprovalDecided', 'req-1', { approvalId: 'appr-1', decision: 'APPROVED' });
    event('AgentStepCompleted', 'req-1', { node: 'escalate', next: 'respond', output: '{"approvalId":"appr-1","decision":"APPROVED"}' });
    event('AgentStepCompleted', 'req-1', { node: 'respond', next: null });
    event('RunCompleted', 'req-1', { outcome: 'RESOLVED_AFTER_APPROVAL', finalReply: 'We refunded €49.99.', citations: [] });
    await within(conversation()).findByText('We refunded €49.99.');
    expect(within(conversation()).getByText('A supervisor approved your request.')).toBeTruthy();
    expect(within(conversation()).queryByText('A supervisor is reviewing your request.')).toBeNull();
  });

  it('on a 401 asks for a new token, keeps the message, and goes on with the new token', async () => {
    window.history.replaceState(null, '', `/console/chat#token=${customerToken()}`);
    postAnswer = () => failure(401, 'UNAUTHENTICATED', 'the token has expired');
    const user = userEvent.setup();
    renderPage();
    await user.type(screen.getByLabelText('Your message'), 'Where is order 1003?{Enter}');
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('Your token has expired. Ask for a new one and paste it here to go on.');
    expect(screen.queryByLabelText('Your message')).toBeNull();
    expect(screen.queryByRole('log')).toBeNull();

    postAnswer = undefined;
    const fresh = customerToken();
    await user.click(screen.getByLabelText('Customer token (JWT)'));
    await user.paste(fresh);
    await user.click(screen.getByRole('button', { name: 'Start chatting' }));
    // The message is still there, to send again.
    expect(screen.getByLabelText<HTMLTextAreaElement>('Your message').value).toBe('Where is order 1003?');
    await user.click(screen.getByRole('button', { name: 'Send' }));
    await waitFor(() => expect(calls.filter((call) => call.method === 'POST')).toHaveLength(2));
    const [first, second] = calls.filter((call) => call.method === 'POST');
    expect(second?.headers['authorization']).toBe(`Bearer ${fresh}`);
    // The same text again is the same request for the gateway (a first attempt may have got through).
    expect(second?.headers['Idempotency-Key']).toBe(first?.headers['Idempotency-Key']);
  });

  it('refuses, before asking the gateway, a token that is not a customer’s or has expired', async () => {
    window.history.replaceState(null, '', `/console/chat#token=${jwt({ sub: 'cust-42', tenant_id: 'demo-tenant', role: 'customer', exp: Math.floor(Date.now() / 1000) - 60 })}`);
    const user = userEvent.setup();
    renderPage();
    expect((await screen.findByRole('alert')).textContent).toContain('This token has expired. Ask for a new one');
    await waitFor(() => expect(window.location.hash).toBe(''));
    await user.click(screen.getByLabelText('Customer token (JWT)'));
    await user.paste(jwt({ sub: 'alice', tenant_id: 'demo-tenant', role: 'supervisor', exp: inAnHour() }));
    await user.click(screen.getByRole('button', { name: 'Start chatting' }));
    expect(screen.getByRole('alert').textContent).toContain('This token is for the supervisor role. The chat is for customers');
    await user.clear(screen.getByLabelText('Customer token (JWT)'));
    await user.click(screen.getByLabelText('Customer token (JWT)'));
    await user.paste('sk_0123456789abcdef_secret');
    await user.click(screen.getByRole('button', { name: 'Start chatting' }));
    expect(screen.getByRole('alert').textContent).toContain('That is an API key');
    expect(calls).toEqual([]);
  });

  it('without a token, asks for one and says where to get it', () => {
    renderPage();
    expect(screen.getByLabelText('Customer token (JWT)')).toBeTruthy();
    expect(screen.getByText(/supportstream tokens customer --tenant demo-tenant --customer cust-42/)).toBeTruthy();
    expect(screen.getByRole('link', { name: 'console' }).getAttribute('href')).toBe('/sign-in');
    expect(calls).toEqual([]);
  });
});

import { useCallback, useEffect, useRef, useState } from 'react';
import { api, ApiError, isAbort } from '../api/client.js';
import { openEventStream } from '../api/eventStream.js';
import type { ConversationEvent } from '../api/types.js';
import { clearFragment, credentialProblem, decodeClaims, tokenFromFragment, type TokenClaims } from './token.js';
import { addPending, applyEvent, confirmSent, dropPending, emptyTranscript, type Transcript } from './transcript.js';

/** The answer of POST /v1/requests. */
interface RequestAccepted {
  readonly conversationId: string;
  readonly requestId: string;
  readonly eventId: string;
}

export interface Credential {
  readonly token: string;
  readonly claims: TokenClaims;
}

/** The live stream of the conversation: none yet, waiting for the read model, open, reconnecting, or given up. */
export type Connection = 'none' | 'starting' | 'live' | 'reconnecting' | 'lost';

export interface Chat {
  readonly credential: Credential | undefined;
  /** Why there is no usable credential (expired, refused, not a customer token). */
  readonly credentialError: string | undefined;
  readonly conversationId: string | undefined;
  readonly transcript: Transcript;
  readonly connection: Connection;
  /** Why the stream stopped or reconnects. */
  readonly connectionError: string | undefined;
  readonly sendError: string | undefined;
  readonly sending: boolean;
  /** Takes a pasted token; false (with credentialError set) when it cannot be used. */
  readonly takeToken: (token: string) => boolean;
  readonly forgetToken: () => void;
  /** Posts a message (a follow-up once a conversation exists); true once the gateway accepted it. */
  readonly send: (message: string) => Promise<boolean>;
  readonly newConversation: () => void;
}

/**
 * How often, and how long, to wait for a new conversation to reach the read model before following
 * it. The customer's own list is asked (always a 200) rather than the conversation (a 404 until
 * then, which the browser would log as an error each time).
 */
const PROJECTED_POLL_MS = 400;
const PROJECTED_MAX_TRIES = 75;
const LOCALE = /^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8}){0,4}$/;

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });

/** An Idempotency-Key: a retried send of the same text publishes the same event (and, for a first message, the same conversation). */
function randomKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return `chat-${Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('')}`;
}

const apiErrorOf = (error: unknown): ApiError => (error instanceof ApiError ? error : new ApiError(0, 'UNKNOWN', error instanceof Error ? error.message : String(error)));

/** The message for a refused token: an expired one asks for a new one; any other says what the gateway said. */
export function refusal(error: ApiError, claims: TokenClaims | undefined, now: number): string {
  const expired = /expired/i.test(error.message) || (claims?.expiresAt !== undefined && claims.expiresAt <= now);
  if (expired) return 'Your token has expired. Ask for a new one and paste it here to go on.';
  if (error.status === 403) return `This token cannot write here: ${error.message}.`;
  return `The gateway refused this token: ${error.message}. Paste a valid customer token.`;
}

/** Why a message was not sent, in plain words (a 401 is a credential problem, handled apart). */
function sendFailure(error: ApiError): string {
  if (error.status === 429) return `Too many messages at once: ${error.message}. Wait a moment, then send again.`;
  if (error.status === 404) return 'This conversation is not known yet; wait a moment and send again.';
  return `Your message was not sent: ${error.message}.`;
}

function readCredential(token: string, now: number): { credential?: Credential; problem?: string } {
  const claims = decodeClaims(token);
  const problem = credentialProblem(token, claims, now);
  if (problem !== undefined || claims === undefined) return { problem: problem ?? 'That is not a token.' };
  return { credential: { token, claims } };
}

/**
 * The customer chat's state: the token (memory only), the conversation, its transcript folded
 * from the conversation's event stream, and sending. The first message starts a conversation;
 * the later ones continue it (`conversationId` in the body), and the one stream shows them all.
 */
export function useChat(): Chat {
  const [initial] = useState(() => {
    const token = tokenFromFragment(window.location.hash);
    return token === undefined ? {} : readCredential(token, Date.now());
  });
  const [credential, setCredential] = useState<Credential | undefined>(initial.credential);
  const [credentialError, setCredentialError] = useState<string | undefined>(initial.problem);
  const [conversationId, setConversationId] = useState<string | undefined>();
  const [transcript, setTranscript] = useState<Transcript>(emptyTranscript);
  const [connection, setConnection] = useState<Connection>('none');
  const [connectionError, setConnectionError] = useState<string | undefined>();
  const [sendError, setSendError] = useState<string | undefined>();
  const [sending, setSending] = useState(false);
  const lastSeq = useRef('0');
  const owner = useRef<TokenClaims | undefined>(initial.credential?.claims);
  const pendingKey = useRef<{ text: string; key: string } | undefined>(undefined);
  const counter = useRef(0);

  useEffect(() => {
    lastSeq.current = transcript.lastSeq;
  }, [transcript.lastSeq]);

  const refuse = useCallback((error: ApiError, claims: TokenClaims | undefined) => {
    setCredential(undefined);
    setCredentialError(refusal(error, claims, Date.now()));
  }, []);

  const take = useCallback((token: string): boolean => {
    const read = readCredential(token.trim(), Date.now());
    if (read.credential === undefined) {
      setCredentialError(read.problem);
      return false;
    }
    const next = read.credential;
    // Another customer (or tenant): the conversation on the page is not theirs.
    const previous = owner.current;
    if (previous !== undefined && (previous.customerId !== next.claims.customerId || previous.tenantId !== next.claims.tenantId)) {
      setConversationId(undefined);
      setTranscript(emptyTranscript);
    }
    owner.current = next.claims;
    setCredential(next);
    setCredentialError(undefined);
    setSendError(undefined);
    return true;
  }, []);

  // The token is out of the address bar (and its history entry) as soon as it is read; a link
  // opened later in this tab (only the fragment changes) is taken the same way.
  useEffect(() => {
    clearFragment();
    const onHash = () => {
      const token = tokenFromFragment(window.location.hash);
      if (token === undefined) return;
      clearFragment();
      take(token);
    };
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, [take]);

  const token = credential?.token;
  const claims = credential?.claims;

  // Follow the conversation: once the read model knows it, its stream from where this page is.
  useEffect(() => {
    if (conversationId === undefined || token === undefined) return undefined;
    const controller = new AbortController();
    let close: (() => void) | undefined;
    const path = `/v1/conversations/${encodeURIComponent(conversationId)}`;
    const follow = async () => {
      setConnection('starting');
      setConnectionError(undefined);
      for (let attempt = 1; ; attempt += 1) {
        let failure: ApiError | undefined;
        try {
          // Last activity first: a conversation just written to is at the top.
          const page = await api.get<{ conversations: readonly { conversationId: string }[] }>('/v1/conversations?limit=50', { bearer: token, signal: controller.signal });
          if (page.conversations.some((known) => known.conversationId === conversationId)) break;
        } catch (error) {
          if (isAbort(error) || controller.signal.aborted) return;
          failure = apiErrorOf(error);
          if (failure.status === 401) {
            refuse(failure, claims);
            return;
          }
        }
        if (attempt >= PROJECTED_MAX_TRIES) {
          setConnection('lost');
          setConnectionError(failure?.message ?? 'Your message was received, but its conversation has not shown up yet: the platform may be busy. Send a message again in a moment.');
          return;
        }
        await sleep(PROJECTED_POLL_MS, controller.signal);
      }
      if (controller.signal.aborted) return;
      close = openEventStream({
        path: `${path}/stream`,
        bearer: token,
        lastEventId: lastSeq.current,
        onMessage: (message) => {
          let event: ConversationEvent;
          try {
            event = JSON.parse(message.data) as ConversationEvent;
          } catch {
            return;
          }
          setTranscript((current) => applyEvent(current, event));
        },
        onState: (state) => {
          switch (state.kind) {
            case 'connecting':
              break;
            case 'open':
              setConnection('live');
              setConnectionError(undefined);
              break;
            case 'retrying':
              setConnection('reconnecting');
              setConnectionError(state.error.message);
              break;
            case 'unsupported':
              setConnection('lost');
              setConnectionError('This gateway cannot stream the conversation.');
              break;
            case 'closed':
              if (state.error?.status === 401) {
                refuse(state.error, claims);
                return;
              }
              setConnection('lost');
              setConnectionError(state.error?.message ?? 'The live updates stopped.');
              break;
            default: {
              const unknown: never = state;
              return unknown;
            }
          }
        },
      });
    };
    void follow();
    return () => {
      controller.abort();
      close?.();
    };
  }, [conversationId, token, claims, refuse]);

  const send = useCallback(
    async (text: string): Promise<boolean> => {
      const message = text.trim();
      if (token === undefined || message === '' || sending) return false;
      if (claims?.expiresAt !== undefined && claims.expiresAt <= Date.now()) {
        refuse(new ApiError(401, 'UNAUTHENTICATED', 'the token has expired'), claims);
        return false;
      }
      // The same text sent again after a failure keeps its key: if the first attempt did reach
      // the gateway, the retry is the same event, not a second message.
      if (pendingKey.current?.text !== message) pendingKey.current = { text: message, key: randomKey() };
      const idempotencyKey = pendingKey.current.key;
      counter.current += 1;
      const key = `sent-${counter.current}`;
      setSending(true);
      setSendError(undefined);
      setTranscript((current) => addPending(current, key, message, new Date().toISOString()));
      const locale = typeof navigator === 'undefined' ? undefined : navigator.language;
      try {
        const accepted = await api.post<RequestAccepted>(
          '/v1/requests',
          { message, channel: 'CHAT', ...(conversationId === undefined ? {} : { conversationId }), ...(locale !== undefined && LOCALE.test(locale) ? { locale } : {}) },
          { bearer: token, headers: { 'Idempotency-Key': idempotencyKey } },
        );
        pendingKey.current = undefined;
        setTranscript((current) => confirmSent(current, key, accepted.requestId));
        setConversationId(accepted.conversationId);
        return true;
      } catch (error) {
        setTranscript((current) => dropPending(current, key));
        const failure = apiErrorOf(error);
        if (failure.status === 401) refuse(failure, claims);
        else setSendError(sendFailure(failure));
        return false;
      } finally {
        setSending(false);
      }
    },
    [token, claims, conversationId, sending, refuse],
  );

  const forgetToken = useCallback(() => {
    owner.current = undefined;
    setCredential(undefined);
    setCredentialError(undefined);
    setConversationId(undefined);
    setTranscript(emptyTranscript);
    setSendError(undefined);
  }, []);

  const newConversation = useCallback(() => {
    setConversationId(undefined);
    setTranscript(emptyTranscript);
    setSendError(undefined);
    setConnectionError(undefined);
  }, []);

  const following = conversationId !== undefined && token !== undefined;
  return { credential, credentialError, conversationId, transcript, connection: following ? connection : 'none', connectionError: following ? connectionError : undefined, sendError, sending, takeToken: take, forgetToken, send, newConversation };
}

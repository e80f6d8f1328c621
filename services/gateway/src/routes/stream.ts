import type { Logger } from '@supportstream/observability';
import type { ConversationEventView, ReadModel } from '@supportstream/projections';
import type { Request, RequestHandler, Response } from 'express';
import { z } from 'zod';
import { principalOf } from '../auth/principal.js';
import { HttpError, validationError } from '../httpErrors.js';
import { eventFor } from '../personalData.js';
import type { GatewayMetrics } from '../httpMetrics.js';
import type { ConversationChanges } from '../liveChanges.js';
import { clampSeq, conversationIdParam, SEQ, visibleConversation } from './conversations.js';
import { ID_PATTERN } from './requests.js';

export interface StreamOptions {
  readonly readModel: ReadModel;
  readonly changes: ConversationChanges;
  readonly metrics: GatewayMetrics;
  readonly maxStreamsPerCredential: number;
  readonly heartbeatMs: number;
}

export interface Streams {
  readonly handler: RequestHandler;
  /** Ends every open stream (shutdown); clients reconnect elsewhere with Last-Event-ID. */
  closeAll(): void;
}

const streamQuery = z.strictObject({ lastEventId: z.string().max(200).optional() });
const EVENT_ID = new RegExp(ID_PATTERN);
const PAGE = 200;

export const sseFrame = (event: ConversationEventView): string => `id: ${event.seq}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;

/** Where to resume: after a seq, or after the event with this id; absent: from the beginning. */
async function resumePoint(req: Request, readModel: ReadModel, tenantId: string, conversationId: string): Promise<string> {
  const query = streamQuery.safeParse(req.query);
  if (!query.success) throw validationError(query.error, 'query');
  const raw = (req.get('Last-Event-ID') ?? query.data.lastEventId)?.trim();
  if (raw === undefined || raw === '') return '0';
  if (SEQ.test(raw)) return clampSeq(raw);
  const seq = EVENT_ID.test(raw) ? await readModel.seqOfEvent(tenantId, conversationId, raw) : undefined;
  if (seq === undefined) throw new HttpError(400, 'INVALID_LAST_EVENT_ID', 'Last-Event-ID is neither a seq nor the id of an event of this conversation');
  return seq;
}

/** Writes an SSE chunk, waiting for the socket to drain (or close) when its buffer is full. */
export function write(res: Response, chunk: string): Promise<void> {
  if (res.writableEnded || res.destroyed || res.write(chunk)) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

/**
 * Turns a response into a server-sent event stream: no socket timeout, the SSE headers (no
 * caching, no proxy buffering), and a 3 s reconnect delay for the client.
 */
export function beginEventStream(req: Request, res: Response): void {
  req.socket.setTimeout(0);
  res.status(200);
  res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
  res.setHeader('Cache-Control', 'no-cache, no-store, no-transform');
  res.setHeader('Connection', 'keep-alive');
  res.setHeader('X-Accel-Buffering', 'no');
  res.flushHeaders();
  res.write('retry: 3000\n\n');
}

/**
 * GET /v1/conversations/:id/stream: the events after Last-Event-ID, then live ones as the
 * projector commits them. A stream wakes on a NOTIFY for its conversation (or on every
 * conversation after the LISTEN connection was lost, see liveChanges.ts) and reads what follows
 * the last seq it sent, one reader at a time. Heartbeats only write: a re-read on every heartbeat
 * of every stream was one query per stream per interval (667/s for 10,000 streams at 15 s), and
 * it exhausted the pool (bench/GATEWAY_RESULTS.md).
 */
export function createStreams(options: StreamOptions): Streams {
  const openPerCredential = new Map<string, number>();
  const open = new Set<Response>();

  const handler: RequestHandler = async (req, res) => {
    const principal = principalOf(res);
    const logger = res.locals['logger'] as Logger;
    const conversation = await visibleConversation(options.readModel, principal, conversationIdParam(req.params));
    let lastSeq = await resumePoint(req, options.readModel, principal.tenantId, conversation.conversationId);

    const count = openPerCredential.get(principal.credentialId) ?? 0;
    if (count >= options.maxStreamsPerCredential) {
      options.metrics.rateLimited.inc({ kind: 'streams' });
      throw new HttpError(429, 'TOO_MANY_STREAMS', `at most ${options.maxStreamsPerCredential} open streams per credential; close one first`, { headers: { 'Retry-After': '5' } });
    }
    openPerCredential.set(principal.credentialId, count + 1);
    let closed = false;
    let unsubscribe: (() => void) | undefined;
    const timers: { heartbeat?: NodeJS.Timeout } = {};
    const release = () => {
      if (closed) return;
      closed = true;
      clearInterval(timers.heartbeat);
      unsubscribe?.();
      open.delete(res);
      const left = (openPerCredential.get(principal.credentialId) ?? 1) - 1;
      if (left <= 0) openPerCredential.delete(principal.credentialId);
      else openPerCredential.set(principal.credentialId, left);
      options.metrics.openStreams.dec();
    };
    options.metrics.openStreams.inc();
    res.on('close', release);

    let pumping = false;
    let again = false;
    const pump = async (): Promise<void> => {
      if (pumping) {
        again = true;
        return;
      }
      pumping = true;
      try {
        do {
          again = false;
          for (;;) {
            if (closed) return;
            const page = await options.readModel.listEvents(principal.tenantId, conversation.conversationId, { afterSeq: lastSeq, limit: PAGE });
            for (const event of page.events) {
              if (closed) return;
              const visible = eventFor(principal, event);
              if (visible !== undefined) await write(res, sseFrame(visible));
              lastSeq = event.seq;
            }
            if (page.nextAfterSeq === null) break;
          }
        } while (again);
      } finally {
        pumping = false;
      }
    };
    const wake = () => {
      pump().catch((error: unknown) => {
        // The client reconnects with Last-Event-ID and loses nothing.
        logger.warn({ err: error }, 'stream read failed; closing the stream');
        if (!res.writableEnded) res.end();
      });
    };

    try {
      // Listen before the first read, so an event committed in between is announced, not lost.
      unsubscribe = await options.changes.subscribe(conversation.conversationId, wake);
    } catch (error) {
      release();
      throw new HttpError(503, 'UNAVAILABLE', 'live updates are unavailable right now; retry shortly', { headers: { 'Retry-After': '5' }, cause: error });
    }
    if (closed) {
      unsubscribe();
      return;
    }
    open.add(res);
    beginEventStream(req, res);
    timers.heartbeat = setInterval(() => {
      if (closed || res.writableEnded) return;
      res.write(': heartbeat\n\n');
    }, options.heartbeatMs);
    timers.heartbeat.unref();
    wake();
  };

  return {
    handler,
    closeAll() {
      for (const res of open) if (!res.writableEnded) res.end();
    },
  };
}

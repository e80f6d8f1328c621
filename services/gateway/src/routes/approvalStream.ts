import { createHash } from 'node:crypto';
import type { Logger } from '@supportstream/observability';
import type { ApprovalView, ReadModel } from '@supportstream/projections';
import type { RequestHandler, Response } from 'express';
import { z } from 'zod';
import { principalOf, type Principal } from '../auth/principal.js';
import { HttpError, validationError } from '../httpErrors.js';
import type { GatewayMetrics } from '../httpMetrics.js';
import type { ConversationChanges } from '../liveChanges.js';
import { viewFor } from '../personalData.js';
import { beginEventStream, write } from './stream.js';
import type { Streams } from './stream.js';

export interface ApprovalStreamOptions {
  readonly readModel: ReadModel;
  readonly changes: ConversationChanges;
  readonly metrics: GatewayMetrics;
  readonly maxStreamsPerCredential: number;
  readonly heartbeatMs: number;
  /** Pause between two reads of one stream, so a burst of projected batches costs one read. */
  readonly minIntervalMs?: number;
  readonly now?: () => number;
}

/** The oldest pending approvals a snapshot sends; more are announced as the oldest ones close. */
export const QUEUE_LIMIT = 200;
/** An approval closed this recently (by its decision's time) that the stream never sent is still news. */
const RECENT_CLOSE_MS = 5 * 60_000;
const REMEMBERED_CLOSED = 1_000;

const streamQuery = z.strictObject({ lastEventId: z.string().max(200).optional() });

export type ApprovalChange = 'requested' | 'decided' | 'expired';

/**
 * The queue version: a digest of the pending approval ids the client holds after a message. It is
 * each message's SSE id, so a reconnect whose Last-Event-ID equals the current queue's version has
 * nothing to catch up on and gets no snapshot.
 */
export function queueVersion(pendingIds: Iterable<string>): string {
  return createHash('sha256')
    .update([...pendingIds].sort().join('\n'))
    .digest('base64url')
    .slice(0, 22);
}

const frame = (event: string, id: string, data: unknown): string => `id: ${id}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`;

/** What one stream has told its client: the pending queue, and the closed approvals it announced or passed over. */
class QueueState {
  readonly pending = new Map<string, ApprovalView>();
  private readonly closed = new Set<string>();

  constructor(private readonly now: () => number) {}

  version(): string {
    return queueVersion(this.pending.keys());
  }

  /** Replaces the queue (a snapshot). */
  reset(approvals: readonly ApprovalView[]): void {
    this.pending.clear();
    for (const approval of approvals) this.pending.set(approval.approvalId, approval);
  }

  /** The change a row is to the client, if any, applied to the queue. */
  apply(approval: ApprovalView): ApprovalChange | undefined {
    const known = this.pending.has(approval.approvalId);
    if (approval.status === 'PENDING') {
      if (known || this.closed.has(approval.approvalId)) return undefined;
      this.pending.set(approval.approvalId, approval);
      return 'requested';
    }
    if (this.closed.has(approval.approvalId)) return undefined;
    this.rememberClosed(approval.approvalId);
    this.pending.delete(approval.approvalId);
    // Never sent as pending (requested and closed between two reads): news only if it just closed.
    if (!known && !(approval.decidedAt !== null && this.now() - Date.parse(approval.decidedAt) <= RECENT_CLOSE_MS)) return undefined;
    return approval.status === 'EXPIRED' ? 'expired' : 'decided';
  }

  private rememberClosed(approvalId: string): void {
    this.closed.add(approvalId);
    if (this.closed.size > REMEMBERED_CLOSED) this.closed.delete(this.closed.values().next().value ?? approvalId);
  }
}

/**
 * GET /v1/approvals/stream: the tenant's live approval queue. It sends the pending approvals now
 * (`snapshot`), then each change as the projector commits it (`requested`, `decided`, `expired`).
 * It listens to the same NOTIFY as the conversation streams: on a notification it re-reads the
 * approvals of the conversations named there (by index), and on each heartbeat, or after the
 * listener reconnected, the whole pending queue, so a lost notification delays a change by one
 * heartbeat at most.
 */
export function createApprovalStreams(options: ApprovalStreamOptions): Streams {
  const openPerCredential = new Map<string, number>();
  const open = new Set<Response>();
  const now = options.now ?? Date.now;
  const minIntervalMs = options.minIntervalMs ?? 50;

  /** The pending queue as the read model has it, plus what became of the approvals the client holds. */
  async function readQueue(principal: Principal, state: QueueState | undefined): Promise<{ pending: ApprovalView[]; truncated: boolean; others: readonly ApprovalView[] }> {
    const rows = await options.readModel.listApprovals(principal.tenantId, { status: 'PENDING', limit: QUEUE_LIMIT + 1 });
    const pending = rows.slice(0, QUEUE_LIMIT);
    const listed = new Set(pending.map((approval) => approval.approvalId));
    const held = state === undefined ? [] : [...state.pending.keys()].filter((id) => !listed.has(id));
    return { pending, truncated: rows.length > QUEUE_LIMIT, others: await options.readModel.approvalsById(principal.tenantId, held) };
  }

  const handler: RequestHandler = async (req, res) => {
    const principal = principalOf(res);
    const logger = res.locals['logger'] as Logger;
    const query = streamQuery.safeParse(req.query);
    if (!query.success) throw validationError(query.error, 'query');
    const lastEventId = (req.get('Last-Event-ID') ?? query.data.lastEventId)?.trim();

    const count = openPerCredential.get(principal.credentialId) ?? 0;
    if (count >= options.maxStreamsPerCredential) {
      options.metrics.rateLimited.inc({ kind: 'streams' });
      throw new HttpError(429, 'TOO_MANY_STREAMS', `at most ${options.maxStreamsPerCredential} open approval streams per credential; close one first`, { headers: { 'Retry-After': '5' } });
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

    const state = new QueueState(now);
    let started = false;
    let full = true;
    const dirty = new Set<string>();

    const send = async (event: string, data: unknown) => {
      if (!closed) await write(res, frame(event, state.version(), viewFor(principal, data)));
    };
    const announce = async (approvals: readonly ApprovalView[]) => {
      for (const approval of approvals) {
        const change = state.apply(approval);
        if (change !== undefined) await send(change, approval);
      }
    };
    const sync = async () => {
      if (!started) {
        // The first read is the snapshot; a client whose Last-Event-ID is this queue's version already holds it.
        full = false;
        dirty.clear();
        const { pending, truncated } = await readQueue(principal, undefined);
        state.reset(pending);
        started = true;
        if (lastEventId === state.version()) await write(res, ': resumed\n\n');
        else await send('snapshot', { approvals: pending, truncated });
        return;
      }
      const ids = [...dirty];
      dirty.clear();
      const changed = await options.readModel.approvalsOfConversations(principal.tenantId, ids);
      if (!full) {
        await announce(changed);
        return;
      }
      full = false;
      // Read after the changed conversations, so the queue's answer is the fresher one.
      const { pending, others } = await readQueue(principal, state);
      await announce([...changed, ...others, ...pending]);
    };

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
          if (closed) return;
          await sync();
          if (again && !closed) await new Promise((resolve) => setTimeout(resolve, minIntervalMs));
        } while (again || full || dirty.size > 0);
      } finally {
        pumping = false;
      }
    };
    const wake = () => {
      pump().catch((error: unknown) => {
        // The client reconnects with Last-Event-ID and gets the queue again.
        logger.warn({ err: error }, 'approval stream read failed; closing the stream');
        if (!res.writableEnded) res.end();
      });
    };

    try {
      // Listen before the first read, so an approval committed in between is announced, not lost.
      unsubscribe = await options.changes.subscribeAll((conversationIds) => {
        if (conversationIds === null) full = true;
        else for (const id of conversationIds) dirty.add(id);
        wake();
      });
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
      full = true;
      wake();
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

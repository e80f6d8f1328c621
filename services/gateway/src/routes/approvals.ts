import { ApprovalDecisionValues, type EventFactory, type EventContext } from '@supportstream/events';
import type { ReadModel } from '@supportstream/projections';
import type { RequestHandler } from 'express';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { principalOf } from '../auth/principal.js';
import { HttpError, notFound, validationError } from '../httpErrors.js';
import { viewFor } from '../personalData.js';
import type { Publish } from './publish.js';
import { ID_PATTERN } from './requests.js';

export const APPROVAL_STATUSES = ['PENDING', 'APPROVED', 'REJECTED', 'EDITED', 'EXPIRED'] as const;

export const approvalsQuery = z.strictObject({
  status: z
    .string()
    .transform((value) => value.toUpperCase())
    .pipe(z.enum(APPROVAL_STATUSES, { message: `must be one of ${APPROVAL_STATUSES.join(', ')} (any case)` }))
    .optional(),
  limit: z.coerce.number().int('must be an integer').min(1, 'must be at least 1').max(500, 'must be at most 500').default(100),
});

/** GET /v1/approvals?status=pending: the caller's tenant's approvals, oldest request first. */
export function listApprovals(readModel: ReadModel): RequestHandler {
  return async (req, res) => {
    const query = approvalsQuery.safeParse(req.query);
    if (!query.success) throw validationError(query.error, 'query');
    const principal = principalOf(res);
    const approvals = await readModel.listApprovals(principal.tenantId, { ...(query.data.status === undefined ? {} : { status: query.data.status }), limit: query.data.limit });
    res.json({ approvals: viewFor(principal, approvals) });
  };
}

export const decisionBody = z
  .strictObject({
    decision: z.enum(ApprovalDecisionValues),
    comment: z.string().max(2_000, 'must be at most 2000 characters').optional(),
    editedReply: z.string().min(1).max(10_000, 'must be at most 10000 characters').optional().meta({ description: 'The reply to send instead; required when decision is EDITED, refused otherwise.' }),
  })
  .superRefine((body, context) => {
    if (body.decision === 'EDITED' && body.editedReply === undefined) context.addIssue({ code: 'custom', path: ['editedReply'], message: 'is required when decision is EDITED' });
    if (body.decision !== 'EDITED' && body.editedReply !== undefined) context.addIssue({ code: 'custom', path: ['editedReply'], message: 'is only allowed when decision is EDITED' });
  });

export interface DecideDeps {
  readonly readModel: ReadModel;
  readonly events: EventFactory;
  readonly publish: Publish;
  readonly redis: Redis;
  /** How long a submitted decision blocks a second one while the read model catches up. */
  readonly decisionLockSeconds?: number;
}

/**
 * POST /v1/approvals/:id/decision → ApprovalDecided on human.approvals. Only a PENDING approval
 * can be decided (409 otherwise). The read model learns of the decision only after the projector
 * sees it, so a short Redis lock answers a second decision with 409 meanwhile; the pipeline
 * would refuse it anyway (first decision wins), but the supervisor should hear so now.
 */
export function decideApproval(deps: DecideDeps): RequestHandler {
  const lockSeconds = deps.decisionLockSeconds ?? 3_600;
  return async (req, res) => {
    const principal = principalOf(res);
    const approvalId = (req.params as Record<string, string | undefined>)['id'] ?? '';
    const parsed = decisionBody.safeParse(req.body ?? null);
    if (!parsed.success) throw validationError(parsed.error, 'body');
    if (!new RegExp(ID_PATTERN).test(approvalId)) throw notFound('approval');
    const approval = await deps.readModel.getApproval(principal.tenantId, approvalId);
    if (approval === undefined || approval.tenantId !== principal.tenantId) throw notFound('approval');
    if (approval.status !== 'PENDING') throw new HttpError(409, 'APPROVAL_NOT_PENDING', `approval ${approvalId} is ${approval.status}, not PENDING`);
    // The decision continues the ApprovalRequested event's conversation, request and correlation, and is caused by it.
    const request = await deps.readModel.approvalRequest(principal.tenantId, approvalId);
    if (request === undefined) throw new HttpError(409, 'APPROVAL_NOT_READY', `approval ${approvalId} has no projected request yet; retry shortly`);
    const context: EventContext = { conversationId: request.conversationId, requestId: request.requestId, tenantId: principal.tenantId, correlationId: request.correlationId, causationId: request.eventId, customerId: request.customerId };

    const lock = `supportstream:gateway:decision:${principal.tenantId}:${approvalId}`;
    let taken: string | null;
    try {
      taken = await deps.redis.set(lock, principal.subject, 'EX', lockSeconds, 'NX');
    } catch (error) {
      throw new HttpError(503, 'UNAVAILABLE', 'decisions are unavailable right now (Redis); retry shortly', { headers: { 'Retry-After': '5' }, cause: error });
    }
    if (taken !== 'OK') throw new HttpError(409, 'APPROVAL_NOT_PENDING', `a decision on approval ${approvalId} was already submitted`);
    const { decision, comment, editedReply } = parsed.data;
    const event = deps.events.create('ApprovalDecided', { approvalId, decision, decidedBy: principal.subject, comment: comment ?? null, editedReply: editedReply ?? null }, context);
    try {
      await deps.publish([event]);
    } catch (error) {
      await deps.redis.del(lock).catch(() => undefined);
      throw error;
    }
    res.status(202).json({ approvalId, decision, eventId: event.metadata.eventId });
  };
}

import { ChannelValues, CustomerTierValues, stableId, type EventFactory, type IdGenerator } from '@supportstream/events';
import type { ReadModel } from '@supportstream/projections';
import type { RequestHandler } from 'express';
import { z } from 'zod';
import { principalOf } from '../auth/principal.js';
import { forbidden, HttpError, notFound, validationError } from '../httpErrors.js';
import type { Publish } from './publish.js';

/** Conversation, customer and approval ids: plain, bounded, safe in URLs and logs. */
export const ID_PATTERN = '^[A-Za-z0-9._:@-]{1,200}$';
const id = (what: string) => z.string().regex(new RegExp(ID_PATTERN), `must be 1 to 200 letters, digits or . _ : @ - (${what})`);

const MAX_ATTRIBUTES = 32;

export const submitRequestBody = z
  .strictObject({
    message: z.string().min(1, 'must not be empty').max(10_000, 'must be at most 10000 characters').regex(/\S/, 'must not be blank').meta({ description: 'What the customer wrote.' }),
    customerId: id('customer id').optional().meta({ description: 'Required for service and admin callers; a customer may omit it (it is their token subject).' }),
    conversationId: id('conversation id').optional().meta({ description: "Continue this conversation (it must be the caller's, and already known to the read model)." }),
    subject: z.string().min(1).max(300, 'must be at most 300 characters').optional(),
    channel: z.enum(ChannelValues).default('API'),
    customerTier: z.enum(CustomerTierValues).optional().meta({ description: "Service and admin callers only. Default: the conversation's current tier, else STANDARD." }),
    locale: z
      .string()
      .regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8}){0,4}$/, 'must be a BCP 47 language tag such as en-GB')
      .optional(),
    attributes: z
      .record(z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'attribute names are 1 to 64 letters, digits or . _ -'), z.string().max(1_000, 'attribute values are at most 1000 characters'))
      .refine((value) => Object.keys(value).length <= MAX_ATTRIBUTES, `at most ${MAX_ATTRIBUTES} attributes`)
      .optional()
      .meta({ maxProperties: MAX_ATTRIBUTES }),
  });

/** 1 to 200 visible ASCII characters. */
export const IDEMPOTENCY_KEY_PATTERN = '^[\\x21-\\x7e]{1,200}$';
const IDEMPOTENCY_KEY = new RegExp(IDEMPOTENCY_KEY_PATTERN);

export interface SubmitRequestDeps {
  readonly readModel: ReadModel;
  readonly events: EventFactory;
  readonly publish: Publish;
  readonly ids: IdGenerator;
}

/**
 * POST /v1/requests → RequestReceived on customer.requests. The tenant is the caller's. With an
 * Idempotency-Key, the ids derive from (tenant, customer, key): a retried POST publishes the very
 * same event id, which consumers drop as a duplicate. (The customer is part of the derivation so
 * two customers of a tenant reusing a key cannot land in each other's conversation.)
 */
export function submitRequest(deps: SubmitRequestDeps): RequestHandler {
  return async (req, res) => {
    const principal = principalOf(res);
    const parsed = submitRequestBody.safeParse(req.body ?? null);
    if (!parsed.success) throw validationError(parsed.error, 'body');
    const body = parsed.data;

    let customerId: string;
    if (principal.role === 'customer') {
      if (body.customerId !== undefined && body.customerId !== principal.subject) throw forbidden('a customer submits requests only as themselves');
      if (body.customerTier !== undefined) throw forbidden('only service and admin callers may set customerTier');
      customerId = principal.subject;
    } else if (body.customerId === undefined) {
      throw new HttpError(400, 'VALIDATION_FAILED', 'invalid body: customerId: is required for service and admin callers', { details: { issues: [{ path: 'customerId', message: 'is required for service and admin callers' }] } });
    } else {
      customerId = body.customerId;
    }

    let tier = body.customerTier;
    if (body.conversationId !== undefined) {
      const conversation = await deps.readModel.getConversation(principal.tenantId, body.conversationId);
      if (conversation === undefined || (principal.role === 'customer' && conversation.customerId !== principal.subject)) throw notFound('conversation');
      tier ??= CustomerTierValues.find((value) => value === conversation.customerTier);
    }

    const key = req.get('Idempotency-Key');
    if (key !== undefined && !IDEMPOTENCY_KEY.test(key)) throw new HttpError(400, 'INVALID_IDEMPOTENCY_KEY', 'Idempotency-Key must be 1 to 200 visible ASCII characters');
    const derived = (purpose: string) => (key === undefined ? deps.ids() : stableId('gateway', purpose, principal.tenantId, customerId, key));
    const conversationId = body.conversationId ?? `conv-${derived('conversation')}`;
    const requestId = derived('request');
    const event = deps.events.create(
      'RequestReceived',
      {
        channel: body.channel,
        customerId,
        customerTier: tier ?? 'STANDARD',
        subject: body.subject ?? null,
        message: body.message,
        locale: body.locale ?? null,
        attributes: body.attributes ?? {},
      },
      { conversationId, requestId, tenantId: principal.tenantId, correlationId: requestId, causationId: null, customerId },
      derived('event'),
    );
    await deps.publish([event]);
    res
      .status(202)
      .location(`/v1/conversations/${encodeURIComponent(conversationId)}`)
      .json({ conversationId, requestId, eventId: event.metadata.eventId });
  };
}

import { z } from 'zod';

/**
 * The shapes agents exchange, as zod schemas: the model adapters validate structured outputs
 * against them and the graph state is typed by them, so each shape is written once.
 */
export const money = z.object({ amountMicros: z.number().int(), currency: z.string().regex(/^[A-Z]{3}$/) });
export type Money = z.infer<typeof money>;

export const customerTier = z.enum(['STANDARD', 'PREMIUM', 'VIP']);
export type CustomerTier = z.infer<typeof customerTier>;

export const moderation = z.object({
  verdict: z.enum(['allow', 'block']),
  categories: z.array(z.string()),
  reason: z.string(),
});
export type Moderation = z.infer<typeof moderation>;

const probability = z.number().min(0).max(1);

export const triageCategory = z.enum(['billing', 'refund', 'shipping', 'account', 'technical', 'legal', 'other']);
export const priority = z.enum(['low', 'normal', 'high', 'urgent']);
export const sentiment = z.enum(['positive', 'neutral', 'negative']);
export const triageDecision = z.object({
  category: triageCategory,
  priority,
  sentiment,
  /** BCP 47 primary language tag, e.g. `en`, `de`. */
  language: z.string().regex(/^[a-z]{2,3}$/, 'a BCP 47 primary language tag such as "en"'),
  /** Short snake_case intent, e.g. `request_refund`. */
  intent: z.string().regex(/^[a-z][a-z0-9_]*$/, 'a snake_case identifier'),
  confidence: probability,
  /** e.g. legal_threat, account_closure, refund_request, duplicate_charge */
  signals: z.array(z.string()),
  refundAmount: z.object({ amountMicros: z.number().int().nonnegative(), currency: z.string().regex(/^[A-Z]{3}$/) }).nullable(),
  orderId: z.string().nullable(),
});
export type TriageDecision = z.infer<typeof triageDecision>;

/**
 * Who a knowledge passage is written for. `customer` text may be quoted in a reply. `agent` text
 * (a `> **For agents:**` note in the article, see knowledge/README.md) is context for the agents'
 * decisions and never goes to the customer. A source without an audience (ingested before there
 * was one) is customer text.
 */
export const audience = z.enum(['customer', 'agent']);
export type Audience = z.infer<typeof audience>;

export const source = z.object({ id: z.string().min(1), title: z.string(), text: z.string(), score: z.number(), audience: audience.optional() });
export type Source = z.infer<typeof source>;

export const draftReply = z.object({
  reply: z.string(),
  /** Ids of the sources the reply actually uses. */
  citations: z.array(z.string()),
  confidence: probability,
});
export type DraftReply = z.infer<typeof draftReply>;

export const qualityReview = z.object({
  score: probability,
  issues: z.array(z.string()),
  verdict: z.enum(['pass', 'revise']),
});
export type QualityReview = z.infer<typeof qualityReview>;

export const proposedAction = z.object({
  kind: z.string(),
  description: z.string(),
  amount: money.nullable(),
  parameters: z.record(z.string(), z.string()),
});
export type ProposedAction = z.infer<typeof proposedAction>;

export type RiskLevel = 'LOW' | 'MEDIUM' | 'HIGH' | 'CRITICAL';
export type ApprovalDecision = 'APPROVED' | 'REJECTED' | 'EDITED' | 'EXPIRED';
export type RunOutcome = 'RESOLVED' | 'RESOLVED_AFTER_APPROVAL' | 'HANDED_OFF' | 'FALLBACK' | 'FAILED';

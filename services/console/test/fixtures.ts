// Fixtures of the console's component tests.
import type { Approval } from '../src/api/types.js';

/** An approval as GET /v1/approvals lists it: the offline provider's refund of a duplicate charge. */
export const sampleApproval = (approvalId: string, requestedAt: string, overrides: Partial<Approval> = {}): Approval => ({
  approvalId,
  conversationId: `conv-${approvalId}`,
  tenantId: 'demo-tenant',
  runId: 'run-1',
  status: 'PENDING',
  risk: 'HIGH',
  riskScore: 0.82,
  reason: 'refund above the automatic limit',
  proposedReply: 'We refunded the duplicate charge.',
  proposedActions: [{ kind: 'refund', description: 'Refund the duplicate charge for order 1001', amount: { amountMicros: 49_990_000, currency: 'EUR' }, parameters: { orderId: '1001' } }],
  requestedAt,
  expiresAt: '2026-03-02T12:00:00Z',
  decidedBy: null,
  comment: null,
  editedReply: null,
  decidedAt: null,
  ...overrides,
});

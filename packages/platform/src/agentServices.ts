import type { AgentServiceSpec } from './agentService.js';

/** The six agent services: which nodes each hosts and which roles it has. */
export const AGENT_SERVICE_SPECS = {
  // Starts runs for customer requests (queuing follow-ups), runs moderate and triage (or the fallback reply).
  triage: { service: 'triage', nodes: ['moderate', 'triage', 'fallback'], startsRuns: true },
  // Retrieves knowledge-base passages and similar resolved conversations.
  research: { service: 'research', nodes: ['research'] },
  // Looks up orders, computes refunds exactly and drafts the reply.
  solution: { service: 'solution', nodes: ['solution'] },
  // Reviews drafts and sends approved replies (respond).
  quality: { service: 'quality', nodes: ['quality', 'respond'] },
  // Pauses risky runs for a supervisor (interrupt) and hands off to humans.
  escalation: { service: 'escalation', nodes: ['escalate', 'handoff'] },
  // Resumes escalated runs on ApprovalDecided, expires approvals on time.
  approvals: { service: 'approvals', nodes: [], resumesApprovals: true },
} as const satisfies Record<string, AgentServiceSpec>;

export type AgentServiceKey = keyof typeof AGENT_SERVICE_SPECS;

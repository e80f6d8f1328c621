import type { LlmCallRecord, SupportStateType, SupportStateUpdate } from './state.js';

export const NODE_NAMES = ['moderate', 'triage', 'research', 'solution', 'quality', 'escalate', 'respond', 'handoff', 'fallback'] as const;
export type NodeName = (typeof NODE_NAMES)[number];

export function isNodeName(value: string): value is NodeName {
  return (NODE_NAMES as readonly string[]).includes(value);
}

/** What a node implementation gets besides the state. */
export interface NodeContext {
  readonly threadId: string;
  readonly node: NodeName;
  /**
   * Which step of which run this is (`<runId>:<steps before it>`), the same for every attempt. With
   * the node name it keys the LLM call cache, so a step re-run after a crash (or after its
   * transaction was rolled back, checkpoint ids and all) finds the answers it already paid for.
   */
  readonly stepKey: string;
  readonly signal: AbortSignal | undefined;
  recordLlmCall(call: LlmCallRecord): void;
}

export interface NodeResult {
  readonly update: SupportStateUpdate;
  /** One line for people: what the step decided. */
  readonly summary: string;
  /** Lean JSON for the AgentStepCompleted event (ids and decisions, not documents). */
  readonly output?: Readonly<Record<string, unknown>>;
}

export type NodeImplementation = (state: SupportStateType, context: NodeContext) => Promise<NodeResult>;
export type NodeImplementations = Partial<Record<NodeName, NodeImplementation>>;

import { terminalNodes, type NodeImplementations, type TerminalNodeOptions } from '@supportstream/graph';
import type { Embedder, SessionMemory, VectorStore } from '@supportstream/memory';
import type { AgentTools } from '@supportstream/tools';
import type { AgentModels } from './models.js';
import { withMemoryEffects } from './nodes/memoryEffects.js';
import { moderateNode } from './nodes/moderateNode.js';
import { qualityNode, type QualityGuardrails } from './nodes/qualityNode.js';
import { researchNode } from './nodes/researchNode.js';
import { solutionNode } from './nodes/solutionNode.js';
import { triageNode } from './nodes/triageNode.js';

export interface AgentDependencies {
  readonly models: AgentModels;
  readonly tone: (tenantId: string) => Promise<string>;
  readonly sessions: SessionMemory;
  readonly store: VectorStore;
  readonly embedder: Embedder;
  readonly tools: AgentTools;
  readonly terminal: TerminalNodeOptions;
  /** The deployment's canary and secrets for the output check (the same canary as the model resolver's). */
  readonly guardrails?: Omit<QualityGuardrails, 'tools'>;
}

/** Every node's real implementation; a service passes the graph only the ones it hosts. */
export function createAgentNodes(deps: AgentDependencies): Required<NodeImplementations> {
  const terminal = terminalNodes(deps.terminal);
  const memory = { sessions: deps.sessions, store: deps.store, embedder: deps.embedder };
  return {
    moderate: moderateNode(deps.models),
    triage: triageNode(deps.models, deps.sessions),
    research: researchNode({ store: deps.store, embedder: deps.embedder }),
    solution: solutionNode(deps.models, deps.tools, deps.sessions, deps.tone),
    quality: qualityNode(deps.models, { ...deps.guardrails, tools: deps.tools }),
    escalate: terminal.escalate,
    respond: withMemoryEffects(terminal.respond, memory),
    handoff: withMemoryEffects(terminal.handoff, memory),
    fallback: withMemoryEffects(terminal.fallback, memory),
  };
}

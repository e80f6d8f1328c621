import { Command, MemorySaver } from '@langchain/langgraph';
import { cachedModels, createAgentNodes, inMemoryCallCache } from '@supportstream/agents';
import type { SupportTicket } from '@supportstream/eval';
import {
  buildSupportGraph,
  readThread,
  runStartInput,
  threadConfig,
  type ApprovalResume,
  type SupportGraph,
  type SupportGraphOptions,
  type SupportStateType,
} from '@supportstream/graph';
import type { ModelResolver } from '@supportstream/llm';
import { memorySessionMemory, type Embedder, type VectorStore } from '@supportstream/memory';
import { runIdOf } from '@supportstream/pipeline';
import type { AgentTools } from '@supportstream/tools';
import { capturingResolver, type CapturedCall } from './evalModels.js';
import { planConversations, type ConversationPlan, type PlannedTicket, type RunnableTicket } from './ticketRequests.js';

/** What every conversation of a run shares: read-only knowledge, the CRM (for the dataset the sample one), models. */
export interface EvalWorld {
  readonly resolver: ModelResolver;
  /** The knowledge base; its writes must go nowhere (see knowledgeStore). */
  readonly store: VectorStore;
  readonly embedder: Embedder;
  readonly tools: AgentTools;
  /**
   * Tools whose "now" is the clock given; when set, a conversation's tools read the arrival of the
   * request being run (recorded traffic is replayed as of its day). Without it, `tools`.
   */
  readonly toolsAsOf?: (clock: () => Date) => AgentTools;
  readonly policy?: SupportGraphOptions['policy'];
}

export interface TicketRun<Ticket extends RunnableTicket = SupportTicket> {
  readonly ticket: Ticket;
  readonly threadId: string;
  /** The state the run ended in, or paused in while it waits for a supervisor. */
  readonly state: SupportStateType;
  readonly paused: boolean;
  /** The requests the run sent to the provider port, in order. */
  readonly calls: readonly CapturedCall[];
  /** Set when the run failed; `state` is then where it stopped. */
  readonly error?: string;
}

export interface RunTicketsOptions {
  /** Conversations run at once (default 4); the tickets of one conversation always run in order. */
  readonly concurrency?: number;
  /** One run gives up after this many steps (default 30). */
  readonly maxSteps?: number;
  readonly epoch?: Date;
  /** Told after each run, e.g. for progress on stderr. */
  readonly onRun?: (run: TicketRun<RunnableTicket>) => void;
}

const APPROVAL_TTL_MS = 24 * 3600 * 1000;

/**
 * The supervisor's answer to a run that paused before a follow-up of its conversation: in the
 * platform the follow-up waits for a human; here the pause is observed first, then rejected, so
 * the follow-up runs after a hand-off and no unapproved reply ever counts as sent.
 */
export const EVAL_REJECTION: ApprovalResume = {
  decision: 'REJECTED',
  decidedBy: 'supportstream-eval',
  comment: 'closed by the evaluation runner so that the conversation can go on',
  editedReply: null,
  decisionEventId: 'eval-rejection',
};

class StepLimitError extends Error {}

/** Runs the thread until the graph ends or pauses at an approval; each invoke is one step. */
async function advance(
  graph: SupportGraph,
  threadId: string,
  maxSteps: number,
): Promise<{ state: SupportStateType; paused: boolean }> {
  for (let steps = 0; ; steps += 1) {
    const snapshot = await readThread(graph, threadId);
    if (snapshot.interrupts.length > 0) return { state: snapshot.values, paused: true };
    if (snapshot.next.length === 0) return { state: snapshot.values, paused: false };
    if (steps >= maxSteps) throw new StepLimitError(`the run took more than ${maxSteps} steps`);
    await graph.invoke(null, threadConfig(threadId));
  }
}

/**
 * One conversation in isolation: its own checkpointer (MemorySaver), its own session memory (so a
 * follow-up sees the earlier exchange, as on the platform, and no other conversation does) and its
 * own record of the prompts. Nothing outlives the call.
 */
async function runConversation<Ticket extends RunnableTicket>(
  plan: ConversationPlan<Ticket>,
  world: EvalWorld,
  options: RunTicketsOptions,
): Promise<TicketRun<Ticket>[]> {
  const calls: CapturedCall[] = [];
  const resolver = capturingResolver(world.resolver, (call) => calls.push(call));
  let arrival = new Date(plan.tickets[0]?.info.receivedAt ?? 0);
  const nodes = createAgentNodes({
    models: cachedModels(resolver, inMemoryCallCache()),
    tone: async (tenantId) => (await resolver.resolve({ task: 'draft', tenantId })).settings.tone,
    sessions: memorySessionMemory(),
    store: world.store,
    embedder: world.embedder,
    tools: world.toolsAsOf?.(() => arrival) ?? world.tools,
    terminal: { approvalTtlMs: APPROVAL_TTL_MS },
  });
  const policy = world.policy ? { policy: world.policy } : {};
  const graph = buildSupportGraph({ nodes, checkpointer: new MemorySaver(), ...policy });
  const maxSteps = options.maxSteps ?? 30;
  const runs: TicketRun<Ticket>[] = [];
  let paused = false;

  async function runOne(planned: PlannedTicket<Ticket>): Promise<TicketRun<Ticket>> {
    const { threadId } = plan;
    const from = calls.length;
    const recorded = (state: SupportStateType, isPaused: boolean, error?: string): TicketRun<Ticket> => ({
      ticket: planned.ticket,
      threadId,
      state,
      paused: isPaused,
      calls: calls.slice(from),
      ...(error === undefined ? {} : { error }),
    });
    try {
      if (paused) {
        await graph.invoke(new Command({ resume: EVAL_REJECTION }), threadConfig(threadId));
        await advance(graph, threadId, maxSteps);
      }
      const { info } = planned;
      arrival = new Date(info.receivedAt);
      await graph.invoke(runStartInput(runIdOf(info.requestId), info, [], info.receivedAt), threadConfig(threadId));
      const ended = await advance(graph, threadId, maxSteps);
      return recorded(ended.state, ended.paused);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const snapshot = await readThread(graph, threadId).catch(() => undefined);
      return recorded(snapshot?.values ?? ({} as SupportStateType), false, message);
    }
  }

  for (const planned of plan.tickets) {
    const run = await runOne(planned);
    // Only a run observed at its pause is resumed; a failed run is left where it stopped.
    paused = run.paused;
    runs.push(run);
    options.onRun?.(run);
  }
  return runs;
}

/**
 * Runs planned conversations through the real graph and nodes in this process: the conversations
 * concurrently, the tickets of one conversation in their order on one thread. Returns the runs in
 * the order of the plans' tickets.
 */
export async function runPlans<Ticket extends RunnableTicket>(
  plans: readonly ConversationPlan<Ticket>[],
  world: EvalWorld,
  options: RunTicketsOptions = {},
): Promise<TicketRun<Ticket>[]> {
  const queue = [...plans];
  const byTicket = new Map<string, TicketRun<Ticket>>();
  const worker = async () => {
    for (let plan = queue.shift(); plan; plan = queue.shift()) {
      for (const run of await runConversation(plan, world, options)) byTicket.set(run.ticket.id, run);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.concurrency ?? 4, queue.length)) }, worker));
  return plans.flatMap((plan) =>
    plan.tickets.map(({ ticket }) => {
      const run = byTicket.get(ticket.id);
      if (!run) throw new Error(`ticket ${ticket.id} was not run`);
      return run;
    }),
  );
}

/**
 * Runs every ticket of a dataset (see runPlans): the tickets of one conversation in file order.
 * Returns the runs in the order of `tickets`.
 */
export async function runTickets(
  tickets: readonly SupportTicket[],
  world: EvalWorld,
  options: RunTicketsOptions = {},
): Promise<TicketRun[]> {
  const runs = await runPlans(planConversations(tickets, options.epoch), world, options);
  const byTicket = new Map(runs.map((run) => [run.ticket.id, run]));
  return tickets.map((ticket) => {
    const run = byTicket.get(ticket.id);
    if (!run) throw new Error(`ticket ${ticket.id} was not run`);
    return run;
  });
}

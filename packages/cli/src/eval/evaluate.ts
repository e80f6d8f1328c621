import { scoreRun, type EvalResult, type SupportTicket } from '@supportstream/eval';
import type { ModelResolver } from '@supportstream/llm';
import {
  ingestKnowledge,
  memoryVectorStore,
  RESOLUTIONS_COLLECTION,
  type Embedder,
  type VectorStore,
} from '@supportstream/memory';
import { createAgentTools, inMemoryCrmDirectory, sampleCrmData, type CrmDirectory } from '@supportstream/tools';
import { vectorStoreAsOf } from '../audit/isolatedMemory.js';
import { observeTickets, type TicketDiagnostics } from './observeTickets.js';
import { runTickets, type EvalWorld, type RunTicketsOptions, type TicketRun } from './runTickets.js';
import { EVAL_EPOCH, type RunnableTicket } from './ticketRequests.js';

/**
 * The knowledge base of `dir` ingested into an in-memory vector store, so research finds the
 * passages the services would, behind the what-if replay's isolation: writes (resolutions a run
 * would remember) are dropped, so no ticket sees what another one resolved.
 */
export async function knowledgeStore(dir: string, embedder: Embedder): Promise<VectorStore> {
  const store = memoryVectorStore();
  await ingestKnowledge({ dir, store, embedder });
  // An empty resolutions collection: the research node asks for similar resolutions and finds none.
  await store.ensureCollection(RESOLUTIONS_COLLECTION, embedder.dimensions);
  return vectorStoreAsOf(store, EVAL_EPOCH.toISOString());
}

export interface EvalWorldOptions {
  readonly resolver: ModelResolver;
  readonly embedder: Embedder;
  /** The knowledge folder (the repository's `knowledge/`). */
  readonly knowledgeDir: string;
}

/** Everything the runs share; the CRM is the sample one the dataset's labels assume, read as of the eval epoch. */
export async function createEvalWorld(options: EvalWorldOptions): Promise<EvalWorld> {
  return {
    resolver: options.resolver,
    embedder: options.embedder,
    store: await knowledgeStore(options.knowledgeDir, options.embedder),
    tools: createAgentTools({ crm: inMemoryCrmDirectory(sampleCrmData()), clock: () => EVAL_EPOCH }),
  };
}

/**
 * The world of recorded traffic: the same knowledge and models, but the CRM the requests were
 * about (the platform's, only read), with the tools' clock at each request's arrival.
 */
export async function createRecordedWorld(
  options: EvalWorldOptions & { readonly crm: CrmDirectory },
): Promise<EvalWorld> {
  const { crm } = options;
  return {
    resolver: options.resolver,
    embedder: options.embedder,
    store: await knowledgeStore(options.knowledgeDir, options.embedder),
    tools: createAgentTools({ crm }),
    toolsAsOf: (clock) => createAgentTools({ crm, clock }),
  };
}

/** The models that answered the runs, as `provider/model`, sorted. */
export function modelsUsed(runs: readonly TicketRun<RunnableTicket>[]): string[] {
  return [...new Set(runs.flatMap((run) => run.calls.map((call) => `${call.provider}/${call.model}`)))].sort();
}

export interface Evaluation {
  readonly result: EvalResult;
  readonly runs: readonly TicketRun[];
  readonly diagnostics: readonly TicketDiagnostics[];
  /** The models that answered, as `provider/model`. */
  readonly models: readonly string[];
}

/** Runs the tickets, observes every outcome and scores them. */
export async function evaluateTickets(
  tickets: readonly SupportTicket[],
  world: EvalWorld,
  options: RunTicketsOptions & { readonly secrets?: readonly string[] } = {},
): Promise<Evaluation> {
  const runs = await runTickets(tickets, world, options);
  const secrets = options.secrets ?? [];
  const { pairs, diagnostics } = observeTickets(runs, { crm: sampleCrmData(), secrets });
  return { result: scoreRun(pairs), runs, diagnostics, models: modelsUsed(runs) };
}

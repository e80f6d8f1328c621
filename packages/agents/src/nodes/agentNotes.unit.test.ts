import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { isStaffInstruction, type DraftReply, type QualityReview, type Source, type TriageDecision } from '@supportstream/domain';
import { runStartInput, type LlmCallRecord, type NodeContext, type RequestInfo, type SupportStateType } from '@supportstream/graph';
import { createOfflineChatModel, runTask } from '@supportstream/llm';
import { chunkMarkdown, hashingEmbedder, ingestKnowledge, memorySessionMemory, memoryVectorStore } from '@supportstream/memory';
import { createAgentTools, inMemoryCrmDirectory, sampleCrmData } from '@supportstream/tools';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AgentModels } from '../models.js';
import { qualityNode } from './qualityNode.js';
import { researchNode } from './researchNode.js';
import { solutionNode } from './solutionNode.js';

// The repository's knowledge base, ingested as the services ingest it, read by the real research,
// solution and quality nodes on the offline provider: what a customer would be sent.

const knowledgeDir = fileURLToPath(new URL('../../../../knowledge', import.meta.url));
const embedder = hashingEmbedder({ dimensions: 384 });
const store = memoryVectorStore();
const offline = createOfflineChatModel();
const models: AgentModels = {
  run: async (_context, _tenant, task, input) => (await runTask(offline, task, input, { systemPrompt: 'You answer with JSON only.', temperature: 0, maxTokens: 800 })).output,
};
const tools = createAgentTools({ crm: inMemoryCrmDirectory(sampleCrmData()), clock: () => new Date('2026-12-01T09:00:00Z') });

/** Sentences, across the line breaks of the markdown source. */
const sentencesOf = (text: string) =>
  text
    .replace(/\s+/g, ' ')
    .split(/(?<=[.!?:])\s+(?=[A-Z])/)
    .map((sentence) => sentence.trim())
    .filter((sentence) => sentence.length > 0);

/** Every sentence of the notes for agents in knowledge/. */
let agentSentences: string[] = [];

beforeAll(async () => {
  await ingestKnowledge({ dir: knowledgeDir, store, embedder });
  const files = (await readdir(knowledgeDir)).filter((file) => file.endsWith('.md'));
  const chunks = (await Promise.all(files.map(async (file) => chunkMarkdown(file, await readFile(`${knowledgeDir}/${file}`, 'utf8'))))).flat();
  agentSentences = chunks
    .filter((chunk) => chunk.audience === 'agent')
    .flatMap((chunk) => sentencesOf(chunk.text.replace(/\*\*/g, '')));
  expect(agentSentences.length).toBeGreaterThan(15);
});

const context = (node: string): NodeContext => ({ threadId: 'conv-1', node, stepKey: `ckpt-${node}`, signal: undefined, recordLlmCall: (_call: LlmCallRecord) => undefined }) as NodeContext;

function request(message: string, customerId: string): RequestInfo {
  return {
    requestId: 'req-1',
    conversationId: 'conv-1',
    tenantId: 'tenant-a',
    customerId,
    customerTier: 'STANDARD',
    channel: 'WEB',
    subject: null,
    message,
    correlationId: 'corr',
    receivedEventId: 'evt',
    receivedAt: '2026-12-01T09:00:00.000Z',
  };
}

interface Answer {
  readonly sources: Source[];
  readonly draft: DraftReply;
  readonly review: QualityReview;
}

/** Triage, research, solution and quality, as the graph runs them, without the routing around them. */
async function answer(message: string, customerId: string): Promise<Answer> {
  const info = request(message, customerId);
  let state = runStartInput('run-1', info, [], info.receivedAt) as SupportStateType;
  const triageDecision: TriageDecision = await models.run(context('triage'), info.tenantId, 'triage', { message, subject: null, customerTier: 'STANDARD', history: [] });
  state = { ...state, triageDecision };
  state = { ...state, ...(await researchNode({ store, embedder })(state, context('research'))).update } as SupportStateType;
  state = { ...state, ...(await solutionNode(models, tools, memorySessionMemory(), () => Promise.resolve('friendly'))(state, context('solution'))).update } as SupportStateType;
  state = { ...state, ...(await qualityNode(models)(state, context('quality'))).update } as SupportStateType;
  if (!state.draft || !state.review) throw new Error('no draft or review');
  return { sources: state.sources, draft: state.draft, review: state.review };
}

function expectNoAgentText(result: Answer): void {
  const reply = result.draft.reply.replace(/\s+/g, ' ');
  for (const sentence of agentSentences) expect(reply).not.toContain(sentence);
  // The sentences the articles used to say to customers, before the notes were marked.
  expect(reply).not.toMatch(/does not need supervisor approval|Support agents may issue|without approval|billing system|Ask the customer/i);
  expect(result.draft.reply.split('\n').flatMap(sentencesOf).filter(isStaffInstruction)).toEqual([]);
  // Notes were there to read, and none is cited.
  const notes = result.sources.filter((source) => source.audience === 'agent').map((source) => source.id);
  expect(notes.length).toBeGreaterThan(0);
  expect(result.draft.citations.filter((id) => notes.includes(id))).toEqual([]);
}

describe('notes for agents in the knowledge base', () => {
  it('given the article notes, when ingested, then research keeps them apart from the passages it may quote', async () => {
    const result = await answer('I was charged twice for order 2002, please refund the duplicate charge.', 'cust-120');
    const passages = result.sources.filter((source) => source.audience === 'customer');
    const notes = result.sources.filter((source) => source.audience === 'agent');
    expect(passages).toHaveLength(4);
    expect(notes.map((note) => note.id)).toContain('*:refund-policy.md#refund-policy/duplicate-charges:agent:0');
    expect(notes.every((note) => note.id.includes(':agent:'))).toBe(true);
  });

  it('given a duplicate charge, then the draft explains the full refund and what happens next, without the notes', async () => {
    const result = await answer('I was charged twice for order 2002, please refund the duplicate charge.', 'cust-120');
    expectNoAgentText(result);
    expect(result.draft.reply).toMatch(/the duplicate is refunded in full/);
    expect(result.draft.reply).toMatch(/once we have confirmed that two payments were captured/);
    expect(result.draft.citations).toContain('*:refund-policy.md#refund-policy/duplicate-charges:0');
    expect(result.review.verdict).toBe('pass');
  });

  it('given a small refund inside the window, then the draft gives the timeline from the policy, without the notes', async () => {
    const result = await answer('Please refund 25.00 EUR for one of the four mugs in order 1005.', 'cust-7');
    expectNoAgentText(result);
    // The tools' facts: the refund is for 25.00 EUR, and the article says it is processed at once.
    expect(result.draft.reply).toMatch(/Refund for order 1005: 25\.00 EUR/);
    expect(result.draft.reply).toMatch(/A refund of up to 25\.00 EUR per order, inside the 30-day window, is processed immediately\./);
    expect(result.review.verdict).toBe('pass');
  });

  it('given a draft that quotes a note, then the quality agent sends it back, and one that keeps to customer text passes', async () => {
    const info = request('Why was my card declined?', 'cust-120');
    const triageDecision: TriageDecision = await models.run(context('triage'), info.tenantId, 'triage', { message: info.message, subject: null, customerTier: 'STANDARD', history: [] });
    const note: Source = { id: 'kb:declined:agent:0', title: 'Payment methods › Declined payments', text: 'Agents cannot see why a bank declined a card: do not guess a reason, refer the customer to their bank.', score: 0.7, audience: 'agent' };
    const passage: Source = { id: 'kb:declined:0', title: 'Payment methods › Declined payments', text: 'We cannot see why a bank declined a card; only the bank can say.', score: 0.8, audience: 'customer' };
    const base = { ...(runStartInput('run-1', info, [], info.receivedAt) as SupportStateType), triageDecision, sources: [passage, note], facts: [] };
    const review = async (reply: string, citations: string[]) => {
      const state = { ...base, draft: { reply, citations, confidence: 0.8 } } as SupportStateType;
      return (await qualityNode(models)(state, context('quality'))).update.review as QualityReview;
    };
    const leaking = await review('Hello, agents cannot see why a bank declined a card: do not guess a reason, refer the customer to their bank. Your support team', ['kb:declined:0']);
    expect(leaking.verdict).toBe('revise');
    expect(leaking.issues).toContainEqual(expect.stringMatching(/^agent_note: .*kb:declined:agent:0/));
    const citing = await review('Hello, we cannot see why a bank declined a card; only the bank can say. Your support team', ['kb:declined:agent:0']);
    expect(citing.issues).toContainEqual(expect.stringMatching(/^agent_note: /));
    // The customer's version shares eight words with the note ("cannot see why a bank declined a card"): no leak.
    const fine = await review('Hello, we cannot see why a bank declined a card; only the bank can say. Your support team', ['kb:declined:0']);
    expect(fine.issues.filter((issue) => issue.startsWith('agent_note'))).toEqual([]);
  });
});

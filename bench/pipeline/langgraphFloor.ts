/**
 * The LangGraph floor: what the framework alone costs for a conversation shaped like ours. A bare
 * linear graph of six nodes with a small state, compiled with interruptBefore on every node, so a
 * run is one invoke to start and one per step, as the step runner does. Sequential runs in this
 * process (one core), with MemorySaver, with the official PostgresSaver in a throwaway schema, and
 * with the platform's own saver (BatchedPostgresSaver, invoked with durability "exit" as the step
 * runner does): the last is what checkpointing a step must cost before any node, Kafka or event.
 */
import { Annotation, END, MemorySaver, START, StateGraph, type BaseCheckpointSaver } from '@langchain/langgraph';
import { PostgresSaver } from '@langchain/langgraph-checkpoint-postgres';
import { BatchedPostgresSaver } from '@supportstream/pipeline';
import pg from 'pg';
import { round } from '../runtime/stats.js';
import { cpuBetween, sampleCpu } from './cpuSampler.js';
import type { PgSampler } from './pgSampler.js';
import { perConversation } from './costArithmetic.js';

const NODES = ['n1', 'n2', 'n3', 'n4', 'n5', 'n6'] as const;

const FloorState = Annotation.Root({
  message: Annotation<string>(),
  steps: Annotation<number>({ reducer: (total, added) => total + added, default: () => 0 }),
  last: Annotation<string>(),
});

const step = (node: string) => (state: typeof FloorState.State) => ({ steps: 1, last: `${node}:${state.message.length}` });

/** Spelled out node by node: StateGraph's types follow the chain, a loop would lose them. */
function buildFloorGraph(checkpointer: BaseCheckpointSaver) {
  return new StateGraph(FloorState)
    .addNode('n1', step('n1'))
    .addNode('n2', step('n2'))
    .addNode('n3', step('n3'))
    .addNode('n4', step('n4'))
    .addNode('n5', step('n5'))
    .addNode('n6', step('n6'))
    .addEdge(START, 'n1')
    .addEdge('n1', 'n2')
    .addEdge('n2', 'n3')
    .addEdge('n3', 'n4')
    .addEdge('n4', 'n5')
    .addEdge('n5', 'n6')
    .addEdge('n6', END)
    .compile({ checkpointer, interruptBefore: [...NODES] });
}

export interface FloorRun {
  readonly runs: number;
  readonly seconds: number;
  readonly runsPerSecond: number;
  /** This process's CPU (user + system) per run. */
  readonly cpuMsPerRun: number | null;
  /** PostgresSaver only: the PostgreSQL server's CPU and transactions per run. */
  readonly postgresCpuMsPerRun?: number | null;
  readonly pgTransactionsPerRun?: number | null;
  readonly pgRowsWrittenPerRun?: number | null;
}

async function timeRuns(checkpointer: BaseCheckpointSaver, runs: number, warmup: number, tag: string, postgresRoot: Record<string, number>, durability?: 'exit') {
  const graph = buildFloorGraph(checkpointer);
  const runOne = async (index: number) => {
    const config = { configurable: { thread_id: `floor-${tag}-${index}` }, ...(durability ? { durability } : {}) };
    await graph.invoke({ message: 'How do I reset my password?' }, config);
    for (let step = 0; step < NODES.length; step += 1) await graph.invoke(null, config);
  };
  for (let index = 0; index < warmup; index += 1) await runOne(-1 - index);
  const before = sampleCpu(postgresRoot);
  for (let index = 0; index < runs; index += 1) await runOne(index);
  const cost = cpuBetween(before, sampleCpu(postgresRoot));
  return {
    runs,
    seconds: cost.seconds,
    runsPerSecond: round(runs / cost.seconds, 1),
    cpuMsPerRun: perConversation(cost.cpuMsByProcess['driver'] ?? 0, runs),
    postgresCpuMs: cost.cpuMsByProcess['postgres'],
  };
}

export interface FloorOptions {
  readonly runs: number;
  readonly databaseUrl: string;
  readonly postgresPid: number | undefined;
  readonly pgSampler: PgSampler;
}

/** Timed runs on a PostgreSQL saver in a throwaway schema (dropped afterwards), with the server's CPU, transactions and rows. */
async function timePostgres(
  options: FloorOptions,
  warmup: number,
  tag: string,
  makeSaver: (databaseUrl: string, schema: string) => PostgresSaver,
  durability?: 'exit',
): Promise<FloorRun> {
  const schema = `bench_floor_${tag}_${Date.now()}`;
  const saver = makeSaver(options.databaseUrl, schema);
  try {
    await saver.setup();
    const roots: Record<string, number> = options.postgresPid === undefined ? {} : { postgres: options.postgresPid };
    const pgBefore = await options.pgSampler.read();
    const timed = await timeRuns(saver, options.runs, warmup, tag, roots, durability);
    await saver.end();
    // The saver's connections have closed, so their statistics are flushed.
    const pgCost = options.pgSampler.between(pgBefore, await options.pgSampler.settled({ quietMs: 1_500, maxMs: 15_000 }));
    const warmedRuns = options.runs + warmup;
    return {
      runs: timed.runs,
      seconds: timed.seconds,
      runsPerSecond: timed.runsPerSecond,
      cpuMsPerRun: timed.cpuMsPerRun,
      postgresCpuMsPerRun: timed.postgresCpuMs === undefined ? null : perConversation(timed.postgresCpuMs, options.runs),
      // Counted over the warm-up too (the readings bracket both), so divided by both.
      pgTransactionsPerRun: perConversation(pgCost.transactions, warmedRuns, 1),
      pgRowsWrittenPerRun: perConversation(pgCost.rowsWritten, warmedRuns, 1),
    };
  } finally {
    await saver.end().catch(() => undefined);
    const client = new pg.Client({ connectionString: options.databaseUrl });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await client.end();
  }
}

export async function langgraphFloor(options: FloorOptions): Promise<{
  readonly memoryRunsPerSecond: number;
  readonly postgresRunsPerSecond: number;
  readonly batchedRunsPerSecond: number;
  readonly memory: FloorRun;
  readonly postgres: FloorRun;
  /** The platform's BatchedPostgresSaver with durability "exit", as the step runner invokes. */
  readonly batched: FloorRun;
  readonly nodes: number;
  readonly invokesPerRun: number;
}> {
  const warmup = Math.min(30, options.runs);
  const noRoots = {};
  const memory = await timeRuns(new MemorySaver(), options.runs, warmup, 'memory', noRoots);

  const postgres = await timePostgres(options, warmup, 'postgres', (databaseUrl, schema) => PostgresSaver.fromConnString(databaseUrl, { schema }));
  const batched = await timePostgres(options, warmup, 'batched', (databaseUrl, schema) => new BatchedPostgresSaver(new pg.Pool({ connectionString: databaseUrl }), undefined, { schema }), 'exit');
  const { postgresCpuMs: _unused, ...memoryRun } = memory;
  return {
    memoryRunsPerSecond: memory.runsPerSecond,
    postgresRunsPerSecond: postgres.runsPerSecond,
    batchedRunsPerSecond: batched.runsPerSecond,
    memory: memoryRun,
    postgres,
    batched,
    nodes: NODES.length,
    invokesPerRun: NODES.length + 1,
  };
}

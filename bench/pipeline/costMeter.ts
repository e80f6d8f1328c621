/**
 * One meter over all the samplers (cpuSampler.ts, pgSampler.ts, brokerSamplers.ts): `start()`
 * before a phase, `stop()` after it, and the phase's cost comes back whole (CPU by process group,
 * PostgreSQL, Redis, Kafka), with the figures per conversation beside the totals.
 */
import { round } from '../runtime/stats.js';
import { perConversation, perConversationMap, sum, type PgCost } from './costArithmetic.js';
import { type KafkaCost, type KafkaSample, type KafkaSampler, type RedisSample, type RedisSampler } from './brokerSamplers.js';
import { cpuBetween, loadAverage, sampleCpu, type CpuCost, type CpuSample } from './cpuSampler.js';
import type { PgSampler, PgSettled } from './pgSampler.js';
import { sleep } from './shared.js';

export interface PhaseCost {
  readonly loadAverageBefore: readonly number[];
  readonly cpu: CpuCost;
  /** CPU of the platform's processes (every group but the bench driver). */
  readonly cpuMs: number;
  readonly pg: PgCost;
  readonly pgSettle: { readonly waitedMs: number; readonly settled: boolean; readonly trace: PgSettled['trace'] };
  /** How long the services took to handle what was left on their topics once the last conversation completed. */
  readonly kafkaDrained: { readonly caughtUp: boolean; readonly waitedMs: number; readonly lag: number } | null;
  /** PostgreSQL clients seen while waiting before and after the phase (application_name → connections). */
  readonly pgClientsSeen: Readonly<Record<string, number>>;
  /**
   * CPU of each group while the stack sat idle just before the phase (ms per second of wall time,
   * over the settle wait): background work (heartbeats, timers) that a phase's figures include.
   */
  readonly idleCpuMsPerSecond: Readonly<Record<string, number>> | null;
  readonly redis: { readonly total: number; readonly byCommand: Record<string, number> };
  readonly kafka: KafkaCost | null;
}

interface Started {
  readonly loadAverage: readonly number[];
  readonly cpu: CpuSample;
  readonly idle: CpuCost | null;
  readonly pg: PgSettled;
  readonly redis: RedisSample;
  readonly kafka: KafkaSample | null;
}

export interface PhaseMeter {
  /** Waits until PostgreSQL's counters have settled (quietMs), then samples everything. */
  start(options: { readonly quietMs: number }): Promise<Started>;
  /**
   * Waits until the services have handled everything on their topics (Kafka lag 0; they go on
   * handling the events that follow a RunCompleted), samples CPU and Redis after `graceMs`, then
   * waits for PostgreSQL's statistics and the committed offsets to settle (no CPU is counted meanwhile).
   */
  stop(started: Started, options: { readonly graceMs: number; readonly quietMs: number }): Promise<PhaseCost>;
}

export interface MeterOptions {
  readonly roots: () => Readonly<Record<string, number>>;
  readonly pg: PgSampler;
  readonly redis: RedisSampler;
  readonly kafka?: KafkaSampler;
  /** CPU groups left out of `cpuMs` (the bench driver: it observes every event, which the platform does not). */
  readonly excludeFromCpu?: readonly string[];
}

export function createPhaseMeter(options: MeterOptions): PhaseMeter {
  const excluded = new Set(options.excludeFromCpu ?? ['driver']);
  return {
    async start({ quietMs }) {
      const idleFrom = sampleCpu(options.roots());
      const pg = await options.pg.settled({ quietMs, maxMs: quietMs + 35_000 });
      const kafka = options.kafka ? await options.kafka.read() : null;
      const redis = await options.redis.read();
      const cpu = sampleCpu(options.roots());
      const idle = cpu.wallMs - idleFrom.wallMs >= 3_000 ? cpuBetween(idleFrom, cpu) : null;
      return { loadAverage: loadAverage(), pg, kafka, redis, cpu, idle };
    },
    async stop(started, { graceMs, quietMs }) {
      const drained = options.kafka ? await options.kafka.caughtUp(60_000) : null;
      await sleep(graceMs);
      const cpu = cpuBetween(started.cpu, sampleCpu(options.roots()));
      const redis = options.redis.between(started.redis, await options.redis.read());
      const pgAfter = await options.pg.settled({ quietMs, maxMs: quietMs + 35_000 });
      const kafka = options.kafka && started.kafka ? options.kafka.between(started.kafka, await options.kafka.settled(15_000)) : null;
      return {
        loadAverageBefore: started.loadAverage,
        cpu: { ...cpu, cpuMsByProcess: Object.fromEntries(Object.entries(cpu.cpuMsByProcess).map(([name, ms]) => [name, round(ms, 0)])) },
        cpuMs: round(sum(Object.entries(cpu.cpuMsByProcess).filter(([name]) => !excluded.has(name)).map(([, ms]) => ms)), 0),
        pg: options.pg.between(started.pg, pgAfter),
        pgSettle: { waitedMs: pgAfter.waitedMs, settled: pgAfter.settled, trace: pgAfter.trace },
        kafkaDrained: drained,
        pgClientsSeen: mergeMax(started.pg.clientsSeen, pgAfter.clientsSeen),
        idleCpuMsPerSecond: started.idle
          ? Object.fromEntries(Object.entries(started.idle.cpuMsByProcess).map(([name, ms]) => [name, round(ms / started.idle!.seconds, 1)]))
          : null,
        redis,
        kafka,
      };
    },
  };
}

/** A phase's cost divided by the conversations it completed: the `costPerConversation` of the record. */
export function costPerConversation(cost: PhaseCost, conversations: number, excluded: readonly string[] = ['driver']) {
  const per = (value: number, digits = 2) => perConversation(value, conversations, digits);
  const idle = cost.idleCpuMsPerSecond;
  const idleMs = idle ? sum(Object.entries(idle).filter(([name]) => !excluded.includes(name)).map(([, msPerSecond]) => msPerSecond * cost.cpu.seconds)) : null;
  const cpuByProcess = perConversationMap(cost.cpu.cpuMsByProcess, conversations, 2);
  return {
    conversations,
    cpuMs: per(cost.cpuMs, 1),
    cpuMsIncludingDriver: per(cost.cpuMs + (excludedDriver(cost) ?? 0), 1),
    /** cpuMs less what the same processes burn idle over as long (the rate measured just before): an estimate. */
    cpuMsAboveIdle: idleMs === null ? null : per(cost.cpuMs - idleMs, 1),
    cpuMsByProcess: cpuByProcess,
    pgTransactions: per(cost.pg.transactions, 1),
    pgRowsWritten: per(cost.pg.rowsWritten, 1),
    pgRowsInserted: per(cost.pg.rowsInserted, 1),
    pgRowsUpdated: per(cost.pg.rowsUpdated, 1),
    pgRowsDeleted: per(cost.pg.rowsDeleted, 1),
    pgTuplesReturned: per(cost.pg.tuplesReturned, 0),
    pgTuplesFetched: per(cost.pg.tuplesFetched, 0),
    redisCommands: per(cost.redis.total, 1),
    redisCommandsByCommand: perConversationMap(cost.redis.byCommand, conversations, 2),
    kafkaRecordsProduced: cost.kafka ? per(cost.kafka.recordsProduced, 1) : null,
    kafkaRecordsConsumed: cost.kafka ? per(cost.kafka.recordsConsumed, 1) : null,
    kafkaProducedByTopic: cost.kafka ? perConversationMap(cost.kafka.producedByTopic, conversations, 2) : null,
    kafkaConsumedByGroup: cost.kafka ? perConversationMap(cost.kafka.consumedByGroup, conversations, 2) : null,
  };
}

const excludedDriver = (cost: PhaseCost): number | undefined => cost.cpu.cpuMsByProcess['driver'];

function mergeMax(a: Readonly<Record<string, number>>, b: Readonly<Record<string, number>>): Record<string, number> {
  const merged: Record<string, number> = { ...a };
  for (const [key, value] of Object.entries(b)) merged[key] = Math.max(merged[key] ?? 0, value);
  return merged;
}

import type { CpuUse } from './resources.js';
import type { EventSize } from './sizedEvents.js';
import type { Distribution } from './stats.js';

/** The JSON document produceConsume.ts prints; bench/report.ts reads it back. */
export interface RuntimeResult {
  readonly benchmark: 'runtime produce-to-consume';
  readonly startedAt: string;
  readonly loadAverageAtStart: readonly number[];
  readonly topic: string;
  readonly partitions: number;
  readonly conversations: number;
  readonly client: {
    readonly library: string;
    readonly acks: 'all';
    readonly idempotent: boolean;
    readonly maxInFlightRequests: number;
    readonly compression: string;
    readonly consumerPartitionsConcurrently: number;
  };
  readonly event: EventSize & { readonly type: 'RequestReceived'; readonly messageChars: number };
  readonly warmup: { readonly events: number; readonly seconds: number };
  readonly throughput: ThroughputResult;
  readonly latency: LatencyResult;
  readonly process: { readonly peakRssMiB: number };
}

export interface ThroughputResult extends CpuUse {
  readonly events: number;
  readonly eventsPerPublish: number;
  readonly publishesInFlight: number;
  readonly produceSeconds: number;
  readonly produceMsgsPerSec: number;
  readonly produceMiBPerSec: number;
  readonly e2eSeconds: number;
  readonly e2eMsgsPerSec: number;
  readonly e2eMiBPerSec: number;
  /** How far the consumer had got when the last publish was acknowledged. */
  readonly consumedWhenProduceDone: number;
  readonly duplicates: number;
  readonly unknown: number;
  /** Duration of each publish call (encode + send + acks=all). */
  readonly publishCallMs: Distribution;
  /** Send-to-handler time of every event while the pipe is saturated: mostly queueing. */
  readonly latencyUnderLoadMs: Distribution;
}

export interface LatencyResult extends CpuUse {
  readonly targetRate: number;
  readonly seconds: number;
  readonly eventsPerPublish: number;
  readonly events: number;
  readonly achievedRate: number;
  /** Publishes started more than one interval behind schedule (the event loop was busy). */
  readonly lateTicks: number;
  readonly duplicates: number;
  readonly unknown: number;
  /** Just before publish() to handler entry. */
  readonly e2eMs: Distribution;
  /** publish() call to its acknowledgement (acks=all). */
  readonly publishAckMs: Distribution;
}

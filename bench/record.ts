import type { ConsumerPerfResult, ProducerPerfResult } from './kafka/perfOutput.js';
import type { RuntimeResult } from './runtime/result.js';

/** One recorded benchmark run: bench/results/runtime-<UTC time>.json. */
export interface BenchRecord {
  readonly recordVersion: 1;
  readonly recordedAt: string;
  /** What reproduces it, from the repository root. */
  readonly command: string;
  readonly runSeconds: number;
  readonly machine: MachineInfo;
  /** Sanity checks that failed (lost or duplicated records, a tool that read less than written). */
  readonly warnings: readonly string[];
  readonly runtime: RuntimeResult;
  readonly kafka: {
    /** JVM options of the Kafka tools (those of Kafka's own bin/ scripts unless overridden). */
    readonly jvmOptions: string;
    /** acks=all, idempotent, one request in flight: the runtime's producer settings. */
    readonly producerMatched: KafkaToolRun<ProducerPerfResult>;
    /** The same settings at the latency phase's fixed rate, for the ack latency at that load. */
    readonly producerMatchedFixedRate: KafkaToolRun<ProducerPerfResult>;
    /** The Java client's defaults (3.9: acks=all, idempotent, 5 in flight, linger.ms=0). */
    readonly producerDefaults: KafkaToolRun<ProducerPerfResult>;
    /** Reads the producerMatched topic back. */
    readonly consumer: KafkaToolRun<ConsumerPerfResult>;
  };
}

export interface KafkaToolRun<R> {
  readonly command: string;
  readonly result: R;
}

export interface MachineInfo {
  readonly cpus: number;
  readonly cpuModel: string;
  readonly memoryGiB: number;
  readonly os: string;
  readonly node: string;
  readonly java: string;
  readonly kafka: string;
}

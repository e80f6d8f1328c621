import type { Logger } from '@supportstream/observability';
import { Kafka, logLevel, Partitioners, type KafkaConfig, type logCreator, type Producer, type ProducerConfig } from 'kafkajs';

export interface KafkaClientOptions {
  readonly brokers: readonly string[];
  readonly clientId: string;
  readonly logger: Logger;
  readonly connectionTimeoutMs?: number;
  readonly requestTimeoutMs?: number;
}

/** kafkajs logs go through the process's root logger instead of its own console writer. */
function pinoLogCreator(logger: Logger): logCreator {
  const child = logger.child({ component: 'kafkajs' });
  return () =>
    ({ level, log }) => {
      const { message, ...fields } = log;
      switch (level) {
        case logLevel.ERROR:
          child.error(fields, message);
          break;
        case logLevel.WARN:
          child.warn(fields, message);
          break;
        case logLevel.INFO:
          child.info(fields, message);
          break;
        case logLevel.DEBUG:
          child.debug(fields, message);
          break;
        case logLevel.NOTHING:
          break;
      }
    };
}

/** The only place that constructs the Kafka client, so a client switch touches this package only. */
export function createKafka(options: KafkaClientOptions): Kafka {
  const config: KafkaConfig = {
    clientId: options.clientId,
    brokers: [...options.brokers],
    connectionTimeout: options.connectionTimeoutMs ?? 3_000,
    requestTimeout: options.requestTimeoutMs ?? 30_000,
    // kafkajs' WARN level reports every rebalance and retry; INFO is noise.
    logLevel: logLevel.WARN,
    logCreator: pinoLogCreator(options.logger),
    retry: { retries: 8, initialRetryTime: 200, maxRetryTime: 10_000 },
  };
  return new Kafka(config);
}

/**
 * An idempotent producer as kafkajs requires it: acks=all, one request in flight (order kept on
 * retries) and unbounded retries, since a bounded retry count could break the sequence numbers
 * the broker deduplicates with. Java-compatible murmur2 partitioning, so keys land where Java
 * clients would put them.
 */
export function createIdempotentProducer(kafka: Kafka, overrides: Partial<ProducerConfig> = {}): Producer {
  return kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner,
    retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 100, maxRetryTime: 5_000 },
    ...overrides,
  });
}

export type { Kafka };

import { registeredCounter as counter, registeredGauge as gauge, registeredHistogram as histogram } from '@supportstream/observability';
import type { Registry } from 'prom-client';

const DURATION_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

/** Consumer metrics; several runners in one process share them through the registry. */
export function consumerMetrics(registry: Registry) {
  return {
    messages: counter(registry, 'kafka_consumer_messages_total', 'Messages consumed, by outcome (handled, ignored, duplicate, dead_lettered)', ['group', 'topic', 'outcome']),
    handleDuration: histogram(registry, 'kafka_consumer_handle_duration_seconds', 'Time to handle one message, retries included', ['group', 'topic', 'event_type'], DURATION_BUCKETS),
    retries: counter(registry, 'kafka_consumer_retries_total', 'Handler attempts that failed with a retriable error and were retried', ['group', 'topic']),
    deadLettered: counter(registry, 'kafka_consumer_dead_lettered_total', 'Messages sent to a dead-letter topic, by reason', ['group', 'topic', 'reason']),
    lag: gauge(registry, 'kafka_consumer_lag', 'Messages behind the partition high watermark after the last handled batch', ['group', 'topic', 'partition']),
    rebalances: counter(registry, 'kafka_consumer_rebalances_total', 'Group joins (the first join included)', ['group']),
    inFlight: gauge(registry, 'kafka_consumer_in_flight', 'Messages being handled right now', ['group']),
    running: gauge(registry, 'supportstream_consumer_running', 'Whether the consumer is a member of its group (1) or not: not started, crashed, waiting to restart, stopped (0)', ['group']),
    restarts: counter(registry, 'supportstream_consumer_restarts_total', 'Consumer crashes followed by a restart, by who restarts it: kafkajs itself (retriable errors) or the runtime (errors kafkajs gives up on)', ['group', 'by']),
    deadLetterStalls: counter(registry, 'supportstream_dead_letter_write_stalls_total', 'Dead-letter writes still unacknowledged after the stall interval (counted once per interval): the partition holds meanwhile', ['group', 'topic']),
    heldForOutage: counter(registry, 'supportstream_consumer_outage_holds_total', 'Messages whose handling failed while a dependency was down and that waited for it instead of being dead-lettered', ['group', 'topic']),
  };
}

export function producerMetrics(registry: Registry) {
  return {
    messages: counter(registry, 'kafka_producer_messages_total', 'Events produced', ['topic', 'event_type']),
    sendDuration: histogram(registry, 'kafka_producer_send_duration_seconds', 'Time for one send call (encode and broker ack)', ['topic'], DURATION_BUCKETS),
    errors: counter(registry, 'kafka_producer_errors_total', 'Failed send calls', ['topic']),
  };
}

export type ConsumerMetrics = ReturnType<typeof consumerMetrics>;
export type ProducerMetrics = ReturnType<typeof producerMetrics>;

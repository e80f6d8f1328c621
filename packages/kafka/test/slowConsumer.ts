// A consumer process for the shutdown tests: prints "start <offset>" and "done <offset>" around
// a handler that takes HANDLE_MS, and stops gracefully on SIGTERM.
import { loadPlatformConfig } from '@supportstream/config';
import { createLogger, createMetricsRegistry } from '@supportstream/observability';
import { createConsumerRunner, createKafka, onShutdown } from '../src/index.js';
import { createTestCodec } from '@supportstream/testing';

const config = loadPlatformConfig();
const topic = process.env['TEST_TOPIC'] ?? '';
const group = process.env['TEST_GROUP'] ?? '';
const handleMs = Number(process.env['HANDLE_MS'] ?? '2000');
const logger = createLogger({ service: 'slow-consumer', level: 'warn', destination: process.stderr });
const runner = createConsumerRunner({
  kafka: createKafka({ brokers: config.KAFKA_BROKERS, clientId: 'slow-consumer', logger }),
  codec: createTestCodec(config),
  groupId: group,
  topics: [topic],
  // Short, so a killed member's partitions move to the next consumer quickly.
  sessionTimeoutMs: 6_000,
  heartbeatIntervalMs: 500,
  logger,
  metrics: createMetricsRegistry({}, false),
  handlers: {
    StepMetrics: async (_event, context) => {
      process.stdout.write(`start ${context.offset}\n`);
      await new Promise((resolve) => setTimeout(resolve, handleMs));
      process.stdout.write(`done ${context.offset}\n`);
    },
  },
});
onShutdown(() => runner.stop(), logger);
await runner.start();
process.stdout.write('ready\n');

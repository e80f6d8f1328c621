// Shared by the end-to-end tests: the CLI as a person runs it, and an observer of every topic.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { EVENT_TYPES, TOPIC_NAMES, type SupportEvent } from '@supportstream/events';
import { createConsumerRunner, createKafka, type ConsumerRunner } from '@supportstream/kafka';
import { createMetricsRegistry } from '@supportstream/observability';
import { cliPath, stackConfig, testLogger, uniqueName, createTestCodec } from '@supportstream/testing';

const run = promisify(execFile);

/** Runs the built CLI (packages/cli/dist/main.js) and returns its output. */
export async function cli(...args: string[]): Promise<string> {
  return (await run(process.execPath, [cliPath(), ...args], { env: process.env, timeout: 60_000 })).stdout.trim();
}

/** Collects every event produced on the platform's topics from now on into `seen`. */
export async function startObserver(name: string, seen: SupportEvent[]): Promise<ConsumerRunner> {
  const config = stackConfig();
  const observer = createConsumerRunner({
    kafka: createKafka({ brokers: config.KAFKA_BROKERS, clientId: name, logger: testLogger() }),
    codec: createTestCodec(config),
    logger: testLogger(),
    metrics: createMetricsRegistry({}, false),
    groupId: uniqueName(name),
    topics: [...TOPIC_NAMES],
    fromBeginning: false,
    handlers: Object.fromEntries(
      EVENT_TYPES.map((type) => [
        type,
        (event: SupportEvent) => {
          seen.push(event);
          return Promise.resolve();
        },
      ]),
    ),
  });
  await observer.start();
  return observer;
}

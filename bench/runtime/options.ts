import { parseArgs } from 'node:util';
import { parseEnv, platformEnvSchema, z } from '@supportstream/config';

const count = (fallback: number) => z.coerce.number().int().positive().default(fallback);

/**
 * Settings come from BENCH_* variables, and a command-line flag overrides its variable
 * (`--events 20000` = BENCH_EVENTS=20000). Parsed once, failing with the variable's name.
 */
const benchEnvSchema = platformEnvSchema.extend({
  BENCH_EVENTS: count(50_000),
  BENCH_BATCH: count(500),
  BENCH_IN_FLIGHT: count(4),
  BENCH_CONVERSATIONS: count(1_000),
  BENCH_PARTITIONS: count(6),
  BENCH_RECORD_BYTES: count(1_024),
  BENCH_WARMUP_EVENTS: count(2_000),
  BENCH_LATENCY_RATE: count(2_000),
  BENCH_LATENCY_SECONDS: count(10),
  BENCH_LATENCY_BATCH: count(10),
  BENCH_CONSUMER_CONCURRENCY: count(1),
  BENCH_PHASE_TIMEOUT_SECONDS: count(90),
  BENCH_BROKER_PID: z.coerce.number().int().positive().optional(),
  BENCH_OUT: z.string().min(1).optional(),
});

export type BenchConfig = z.infer<typeof benchEnvSchema>;

const FLAGS = {
  events: 'BENCH_EVENTS',
  batch: 'BENCH_BATCH',
  'in-flight': 'BENCH_IN_FLIGHT',
  conversations: 'BENCH_CONVERSATIONS',
  partitions: 'BENCH_PARTITIONS',
  'record-bytes': 'BENCH_RECORD_BYTES',
  warmup: 'BENCH_WARMUP_EVENTS',
  rate: 'BENCH_LATENCY_RATE',
  seconds: 'BENCH_LATENCY_SECONDS',
  'latency-batch': 'BENCH_LATENCY_BATCH',
  concurrency: 'BENCH_CONSUMER_CONCURRENCY',
  'phase-timeout': 'BENCH_PHASE_TIMEOUT_SECONDS',
  'broker-pid': 'BENCH_BROKER_PID',
  out: 'BENCH_OUT',
} as const;

export const USAGE = `usage: node --import tsx bench/runtime/produceConsume.ts [--flag value ...]

Produce-to-consume through the runtime (createEventProducer -> Kafka -> createConsumerRunner).
Flags (and the variables they override):
${Object.entries(FLAGS)
  .map(([flag, variable]) => `  --${flag.padEnd(14)} ${variable}`)
  .join('\n')}
Also KAFKA_BROKERS and SCHEMA_REGISTRY_URL (eval "$(bash deploy/local/stack.sh env)").
Writes one JSON document to --out, or to stdout.`;

export function parseOptions(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): BenchConfig | 'help' {
  const flagOptions: Record<string, { type: 'string' } | { type: 'boolean'; short: string }> = { help: { type: 'boolean', short: 'h' } };
  for (const flag of Object.keys(FLAGS)) flagOptions[flag] = { type: 'string' };
  const values: Readonly<Record<string, string | boolean | undefined>> = parseArgs({ args: [...argv], options: flagOptions, strict: true }).values;
  if (values['help'] === true) return 'help';
  const merged: Record<string, string | undefined> = { ...env };
  for (const [flag, variable] of Object.entries(FLAGS)) {
    const value = values[flag];
    if (typeof value === 'string') merged[variable] = value;
  }
  return parseEnv(benchEnvSchema, merged);
}

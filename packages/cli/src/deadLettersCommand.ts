import { createPool } from '@supportstream/db';
import { isPlatformError } from '@supportstream/errors';
import {
  createDeadLetterConsole,
  createEventProducer,
  createKafka,
  MAX_DEAD_LETTER_LIST_LIMIT,
  postgresReplayLedger,
  type DeadLetterConsole,
  type DeadLetterListEntry,
  type DeadLetterListing,
  type ReplayOutcome,
} from '@supportstream/kafka';
import { createMetricsRegistry } from '@supportstream/observability';
import type { CommandContext } from './commands.js';
import { commandCodec } from './keyVault.js';

export const DLQ_USAGE = `  dlq list [--topic t] [--tenant id] [--limit 100] [--json]
                                     the dead letters of the five topics (<topic>.dlq), newest first: reason,
                                     origin, consumer group, time, attempts, key, tenant (when the value decodes)
                                     and whether it was replayed; --tenant leaves out records of unknown tenant
  dlq replay <dlqTopic> <partition> <offset> [--by name] [--json]
                                     put one dead letter back on its original topic (key, value, headers), once:
                                     a second replay does nothing and says so; DeadLetterReplayed records it`;

export interface DeadLettersOptions {
  readonly topic?: string | undefined;
  readonly tenant?: string | undefined;
  readonly limit?: string | undefined;
  readonly by?: string | undefined;
  readonly json?: boolean | undefined;
}

interface Io {
  readonly print: (line: string) => void;
  readonly printError: (line: string) => void;
}

const where = (entry: { topic: string; partition: number; offset: string }) => `${entry.topic}[${entry.partition}]@${entry.offset}`;

function describeEntry(entry: DeadLetterListEntry): string {
  const origin = `${entry.originalTopic}[${entry.originalPartition ?? '?'}]@${entry.originalOffset ?? '?'}`;
  const what = entry.decodable ? `${entry.eventType ?? '?'} ${entry.eventId ?? ''} tenant ${entry.tenantId ?? '?'}` : `${entry.valueBytes} byte(s) that do not decode${entry.eventType ? ` (header says ${entry.eventType})` : ''}, tenant unknown`;
  const replay = entry.replay === null ? '' : entry.replay.status === 'done' ? `  REPLAYED by ${entry.replay.replayedBy ?? '?'} at ${entry.replay.replayedAt ?? '?'}` : `  replay PENDING (asked by ${entry.replay.requestedBy}; replay again to complete it)`;
  return `${entry.failedAt}  ${where(entry.position)}  from ${origin}  group ${entry.consumerGroup ?? '?'}  attempts ${entry.attempts ?? '?'}  key ${entry.key ?? '(none)'}\n    ${entry.errorCode ?? 'no error code'}: ${entry.errorMessage ?? ''}\n    ${what}${replay}`;
}

function printListing(io: Io, listing: DeadLetterListing, json: boolean): void {
  if (json) {
    io.print(JSON.stringify(listing));
    return;
  }
  if (listing.entries.length === 0) io.print('no dead letters');
  for (const entry of listing.entries) io.print(describeEntry(entry));
  const shown = listing.entries.length < listing.matched ? ` (showing the newest ${listing.entries.length}; raise --limit for more)` : '';
  io.print(`${listing.matched} dead letter(s)${shown}`);
  if (listing.unknownTenant > 0) io.print(`${listing.unknownTenant} record(s) of unknown tenant left out (their value does not decode; list without --tenant to see them)`);
}

function printReplay(io: Io, result: ReplayOutcome, json: boolean): void {
  if (json) {
    io.print(JSON.stringify(result));
    return;
  }
  const target = where(result.replayedTo);
  if (result.status === 'already_replayed') io.print(`already replayed: ${where(result.dlq)} went back to ${target} by ${result.replayedBy} at ${result.replayedAt}; nothing done`);
  else io.print(`replayed ${where(result.dlq)} to ${target} (replay ${result.replayId}, event ${result.eventId})${result.resumed ? '; this completed an earlier, interrupted replay' : ''}`);
}

/**
 * `dlq list` and `dlq replay` over a dead-letter console: the testable part of the command (the
 * console's topics and stores are the caller's). Returns the exit code.
 */
export async function runDeadLetters(deadLetters: DeadLetterConsole, io: Io, args: readonly string[], options: DeadLettersOptions): Promise<number> {
  const [action, topic, partition, offset] = args;
  const json = options.json === true;
  const usage = (problem: string) => {
    io.printError(`${problem}\n\n${DLQ_USAGE}`);
    return 2;
  };
  try {
    if (action === 'list') {
      const limit = options.limit === undefined ? 100 : Number(options.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > MAX_DEAD_LETTER_LIST_LIMIT) return usage(`--limit must be a whole number from 1 to ${MAX_DEAD_LETTER_LIST_LIMIT}`);
      printListing(io, await deadLetters.list({ limit, ...(options.topic ? { topic: options.topic } : {}), ...(options.tenant ? { tenantId: options.tenant } : {}) }), json);
      return 0;
    }
    if (action === 'replay') {
      if (topic === undefined || partition === undefined || offset === undefined || args.length !== 4) return usage('dlq replay needs <dlqTopic> <partition> <offset>');
      if (!/^\d{1,7}$/.test(partition)) return usage('<partition> must be a whole number from 0');
      const by = options.by ?? process.env['USER'] ?? 'operator';
      printReplay(io, await deadLetters.replay({ position: { topic, partition: Number(partition), offset }, by }), json);
      return 0;
    }
    return usage(action === undefined ? 'dlq needs list or replay' : `unknown dlq command: ${action}`);
  } catch (error) {
    // Bad input and unknown positions are answers, not crashes.
    if (isPlatformError(error) && !error.retriable && ['DEAD_LETTER_NOT_FOUND', 'DEAD_LETTER_NOT_REPLAYABLE', 'UNKNOWN_TOPIC', 'INVALID_POSITION', 'INVALID_INPUT'].includes(error.code)) {
      io.printError(`${error.code}: ${error.message}`);
      return error.code === 'DEAD_LETTER_NOT_FOUND' || error.code === 'DEAD_LETTER_NOT_REPLAYABLE' ? 1 : 2;
    }
    throw error;
  }
}

/** `supportstream dlq …`: the platform's five topics, the ledger in DATABASE_URL (migration 015). */
export async function deadLettersCommand(context: CommandContext, args: readonly string[], options: DeadLettersOptions): Promise<number> {
  const kafka = createKafka({ brokers: context.config.KAFKA_BROKERS, clientId: 'supportstream-cli', logger: context.logger, namespace: context.config.SUPPORTSTREAM_NAMESPACE });
  const codec = commandCodec(context);
  const pool = createPool(context.config.DATABASE_URL, { max: 2, applicationName: 'supportstream-cli' });
  const events = createEventProducer({ kafka, codec, logger: context.logger, metrics: createMetricsRegistry({}, false) });
  const deadLetters = createDeadLetterConsole({ kafka, codec, ledger: postgresReplayLedger({ pool }), events, logger: context.logger, producerName: 'supportstream-cli' });
  const connected = args[0] === 'replay';
  if (connected) await events.connect();
  try {
    return await runDeadLetters(deadLetters, { print: context.print, printError: context.printError ?? context.print }, args, options);
  } finally {
    await deadLetters.close();
    if (connected) await events.disconnect();
    await pool.end();
  }
}

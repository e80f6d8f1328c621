import { InvalidInputError, isPlatformError, isRetriable, PlatformError, TransientError } from '@supportstream/errors';
import { createEventFactory, systemClock, TOPIC_NAMES, type Clock, type DecodedEvent, type EventCodec } from '@supportstream/events';
import type { Logger } from '@supportstream/observability';
import kafkajs, { type IHeaders, type Producer } from 'kafkajs';
import { createIdempotentProducer, kafkajsOf, namesOf, type KafkaClient } from '../client.js';
import { defaultDeadLetterTopic } from '../deadLetter.js';
import type { EventProducer } from '../producer.js';
import { readRawToEnd, type RawReadRecord } from '../readToEnd.js';
import { deadLetterView, positionKey, positionProblem, replayHeaders, replayIdOf, replayRefusal, toDeadLetterRecord, type DeadLetterPosition, type DeadLetterRecord } from './deadLetterRecord.js';
import { createDeadline, readRecordAt } from './readRecordAt.js';
import { deadLetterReplayedEvent } from './replayEvent.js';
import { isDone, type ReplayCompletion, type ReplayEntry, type ReplayLedger } from './replayLedger.js';

export interface DeadLetterConsoleOptions {
  readonly kafka: KafkaClient;
  /** Decodes values to learn their tenant and event type; only the envelope is read, so no cipher is needed. */
  readonly codec: EventCodec;
  readonly ledger: ReplayLedger;
  /** Publishes DeadLetterReplayed (to system.analytics, unless the producer's topicFor says otherwise). */
  readonly events: Pick<EventProducer, 'publish'>;
  /** The topics whose `<topic>.dlq` are read and replayed (default: the platform's five). */
  readonly topics?: readonly string[];
  readonly logger: Logger;
  /** metadata.producer of the audit events, e.g. 'cli' or 'gateway'. */
  readonly producerName: string;
  readonly clock?: Clock;
  /** Bound on each list or replay's Kafka work (default 20 s). */
  readonly timeoutMs?: number;
}

export interface DeadLetterFilter {
  /** An original topic or its `.dlq`; default all. */
  readonly topic?: string;
  /** Only this tenant's records; records whose tenant cannot be read are then left out (and counted). */
  readonly tenantId?: string;
  /** Newest first, at most this many (default 100). */
  readonly limit?: number;
}

export type DeadLetterView = ReturnType<typeof deadLetterView>;

export interface ReplayState {
  readonly replayId: string;
  readonly status: 'pending' | 'done';
  readonly requestedBy: string;
  readonly replayedBy: string | null;
  readonly replayedAt: string | null;
}

export interface DeadLetterListEntry extends DeadLetterView {
  /** This record's replay, if one was asked for (pending: recorded, not completed yet). */
  readonly replay: ReplayState | null;
}

export interface DeadLetterListing {
  readonly entries: readonly DeadLetterListEntry[];
  /** How many matched before the limit. */
  readonly matched: number;
  /** With a tenant filter: records left out because their value does not decode, so their tenant is unknown. */
  readonly unknownTenant: number;
}

export interface ReplayRequest {
  readonly position: DeadLetterPosition;
  /** Who replays: recorded in the ledger and the audit event. */
  readonly by: string;
  /** Replay only a record of this tenant (the gateway's admins); any other answers not found. */
  readonly tenantId?: string;
}

export interface ReplayOutcome {
  readonly status: 'replayed' | 'already_replayed';
  readonly replayId: string;
  readonly dlq: DeadLetterPosition;
  readonly originalTopic: string;
  readonly replayedTo: { readonly topic: string; readonly partition: number; readonly offset: string };
  readonly replayedBy: string;
  readonly replayedAt: string;
  /** Id of the DeadLetterReplayed event. */
  readonly eventId: string;
  /** This call finished a replay an earlier call recorded but did not complete (crash, timeout). */
  readonly resumed: boolean;
}

/** Lists a platform's dead letters and puts chosen ones back, once each, audited. */
export interface DeadLetterConsole {
  /** The `.dlq` topics this console reads. */
  readonly deadLetterTopics: readonly string[];
  list(filter?: DeadLetterFilter): Promise<DeadLetterListing>;
  replay(request: ReplayRequest): Promise<ReplayOutcome>;
  /** Disconnects the replay producer (the caller owns the rest). */
  close(): Promise<void>;
}

export class DeadLetterNotFoundError extends InvalidInputError {
  constructor(position: DeadLetterPosition) {
    super('DEAD_LETTER_NOT_FOUND', `no dead letter at ${position.topic}[${position.partition}]@${position.offset}`, { details: { ...position } });
  }
}

export class DeadLetterNotReplayableError extends InvalidInputError {
  constructor(position: DeadLetterPosition, reason: string) {
    super('DEAD_LETTER_NOT_REPLAYABLE', `${position.topic}[${position.partition}]@${position.offset} cannot be replayed: ${reason}`, { details: { ...position } });
  }
}

export class UnknownDeadLetterTopicError extends InvalidInputError {
  constructor(topic: string, known: readonly string[]) {
    super('UNKNOWN_TOPIC', `${topic} is none of ${known.join(', ')} (or their .dlq)`, { details: { topic } });
  }
}

/** The most a list answers at once. */
export const MAX_LIMIT = 1_000;

/** Broker trouble (the client's errors, a read that did not reach the end in time) is retriable: callers answer "try again". */
function kafkaUnavailable(error: unknown): unknown {
  if (isPlatformError(error)) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof kafkajs.KafkaJSError || /did not reach the end within/.test(message)) return new TransientError('KAFKA_UNAVAILABLE', `Kafka: ${message}`, { cause: error });
  return error;
}

async function orKafkaUnavailable<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw kafkaUnavailable(error);
  }
}

const stateOf = (entry: ReplayEntry | undefined): ReplayState | null =>
  entry === undefined ? null : { replayId: entry.replayId, status: entry.status, requestedBy: entry.requestedBy, replayedBy: entry.completion?.replayedBy ?? null, replayedAt: entry.completion?.replayedAt.toISOString() ?? null };

const newestFirst = (a: DeadLetterRecord, b: DeadLetterRecord): number =>
  a.failedAt !== b.failedAt ? (a.failedAt < b.failedAt ? 1 : -1) : a.position.topic !== b.position.topic ? (a.position.topic < b.position.topic ? -1 : 1) : a.position.partition - b.position.partition || (BigInt(b.position.offset) > BigInt(a.position.offset) ? 1 : -1);

export function createDeadLetterConsole(options: DeadLetterConsoleOptions): DeadLetterConsole {
  const { kafka, codec, ledger, logger } = options;
  const clock = options.clock ?? systemClock;
  const timeoutMs = options.timeoutMs ?? 20_000;
  const topics = options.topics ?? TOPIC_NAMES;
  const deadLetterTopics = topics.map(defaultDeadLetterTopic);
  const factory = createEventFactory({ producer: options.producerName, clock });
  const log = logger.child({ component: 'dead-letters' });
  let producer: Promise<Producer> | undefined;

  function replayProducer(): Promise<Producer> {
    if (producer === undefined) {
      const created = createIdempotentProducer(kafka);
      producer = created.connect().then(() => created);
      producer.catch(() => {
        producer = undefined;
      });
    }
    return producer;
  }

  async function decoded(raw: RawReadRecord): Promise<DecodedEvent | undefined> {
    try {
      return await codec.decode(raw.value);
    } catch (error) {
      // A registry outage is no verdict on the bytes: fail, rather than call the record undecodable.
      if (isRetriable(error)) throw error;
      return undefined;
    }
  }

  function dlqTopicsOf(topic: string | undefined): string[] {
    if (topic === undefined) return [...deadLetterTopics];
    const dlq = deadLetterTopics.includes(topic) ? topic : defaultDeadLetterTopic(topic);
    if (!deadLetterTopics.includes(dlq)) throw new UnknownDeadLetterTopicError(topic, topics);
    return [dlq];
  }

  async function existing(names: readonly string[]): Promise<string[]> {
    const admin = kafkajsOf(kafka).admin();
    const bounded = createDeadline(timeoutMs, 'listing topics');
    await bounded(admin.connect());
    try {
      // Logical names: only the client's namespace's topics count.
      const kafkaNames = namesOf(kafka);
      const present = new Set((await bounded(admin.listTopics())).filter((topic) => kafkaNames.owns(topic)).map((topic) => kafkaNames.logicalTopic(topic)));
      return names.filter((name) => present.has(name));
    } finally {
      await admin.disconnect();
    }
  }

  const visibleTo = (tenantId: string | undefined, recordTenant: string | null) => tenantId === undefined || recordTenant === tenantId;

  function outcome(status: ReplayOutcome['status'], entry: ReplayEntry & { completion: ReplayCompletion }, resumed: boolean): ReplayOutcome {
    const { completion } = entry;
    return {
      status,
      replayId: entry.replayId,
      dlq: entry.position,
      originalTopic: entry.originalTopic,
      replayedTo: { topic: entry.originalTopic, partition: completion.replayedToPartition, offset: completion.replayedToOffset },
      replayedBy: completion.replayedBy,
      replayedAt: completion.replayedAt.toISOString(),
      eventId: completion.eventId,
      resumed,
    };
  }

  /** Produces the record to its original topic, then announces it; what the ledger marks done. */
  async function putBack(record: DeadLetterRecord, raw: RawReadRecord, replayId: string, by: string): Promise<ReplayCompletion> {
    const bounded = createDeadline(timeoutMs, `replaying ${record.position.topic}[${record.position.partition}]@${record.position.offset}`);
    const sender = await bounded(replayProducer());
    // Same key, so the default partitioner puts it where its conversation's events go now; a keyless record returns to its partition.
    const partition = raw.key === null && record.originalPartition !== null ? { partition: record.originalPartition } : {};
    const [written] = await bounded(sender.send({ topic: namesOf(kafka).topic(record.originalTopic), acks: -1, messages: [{ key: raw.key, value: raw.value, headers: replayHeaders(raw.headers, replayId) as IHeaders, ...partition }] }));
    if (written?.baseOffset === undefined) throw new PlatformError('REPLAY_UNACKNOWLEDGED', `the broker did not say where ${record.originalTopic} took the record`);
    const replayedAt = clock();
    const event = deadLetterReplayedEvent(factory, record, { replayId, replayedBy: by, replayedAt, replayedToPartition: written.partition, replayedToOffset: written.baseOffset });
    await bounded(options.events.publish([event]));
    log.info({ replayId, dlq: record.position, topic: record.originalTopic, partition: written.partition, offset: written.baseOffset, by, eventId: event.metadata.eventId }, 'dead letter replayed');
    return { replayedBy: by, replayedAt, replayedToPartition: written.partition, replayedToOffset: written.baseOffset, eventId: event.metadata.eventId };
  }

  async function list(filter: DeadLetterFilter): Promise<DeadLetterListing> {
    const limit = filter.limit ?? 100;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) throw new InvalidInputError('INVALID_INPUT', `limit must be a whole number from 1 to ${MAX_LIMIT}`);
    const names = await existing(dlqTopicsOf(filter.topic));
    const raws = names.length === 0 ? [] : await readRawToEnd(kafka, names, { timeoutMs });
    const records: DeadLetterRecord[] = [];
    let unknownTenant = 0;
    for (const raw of raws) {
      const record = toDeadLetterRecord(raw, await decoded(raw));
      if (filter.tenantId !== undefined && record.tenantId === null) unknownTenant += 1;
      else if (visibleTo(filter.tenantId, record.tenantId)) records.push(record);
    }
    records.sort(newestFirst);
    const page = records.slice(0, limit);
    const replays = await ledger.find(page.map((record) => record.position));
    return {
      entries: page.map((record) => ({ ...deadLetterView(record), replay: stateOf(replays.get(positionKey(record.position))) })),
      matched: records.length,
      unknownTenant,
    };
  }

  async function replay({ position, by, tenantId }: ReplayRequest): Promise<ReplayOutcome> {
    const problem = positionProblem(position);
    if (problem !== undefined) throw new InvalidInputError('INVALID_POSITION', `${position.topic}[${position.partition}]@${position.offset}: ${problem}`);
    if (by.trim() === '') throw new InvalidInputError('INVALID_INPUT', 'a replay needs the name of who replays it');
    if (!deadLetterTopics.includes(position.topic)) throw new DeadLetterNotFoundError(position);
    // A replay already done answers from the ledger alone, without reading Kafka.
    const known = (await ledger.find([position])).get(positionKey(position));
    if (known !== undefined && isDone(known)) {
      if (!visibleTo(tenantId, known.tenantId)) throw new DeadLetterNotFoundError(position);
      return outcome('already_replayed', known, false);
    }
    const raw = await readRecordAt(kafka, position, { timeoutMs });
    if (raw === undefined) throw new DeadLetterNotFoundError(position);
    const record = toDeadLetterRecord(raw, await decoded(raw));
    if (!visibleTo(tenantId, record.tenantId)) throw new DeadLetterNotFoundError(position);
    const refusal = replayRefusal(record);
    if (refusal !== undefined) throw new DeadLetterNotReplayableError(position, refusal);
    const replayId = replayIdOf(position);
    const result = await ledger.replayOnce(
      {
        position,
        replayId,
        originalTopic: record.originalTopic,
        originalPartition: record.originalPartition,
        originalOffset: record.originalOffset,
        tenantId: record.tenantId,
        errorCode: record.errorCode,
        requestedBy: by,
        requestedAt: clock(),
      },
      () => putBack(record, raw, replayId, by),
    );
    return outcome(result.status, result.entry, result.resumed);
  }

  return {
    deadLetterTopics,

    list: (filter = {}) => orKafkaUnavailable(() => list(filter)),
    replay: (request) => orKafkaUnavailable(() => replay(request)),

    async close() {
      const pending = producer;
      producer = undefined;
      if (pending !== undefined) await (await pending.catch(() => undefined))?.disconnect();
    },
  };
}

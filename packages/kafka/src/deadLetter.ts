import { errorCode, errorMessage } from '@supportstream/errors';
import type { IHeaders, Producer } from 'kafkajs';
import { createIdempotentProducer, namesOf, type KafkaClient } from './client.js';
import { HEADER, type ConsumedMessage, type MessageHeaders } from './headers.js';

export interface DeadLetter {
  readonly topic: string;
  readonly partition: number;
  readonly message: ConsumedMessage;
  readonly group: string;
  readonly error: unknown;
  readonly attempts: number;
  readonly failedAt: Date;
}

/** Writes dead letters: the original key, value and headers plus why and where from (acks=all, idempotent). */
export interface DeadLetterProducer {
  connect(): Promise<void>;
  send(dlqTopic: string, letter: DeadLetter): Promise<void>;
  disconnect(): Promise<void>;
}

export const defaultDeadLetterTopic = (topic: string): string => `${topic}.dlq`;

/** Header values are bounded so one huge error message cannot make the DLQ record too large. */
const MAX_ERROR_MESSAGE = 4_000;

/** The original key, value and headers, plus where the message came from and why it failed. */
export function deadLetterHeaders(letter: DeadLetter): MessageHeaders {
  return {
    ...letter.message.headers,
    [HEADER.dlqTopic]: letter.topic,
    [HEADER.dlqPartition]: String(letter.partition),
    [HEADER.dlqOffset]: letter.message.offset,
    [HEADER.dlqTimestamp]: letter.message.timestamp,
    [HEADER.dlqGroup]: letter.group,
    [HEADER.dlqErrorCode]: errorCode(letter.error),
    [HEADER.dlqErrorMessage]: errorMessage(letter.error).slice(0, MAX_ERROR_MESSAGE),
    [HEADER.dlqAttempts]: String(letter.attempts),
    [HEADER.dlqFailedAt]: letter.failedAt.toISOString(),
  };
}

async function sendToDeadLetterTopic(producer: Producer, dlqTopic: string, letter: DeadLetter): Promise<void> {
  await producer.send({
    topic: dlqTopic,
    acks: -1,
    messages: [{ key: letter.message.key, value: letter.message.value, headers: deadLetterHeaders(letter) as IHeaders }],
  });
}

/** Topic and group names given to it are logical (the headers keep them so); the client's namespace places the record. */
export function createDeadLetterProducer(kafka: KafkaClient): DeadLetterProducer {
  const producer = createIdempotentProducer(kafka);
  const names = namesOf(kafka);
  return {
    connect: () => producer.connect(),
    send: (dlqTopic, letter) => sendToDeadLetterTopic(producer, names.topic(dlqTopic), letter),
    disconnect: () => producer.disconnect(),
  };
}

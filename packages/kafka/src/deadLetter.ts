import { errorCode, errorMessage } from '@supportstream/errors';
import type { IHeaders, KafkaMessage, Producer } from 'kafkajs';
import { HEADER } from './headers.js';

export interface DeadLetter {
  readonly topic: string;
  readonly partition: number;
  readonly message: KafkaMessage;
  readonly group: string;
  readonly error: unknown;
  readonly attempts: number;
  readonly failedAt: Date;
}

export const defaultDeadLetterTopic = (topic: string): string => `${topic}.dlq`;

/** Header values are bounded so one huge error message cannot make the DLQ record too large. */
const MAX_ERROR_MESSAGE = 4_000;

/** The original key, value and headers, plus where the message came from and why it failed. */
export function deadLetterHeaders(letter: DeadLetter): IHeaders {
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

export async function sendToDeadLetterTopic(producer: Producer, dlqTopic: string, letter: DeadLetter): Promise<void> {
  await producer.send({
    topic: dlqTopic,
    acks: -1,
    messages: [{ key: letter.message.key, value: letter.message.value, headers: deadLetterHeaders(letter) }],
  });
}

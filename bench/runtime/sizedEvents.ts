import { createEventFactory, type EventCodec, type SupportEvent } from '@supportstream/events';
import { toMessage } from '@supportstream/kafka';
import { SAMPLE_DATA, sampleContext } from '@supportstream/testing';

export type BenchEvent = SupportEvent<'RequestReceived'>;

export interface SizedEvents {
  /** A fresh RequestReceived (new event id, occurredAt = now) on conversation `index % conversations`. */
  make(index: number): BenchEvent;
  /** Length of the padded `message`, in characters (ASCII, so also bytes). */
  readonly messageChars: number;
}

export interface EventSize {
  /** Kafka record value: 5-byte schema-registry header + Avro body. Min and max over the sample. */
  readonly valueBytesMin: number;
  readonly valueBytesMax: number;
  readonly keyBytes: number;
  /** Header names + values the runtime adds to every record (Kafka's perf test sends none). */
  readonly headerBytes: number;
  readonly sampled: number;
}

const factory = createEventFactory({ producer: 'bench' });

/** Fixed-width conversation ids, so every key (and therefore every value) has the same size. */
export function conversationId(index: number): string {
  return `bench-conv-${String(index).padStart(6, '0')}`;
}

function build(index: number, conversations: number, message: string): BenchEvent {
  const context = sampleContext({ conversationId: conversationId(index % conversations) });
  return factory.create('RequestReceived', { ...SAMPLE_DATA.RequestReceived, message }, context);
}

/**
 * Pads `message` until the encoded value (wire header + Avro) is `targetBytes`. Every other field
 * has a fixed width (UUIDv7 ids, fixed-width conversation ids, a 6-byte timestamp varint), so one
 * calibration holds for all events. A few passes absorb the string-length varint growing.
 */
export async function sizedEvents(codec: EventCodec, targetBytes: number, conversations: number): Promise<SizedEvents> {
  let chars = 0;
  for (let pass = 0; pass < 8; pass += 1) {
    const size = (await codec.encode(build(0, conversations, 'x'.repeat(chars)))).length;
    if (size === targetBytes) break;
    chars = Math.max(0, chars + targetBytes - size);
  }
  const message = 'x'.repeat(chars);
  return { make: (index) => build(index, conversations, message), messageChars: chars };
}

/** Encodes a sample of events the way the producer will, to report the real record sizes. */
export async function measureSize(codec: EventCodec, events: SizedEvents, sample = 200): Promise<EventSize> {
  let min = Number.POSITIVE_INFINITY;
  let max = 0;
  let keyBytes = 0;
  let headerBytes = 0;
  for (let index = 0; index < sample; index += 1) {
    const event = events.make(index * 7919);
    const value = await codec.encode(event);
    min = Math.min(min, value.length);
    max = Math.max(max, value.length);
    const message = toMessage(event, value);
    keyBytes = Math.max(keyBytes, Buffer.byteLength(String(message.key)));
    const headers = Object.entries(message.headers ?? {}).reduce((total, [name, header]) => total + Buffer.byteLength(name) + Buffer.byteLength(String(header)), 0);
    headerBytes = Math.max(headerBytes, headers);
  }
  return { valueBytesMin: min, valueBytesMax: max, keyBytes, headerBytes, sampled: sample };
}

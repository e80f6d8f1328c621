import type { Kafka } from 'kafkajs';

export interface QuietOptions {
  /** How long nothing may change before the log counts as quiet. */
  readonly quietMs: number;
  /** The overall bound: fails if the log never stays quiet that long. */
  readonly timeoutMs: number;
  readonly intervalMs?: number;
  readonly description?: string;
}

/**
 * Waits until `fingerprint` (e.g. the topics' high watermarks plus what an observer has seen)
 * has not changed for `quietMs`: duplicates still in flight have then arrived, with no fixed
 * sleep. Fails after `timeoutMs`.
 */
export async function waitUntilQuiet(fingerprint: () => Promise<string> | string, options: QuietOptions): Promise<void> {
  const intervalMs = options.intervalMs ?? 250;
  const deadline = Date.now() + options.timeoutMs;
  let last = await fingerprint();
  let since = Date.now();
  while (Date.now() - since < options.quietMs) {
    if (Date.now() >= deadline) {
      throw new Error(`timed out after ${options.timeoutMs} ms waiting for ${options.description ?? 'the log'} to stay quiet for ${options.quietMs} ms (last: ${last.slice(0, 300)})`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
    const current = await fingerprint();
    if (current !== last) {
      last = current;
      since = Date.now();
    }
  }
}

export interface WatermarkProbe {
  /** The topics' high watermarks as one string: it changes whenever a record is appended. */
  read(): Promise<string>;
  close(): Promise<void>;
}

/** Reads high watermarks over one admin connection, for waitUntilQuiet. */
export async function watermarkProbe(kafka: Kafka, topics: readonly string[]): Promise<WatermarkProbe> {
  const admin = kafka.admin();
  await admin.connect();
  return {
    async read() {
      const offsets = await Promise.all(topics.map(async (topic) => ({ topic, partitions: await admin.fetchTopicOffsets(topic) })));
      return offsets.map(({ topic, partitions }) => `${topic}:${partitions.map((partition) => `${partition.partition}=${partition.high}`).join(',')}`).join(' ');
    },
    close: () => admin.disconnect(),
  };
}

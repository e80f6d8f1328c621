import { v5 as uuidv5, v7 as uuidv7 } from 'uuid';

/** Fixed namespace for the platform's name-based (v5) UUIDs. Never change it: ids would change. */
const EVENT_ID_NAMESPACE = '0d4f1c52-6a53-4f7e-9a3e-2b7c5e1f9a10';

export interface StepEventKey {
  readonly conversationId: string;
  /** The checkpoint the step produced (or resumed from). */
  readonly checkpointId: string;
  readonly node: string;
  readonly eventType: string;
  /** Distinguishes several events of one type from one step (e.g. two LlmUsage records). */
  readonly index?: number;
}

/**
 * Deterministic event id derived from (conversationId, checkpoint id, node, event type): a step
 * re-run after a crash re-emits exactly the same ids, so consumers can deduplicate by id.
 */
export function deterministicEventId(key: StepEventKey): string {
  return uuidv5(JSON.stringify([key.conversationId, key.checkpointId, key.node, key.eventType, key.index ?? 0]), EVENT_ID_NAMESPACE);
}

/** Name-based id for anything else that must be stable across retries (e.g. an idempotency key). */
export function stableId(...parts: readonly string[]): string {
  return uuidv5(JSON.stringify(parts), EVENT_ID_NAMESPACE);
}

export type IdGenerator = () => string;

/** Time-ordered random ids (UUIDv7) for events with no natural key, such as a new request. */
export const randomId: IdGenerator = () => uuidv7();

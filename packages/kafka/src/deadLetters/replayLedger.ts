import { positionKey, type DeadLetterPosition } from './deadLetterRecord.js';

/** What an operator asked for: recorded before anything is produced. */
export interface ReplayIntent {
  readonly position: DeadLetterPosition;
  readonly replayId: string;
  readonly originalTopic: string;
  readonly originalPartition: number | null;
  readonly originalOffset: string | null;
  /** The record's tenant (null when its value does not decode). */
  readonly tenantId: string | null;
  readonly errorCode: string | null;
  readonly requestedBy: string;
  readonly requestedAt: Date;
}

/** What a replay did, written when it is marked done. */
export interface ReplayCompletion {
  readonly replayedBy: string;
  readonly replayedAt: Date;
  readonly replayedToPartition: number;
  readonly replayedToOffset: string;
  /** Id of the DeadLetterReplayed event. */
  readonly eventId: string;
}

export type ReplayStatus = 'pending' | 'done';

/** One row of the ledger: the intent, and once done what the replay did. */
export interface ReplayEntry extends ReplayIntent {
  readonly status: ReplayStatus;
  readonly completion: ReplayCompletion | null;
}

export interface ReplayOnceResult {
  /** replayed: this call produced it (possibly completing an earlier, interrupted attempt); already_replayed: nothing was done. */
  readonly status: 'replayed' | 'already_replayed';
  readonly entry: ReplayEntry & { readonly status: 'done'; readonly completion: ReplayCompletion };
  /** True when this call finished an attempt that an earlier call recorded but never completed (a crash, a timeout). */
  readonly resumed: boolean;
}

/**
 * Remembers which dead-letter records were put back, so each goes back once. The port the
 * replay orchestration uses; adapters: the in-memory twin below, PostgreSQL
 * (postgresReplayLedger.ts, table dead_letter_replays of migration 015).
 */
export interface ReplayLedger {
  /** The entries of the positions that have one, by positionKey. */
  find(positions: readonly DeadLetterPosition[]): Promise<ReadonlyMap<string, ReplayEntry>>;
  /**
   * Records the intent (an existing one is kept), then, holding the position's lock, runs
   * `replay` unless the entry is done, and marks it done with what `replay` returned. A failing
   * `replay` leaves the entry pending (and rethrows), so the next call runs it again; concurrent
   * calls for one position run `replay` once, the others answer already_replayed.
   */
  replayOnce(intent: ReplayIntent, replay: (entry: ReplayEntry) => Promise<ReplayCompletion>): Promise<ReplayOnceResult>;
}

export function isDone(entry: ReplayEntry): entry is ReplayOnceResult['entry'] {
  return entry.status === 'done' && entry.completion !== null;
}

/** In-memory twin, for unit tests and single-process tools: the same contract, nothing kept across restarts. */
export function inMemoryReplayLedger(): ReplayLedger {
  const entries = new Map<string, ReplayEntry>();
  const locks = new Map<string, Promise<unknown>>();

  async function withLock<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = locks.get(key) ?? Promise.resolve();
    const current = previous.then(work, work);
    const settled = current.catch(() => undefined);
    locks.set(key, settled);
    try {
      return await current;
    } finally {
      if (locks.get(key) === settled) locks.delete(key);
    }
  }

  return {
    find(positions) {
      const found = new Map<string, ReplayEntry>();
      for (const position of positions) {
        const entry = entries.get(positionKey(position));
        if (entry !== undefined) found.set(positionKey(position), entry);
      }
      return Promise.resolve(found);
    },
    replayOnce(intent, replay) {
      const key = positionKey(intent.position);
      const recorded = !entries.has(key);
      if (recorded) entries.set(key, { ...intent, status: 'pending', completion: null });
      return withLock(key, async () => {
        const entry = entries.get(key) ?? { ...intent, status: 'pending' as const, completion: null };
        if (isDone(entry)) return { status: 'already_replayed', entry, resumed: false };
        const completion = await replay(entry);
        const done = { ...entry, status: 'done' as const, completion };
        entries.set(key, done);
        return { status: 'replayed', entry: done, resumed: !recorded };
      });
    },
  };
}

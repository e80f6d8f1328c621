import { useCallback, useState } from 'react';
import { api, ApiError } from '../api/client.js';
import type { DeadLetter, DeadLetterReplay } from '../api/types.js';
import { positionKey, replayPath } from './records.js';

export type ReplayResult =
  | { readonly kind: 'sending' }
  | { readonly kind: 'done'; readonly outcome: DeadLetterReplay }
  | { readonly kind: 'failed'; readonly error: ApiError };

/**
 * The replays asked for on this page, by dead-letter position. A result stays until the page is
 * left, also after the list is read again, so what was done remains in view.
 */
export function useReplays(): { readonly results: ReadonlyMap<string, ReplayResult>; readonly replay: (record: DeadLetter) => Promise<void> } {
  const [results, setResults] = useState<ReadonlyMap<string, ReplayResult>>(new Map());
  const put = useCallback((key: string, result: ReplayResult) => setResults((current) => new Map(current).set(key, result)), []);

  const replay = useCallback(
    async (record: DeadLetter) => {
      const key = positionKey(record.position);
      put(key, { kind: 'sending' });
      try {
        const outcome = await api.post<DeadLetterReplay>(replayPath(record.position), undefined);
        put(key, { kind: 'done', outcome });
      } catch (error) {
        put(key, { kind: 'failed', error: error instanceof ApiError ? error : new ApiError(0, 'UNKNOWN', String(error)) });
      }
    },
    [put],
  );
  return { results, replay };
}

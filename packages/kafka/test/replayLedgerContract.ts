import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeadLetterPosition } from '../src/deadLetters/deadLetterRecord.js';
import type { ReplayCompletion, ReplayIntent, ReplayLedger } from '../src/deadLetters/replayLedger.js';

/** How a contract suite gets the adapter under test (langgraphjs checkpoint-validation's initializer shape). */
export interface ReplayLedgerInitializer {
  readonly name: string;
  create(): Promise<ReplayLedger>;
  destroy?(): Promise<void>;
}

let positions = 0;
const freshPosition = (): DeadLetterPosition => ({ topic: `contract-${process.pid}-${Date.now().toString(36)}.dlq`, partition: 0, offset: String(++positions) });

const intentAt = (position: DeadLetterPosition, by = 'ops@example.test'): ReplayIntent => ({
  position,
  replayId: `replay-${position.topic}-${position.offset}`,
  originalTopic: position.topic.replace(/\.dlq$/, ''),
  originalPartition: 2,
  originalOffset: '41',
  tenantId: 'tenant-a',
  errorCode: 'HANDLER_FAILED',
  requestedBy: by,
  requestedAt: new Date('2026-02-01T10:00:00.000Z'),
});

const completion = (offset: string, by = 'ops@example.test'): ReplayCompletion => ({ replayedBy: by, replayedAt: new Date('2026-02-01T10:00:01.000Z'), replayedToPartition: 1, replayedToOffset: offset, eventId: `event-${offset}` });

/** What every ReplayLedger adapter must do; run against each adapter. */
export function replayLedgerContract(initializer: ReplayLedgerInitializer): void {
  describe(`ReplayLedger contract: ${initializer.name}`, () => {
    let ledger: ReplayLedger;
    beforeAll(async () => {
      ledger = await initializer.create();
    });
    afterAll(async () => {
      await initializer.destroy?.();
    });

    it('knows nothing of a position never replayed', async () => {
      const position = freshPosition();
      expect((await ledger.find([])).size).toBe(0);
      expect((await ledger.find([position])).size).toBe(0);
    });

    it('replays once: a second call does not run the replay and answers already_replayed with the first result', async () => {
      const position = freshPosition();
      let runs = 0;
      const first = await ledger.replayOnce(intentAt(position), () => {
        runs += 1;
        return Promise.resolve(completion('7'));
      });
      expect(first.status).toBe('replayed');
      expect(first.resumed).toBe(false);
      expect(first.entry).toMatchObject({ status: 'done', position, tenantId: 'tenant-a', originalOffset: '41', completion: { replayedToOffset: '7', eventId: 'event-7' } });
      const second = await ledger.replayOnce(intentAt(position, 'someone-else'), () => {
        runs += 1;
        return Promise.resolve(completion('8', 'someone-else'));
      });
      expect(second.status).toBe('already_replayed');
      expect(second.entry.completion).toEqual(first.entry.completion);
      expect(second.entry.requestedBy).toBe('ops@example.test');
      expect(runs).toBe(1);
      const found = (await ledger.find([position, freshPosition()])).get(`${position.topic}\u0000${position.partition}\u0000${position.offset}`);
      expect(found?.status).toBe('done');
      expect(found?.completion?.replayedAt.toISOString()).toBe('2026-02-01T10:00:01.000Z');
    });

    it('keeps a failed replay pending, and the next call completes it (resumed)', async () => {
      const position = freshPosition();
      await expect(ledger.replayOnce(intentAt(position), () => Promise.reject(new Error('broker went away')))).rejects.toThrow('broker went away');
      const pending = [...(await ledger.find([position])).values()];
      expect(pending.map((entry) => [entry.status, entry.completion])).toEqual([['pending', null]]);
      const retried = await ledger.replayOnce(intentAt(position, 'second@example.test'), (entry) => {
        expect(entry.status).toBe('pending');
        expect(entry.requestedBy).toBe('ops@example.test');
        return Promise.resolve(completion('9', 'second@example.test'));
      });
      expect(retried.status).toBe('replayed');
      expect(retried.resumed).toBe(true);
      expect(retried.entry.completion.replayedBy).toBe('second@example.test');
    });

    it('runs the replay once when two calls race for one position', async () => {
      const position = freshPosition();
      let runs = 0;
      const slow = () =>
        new Promise<ReplayCompletion>((resolve) => {
          runs += 1;
          setTimeout(() => resolve(completion(String(10 + runs))), 150);
        });
      const results = await Promise.all([ledger.replayOnce(intentAt(position, 'a'), slow), ledger.replayOnce(intentAt(position, 'b'), slow)]);
      expect(results.map((result) => result.status).sort()).toEqual(['already_replayed', 'replayed']);
      expect(runs).toBe(1);
      expect(results[0]?.entry.completion).toEqual(results[1]?.entry.completion);
    });

    it('keeps positions apart: the same offset on another partition or topic is another record', async () => {
      const position = freshPosition();
      await ledger.replayOnce(intentAt(position), () => Promise.resolve(completion('1')));
      const otherPartition = { ...position, partition: 1 };
      const otherTopic = { ...position, topic: `other-${position.topic}` };
      for (const other of [otherPartition, otherTopic]) {
        const result = await ledger.replayOnce({ ...intentAt(other), replayId: `replay-other-${other.topic}-${other.partition}` }, () => Promise.resolve(completion('2')));
        expect(result.status).toBe('replayed');
      }
    });
  });
}

import { isPlatformError } from '@supportstream/errors';
import { describe, expect, it } from 'vitest';
import type { Interaction, SessionMemory } from '../src/session/sessionMemory.js';

export interface SessionMemoryHarness {
  readonly memory: SessionMemory;
  /** Lets `ms` pass for the purpose of TTLs (a fake clock, or shortening Redis TTLs). */
  readonly elapse: (ms: number) => Promise<void>;
}

export interface ContractLimits {
  readonly maxInteractions: number;
  readonly ttlSeconds: number;
  readonly maxTextChars: number;
  readonly maxSummaryChars: number;
}

const limits: ContractLimits = { maxInteractions: 3, ttlSeconds: 60, maxTextChars: 20, maxSummaryChars: 10 };

function interaction(n: number, overrides: Partial<Interaction> = {}): Interaction {
  return { at: new Date(Date.UTC(2025, 0, 1, 12, n)).toISOString(), conversationId: `conv-${n}`, role: n % 2 === 0 ? 'customer' : 'agent', text: `message ${n}`, ...overrides };
}

/** The behaviour every SessionMemory adapter shares (in-memory twin, Redis). */
export function sessionMemoryContract(name: string, setup: (limits: ContractLimits) => SessionMemoryHarness | Promise<SessionMemoryHarness>): void {
  describe(`SessionMemory contract: ${name}`, () => {
    it('has nothing for an unknown customer', async () => {
      const { memory } = await setup(limits);
      expect(await memory.recent('t1', 'nobody', 10)).toEqual([]);
    });

    it('returns the newest interactions first, at most `limit`', async () => {
      const { memory } = await setup(limits);
      await memory.append('t1', 'c1', interaction(1));
      await memory.append('t1', 'c1', interaction(2, { summary: 'asked about refund' }));
      expect(await memory.recent('t1', 'c1', 10)).toEqual([interaction(2, { summary: 'asked abo…' }), interaction(1)]);
      expect(await memory.recent('t1', 'c1', 1)).toEqual([interaction(2, { summary: 'asked abo…' })]);
      expect(await memory.recent('t1', 'c1', 0)).toEqual([]);
    });

    it('appends several interactions in one write, the last one newest, within the bound', async () => {
      const { memory } = await setup(limits);
      await memory.append('t1', 'c1', interaction(1));
      await memory.append('t1', 'c1', interaction(2), interaction(3), interaction(4));
      expect((await memory.recent('t1', 'c1', 10)).map((item) => item.conversationId)).toEqual(['conv-4', 'conv-3', 'conv-2']);
      await memory.append('t1', 'c1');
      expect((await memory.recent('t1', 'c1', 10)).map((item) => item.conversationId)).toEqual(['conv-4', 'conv-3', 'conv-2']);
    });

    it('keeps only the newest maxInteractions', async () => {
      const { memory } = await setup(limits);
      for (let n = 1; n <= 5; n++) await memory.append('t1', 'c1', interaction(n));
      expect((await memory.recent('t1', 'c1', 10)).map((item) => item.conversationId)).toEqual(['conv-5', 'conv-4', 'conv-3']);
    });

    it('keeps tenants and customers apart, even when ids contain separators', async () => {
      const { memory } = await setup(limits);
      await memory.append('t1', 'c1', interaction(1));
      await memory.append('t2', 'c1', interaction(2));
      await memory.append('a:b', 'c', interaction(3));
      await memory.append('a', 'b:c', interaction(4));
      expect((await memory.recent('t1', 'c1', 10)).map((item) => item.conversationId)).toEqual(['conv-1']);
      expect((await memory.recent('t2', 'c1', 10)).map((item) => item.conversationId)).toEqual(['conv-2']);
      expect((await memory.recent('a:b', 'c', 10)).map((item) => item.conversationId)).toEqual(['conv-3']);
      expect((await memory.recent('a', 'b:c', 10)).map((item) => item.conversationId)).toEqual(['conv-4']);
    });

    it('truncates long texts at the bound without splitting a character', async () => {
      const { memory } = await setup(limits);
      await memory.append('t1', 'c1', interaction(1, { text: `${'🙂'.repeat(25)}` }));
      const [stored] = await memory.recent('t1', 'c1', 1);
      expect([...stored!.text]).toHaveLength(20);
      expect(stored!.text).toBe(`${'🙂'.repeat(19)}…`);
    });

    it('rejects a malformed interaction and stores nothing', async () => {
      const { memory } = await setup(limits);
      const bad = [
        interaction(1, { at: 'yesterday' }),
        interaction(1, { role: 'robot' as 'agent' }),
        interaction(1, { conversationId: '' }),
      ];
      for (const item of bad) {
        const error = await memory.append('t1', 'c1', item).then(() => undefined, (e: unknown) => e);
        expect(isPlatformError(error) && error.code).toBe('SESSION_INTERACTION_INVALID');
        expect(isPlatformError(error) && error.retriable).toBe(false);
      }
      const noCustomer = await memory.append('t1', '', interaction(1)).then(() => undefined, (e: unknown) => e);
      expect(isPlatformError(noCustomer) && noCustomer.code).toBe('SESSION_CUSTOMER_INVALID');
      expect(await memory.recent('t1', 'c1', 10)).toEqual([]);
    });

    it('forgets a customer ttlSeconds after the last append', async () => {
      const { memory, elapse } = await setup(limits);
      await memory.append('t1', 'c1', interaction(1));
      await elapse(59_000);
      expect(await memory.recent('t1', 'c1', 10)).toHaveLength(1);
      await elapse(2_000);
      expect(await memory.recent('t1', 'c1', 10)).toEqual([]);
    });

    it('forgets one customer on request, counting what it removed, and again counts 0', async () => {
      const { memory } = await setup(limits);
      await memory.append('t1', 'c1', interaction(1), interaction(2));
      await memory.append('t1', 'c2', interaction(3));
      await memory.append('t2', 'c1', interaction(4));
      expect(await memory.forget('t1', 'c1')).toBe(1);
      expect(await memory.recent('t1', 'c1', 10)).toEqual([]);
      expect(await memory.forget('t1', 'c1')).toBe(0);
      expect(await memory.forget('t1', 'nobody')).toBe(0);
      expect((await memory.recent('t1', 'c2', 10)).map((item) => item.conversationId)).toEqual(['conv-3']);
      expect((await memory.recent('t2', 'c1', 10)).map((item) => item.conversationId)).toEqual(['conv-4']);
      // A customer who comes back after the erasure starts from nothing.
      await memory.append('t1', 'c1', interaction(5));
      expect((await memory.recent('t1', 'c1', 10)).map((item) => item.conversationId)).toEqual(['conv-5']);
    });

    it('counts an expired session as nothing to forget, and rejects an empty customer', async () => {
      const { memory, elapse } = await setup(limits);
      await memory.append('t1', 'c1', interaction(1));
      await elapse(61_000);
      expect(await memory.forget('t1', 'c1')).toBe(0);
      await expect(memory.forget('t1', '')).rejects.toMatchObject({ code: 'SESSION_CUSTOMER_INVALID', retriable: false });
    });

    it('refreshes the TTL on every append', async () => {
      const { memory, elapse } = await setup(limits);
      await memory.append('t1', 'c1', interaction(1));
      await elapse(40_000);
      await memory.append('t1', 'c1', interaction(2));
      await elapse(40_000); // 80 s after the first append, 40 s after the last
      expect((await memory.recent('t1', 'c1', 10)).map((item) => item.conversationId)).toEqual(['conv-2', 'conv-1']);
      await elapse(21_000);
      expect(await memory.recent('t1', 'c1', 10)).toEqual([]);
    });
  });
}

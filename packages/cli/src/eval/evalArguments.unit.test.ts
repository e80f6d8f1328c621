import { loadPlatformConfig } from '@supportstream/config';
import { createLogger } from '@supportstream/observability';
import { describe, expect, it } from 'vitest';
import type { CommandContext } from '../commands.js';
import { DEFAULT_DATASET, evalFromArguments, parseEvalArguments, type EvalArguments } from './evalArguments.js';

const from = '2026-11-23T00:00:00Z';
const to = '2026-11-30T00:00:00Z';
const refusal = (args: EvalArguments) => {
  const request = parseEvalArguments(args);
  return request.source === 'refused' ? request.message : undefined;
};

describe('parseEvalArguments', () => {
  it('given no source, then the dataset runs with the defaults', () => {
    expect(parseEvalArguments({})).toEqual({
      source: 'dataset',
      options: { dataset: DEFAULT_DATASET, out: 'eval/results', knowledgeDir: 'knowledge', json: false, gate: false },
    });
  });

  it('given a window, then recorded traffic runs over it, with the tenant, the limit and the provider', () => {
    const args = { from, to, tenant: 'tenant-a', limit: '20', provider: 'openai', json: true, gate: true };
    expect(parseEvalArguments(args)).toEqual({
      source: 'recorded',
      options: {
        from: new Date(from),
        to: new Date(to),
        tenant: 'tenant-a',
        limit: 20,
        provider: 'openai',
        out: 'eval/results',
        knowledgeDir: 'knowledge',
        json: true,
        gate: true,
      },
    });
    expect(parseEvalArguments({ from, to })).toMatchObject({ source: 'recorded', options: { limit: 500 } });
  });

  it('given --dataset with --from or --to, then it is refused: they are two sources', () => {
    const message = 'eval: --dataset and --from/--to are two sources (a labelled file, or recorded traffic); give one';
    expect(refusal({ dataset: 'eval/datasets/support-tickets.jsonl', from, to })).toBe(message);
    expect(refusal({ dataset: 'mine.jsonl', from })).toBe(message);
  });

  it('given half a window, a bad time, an empty window or a bad limit, then it is refused with what is wrong', () => {
    expect(refusal({ from })).toBe('eval: recorded traffic needs both --from and --to (ISO-8601 times)');
    expect(refusal({ to })).toBe('eval: recorded traffic needs both --from and --to (ISO-8601 times)');
    expect(refusal({ from: 'last monday', to })).toBe(
      'eval: --from and --to must be ISO-8601 times, e.g. 2026-11-21T09:00:00Z',
    );
    expect(refusal({ from: to, to: from })).toBe('eval: --from must be before --to');
    expect(refusal({ from, to: from })).toBe('eval: --from must be before --to');
    for (const limit of ['0', '-3', '2.5', 'ten']) {
      expect(refusal({ from, to, limit })).toBe('eval: --limit must be a positive integer');
    }
  });

  it('given --tenant or --limit without a window, then it is refused rather than ignored', () => {
    const message = 'eval: --tenant and --limit select recorded traffic; give them with --from and --to';
    expect(refusal({ tenant: 'tenant-a' })).toBe(message);
    expect(refusal({ limit: '5' })).toBe(message);
  });
});

describe('evalFromArguments', () => {
  it('given --dataset with --from, then the command exits 2 with the reason on stderr, and runs nothing', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const context: CommandContext = {
      // Endpoints nobody listens on: a command that tried to read or run anything would fail, not exit 2.
      config: loadPlatformConfig({ KAFKA_BROKERS: '127.0.0.1:1', DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' }),
      logger: createLogger({ service: 'test', level: 'fatal' }),
      print: (line) => out.push(line),
      printError: (line) => err.push(line),
    };
    const code = await evalFromArguments(context, { dataset: 'eval/datasets/support-tickets.jsonl', from, to });
    expect(code).toBe(2);
    expect(out).toEqual([]);
    expect(err).toEqual([
      'eval: --dataset and --from/--to are two sources (a labelled file, or recorded traffic); give one',
    ]);
  });
});

import { PassThrough } from 'node:stream';
import { Counter } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createLogger, createMetricsRegistry, startMetricsServer } from './index.js';

function capture(): { stream: PassThrough; lines: () => string[] } {
  const stream = new PassThrough();
  const chunks: string[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk.toString('utf8')));
  return { stream, lines: () => chunks.join('').split('\n').filter(Boolean) };
}

describe('logger', () => {
  it('writes structured JSON with the service and child fields', () => {
    const out = capture();
    const logger = createLogger({ service: 'triage', destination: out.stream });
    logger.child({ component: 'consumer', correlationId: 'c-1' }).info({ topic: 't', offset: '7' }, 'handled');
    const record = JSON.parse(out.lines()[0] ?? '{}') as Record<string, unknown>;
    expect(record).toMatchObject({ service: 'triage', component: 'consumer', correlationId: 'c-1', topic: 't', offset: '7', msg: 'handled' });
  });

  it('prints one readable line per record in pretty mode', () => {
    const out = capture();
    createLogger({ service: 'gateway', format: 'pretty', destination: out.stream }).warn({ node: 'triage', correlationId: 'c-2' }, 'slow step');
    expect(out.lines()[0]).toMatch(/WARN +\[gateway\] slow step {2}correlationId=c-2 node=triage$/);
  });

  it('respects the level', () => {
    const out = capture();
    createLogger({ service: 's', level: 'warn', destination: out.stream }).info('hidden');
    expect(out.lines()).toHaveLength(0);
  });
});

describe('logger: personal data and secrets', () => {
  const card = '4242 4242 4242 4242';
  const email = 'grace.hopper@example.com';
  const iban = 'DE89 3704 0044 0532 0130 00';

  it('masks personal data in the message, in fields at any depth and in errors, in both formats', () => {
    for (const format of ['json', 'pretty'] as const) {
      const out = capture();
      const logger = createLogger({ service: 'gateway', format, destination: out.stream }).child({ component: 'requests' });
      logger.warn({ request: { message: `my card is ${card}, mail me at ${email}`, tags: [`iban ${iban}`] }, err: new Error(`could not parse "${card}"`) }, `request from ${email} rejected`);
      const written = out.lines().join('\n');
      for (const secret of [card, '4242424242424242', email, iban, 'DE89370400440532013000']) expect(written, format).not.toContain(secret);
      expect(written).toContain('4242');
      expect(written).toContain('rejected');
      expect(written).toContain('could not parse');
    }
  });

  it('keeps a record without personal data as it is', () => {
    const out = capture();
    createLogger({ service: 'triage', destination: out.stream }).info({ conversationId: 'conv-1', attempt: 2, nested: { ok: true } }, 'step done');
    expect(JSON.parse(out.lines()[0] ?? '{}')).toMatchObject({ conversationId: 'conv-1', attempt: 2, nested: { ok: true }, msg: 'step done' });
  });

  it('censors secrets by key, at the top level, one level down and in request headers', () => {
    const out = capture();
    createLogger({ service: 'gateway', destination: out.stream }).info({ authorization: 'Bearer abc.def', config: { password: 'hunter2' }, req: { headers: { authorization: 'ApiKey sk-live-1' } } }, 'login');
    const record = JSON.parse(out.lines()[0] ?? '{}') as Record<string, unknown>;
    expect(record).toMatchObject({ authorization: '[redacted]', config: { password: '[redacted]' }, req: { headers: { authorization: '[redacted]' } } });
    expect(out.lines()[0]).not.toContain('hunter2');
  });

  it('can be told not to mask (a tool printing the customer their own text)', () => {
    const out = capture();
    createLogger({ service: 'cli', destination: out.stream, maskPersonalData: false }).info(`card ${card}`);
    expect(out.lines()[0]).toContain(card);
  });
});

describe('metrics server', () => {
  it('serves the registry in Prometheus text format and 404 elsewhere', async () => {
    const registry = createMetricsRegistry({ service: 'test' }, false);
    new Counter({ name: 'demo_events_total', help: 'demo', registers: [registry] }).inc(3);
    const server = await startMetricsServer(registry, 0);
    try {
      const response = await fetch(`http://127.0.0.1:${server.port}/metrics`);
      expect(response.status).toBe(200);
      expect(await response.text()).toContain('demo_events_total{service="test"} 3');
      expect((await fetch(`http://127.0.0.1:${server.port}/other`)).status).toBe(404);
    } finally {
      await server.close();
    }
  });
});

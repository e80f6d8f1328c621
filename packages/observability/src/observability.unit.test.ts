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

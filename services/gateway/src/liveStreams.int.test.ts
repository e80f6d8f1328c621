// What lets one gateway hold many streams (bench/GATEWAY_RESULTS.md): a stream reads the read
// model when its conversation changed, never on a timer, and the one LISTEN connection of the
// process is probed, so a connection that went silent is replaced and every stream woken.
import { createConnection, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { sampleContext, sampleEvent, stackConfig, testLogger, uniqueName, waitFor } from '@supportstream/testing';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { createConversationChanges } from './liveChanges.js';
import { signToken, startTestGateway } from './test/harness.js';
import { openStream } from './test/sse.js';

const config = stackConfig();
const notifier = new pg.Pool({ connectionString: config.DATABASE_URL, max: 1 });

afterAll(async () => {
  await notifier.end();
});

/** A TCP forwarder whose freeze() stops carrying bytes while both connections stay open: a peer gone silent, no FIN, no RST. */
async function freezingProxy(target: { host: string; port: number }): Promise<{ port: number; freeze(): void; close(): Promise<void> }> {
  const sockets: Socket[] = [];
  const server: Server = createServer((client) => {
    const upstream = createConnection(target);
    for (const socket of [client, upstream]) {
      sockets.push(socket);
      socket.on('error', () => undefined);
    }
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    freeze() {
      for (const socket of sockets) {
        socket.unpipe();
        socket.pause();
      }
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

describe('live streams at scale', () => {
  it('reads the read model when the conversation changes, not on heartbeats', async () => {
    let reads = 0;
    const gw = await startTestGateway({
      settings: { heartbeatMs: 50 },
      wrapReadModel: (readModel) => ({
        ...readModel,
        listEvents: (...args) => {
          reads += 1;
          return readModel.listEvents(...args);
        },
      }),
    });
    try {
      const tenant = uniqueName('tenant-scale');
      const customer = uniqueName('customer');
      const context = sampleContext({ tenantId: tenant });
      await gw.seed([sampleEvent('RequestReceived', context, { customerId: customer })]);
      const token = await signToken({ sub: customer, tenant, role: 'customer' });
      const sse = await openStream(`${gw.baseUrl}/v1/conversations/${context.conversationId}/stream`, { authorization: `Bearer ${token}` });
      try {
        await sse.waitForMessages(1);
        await waitFor(() => sse.comments.filter((line) => line === ': heartbeat').length >= 5, { timeoutMs: 5_000, description: 'five heartbeats' });
        // The first read only (a page shorter than the limit ends it): heartbeats wrote, they did not query.
        expect(reads).toBe(1);

        const reply = sampleEvent('AgentStepCompleted', context, { node: 'triage' });
        await gw.seed([reply]);
        expect((await sse.waitForMessages(2))[1]?.data['eventId']).toBe(reply.metadata.eventId);
        expect(reads).toBe(2);
      } finally {
        await sse.close();
      }
    } finally {
      await gw.close();
    }
  });

  it('replaces a LISTEN connection that stopped answering and wakes every subscriber', async () => {
    const database = new URL(config.DATABASE_URL);
    const proxy = await freezingProxy({ host: database.hostname, port: Number(database.port || 5432) });
    const viaProxy = new URL(config.DATABASE_URL);
    viaProxy.host = `127.0.0.1:${proxy.port}`;
    const channel = uniqueName('live_probe').replace(/[^a-z0-9_]/g, '_');
    let connections = 0;
    const changes = createConversationChanges({
      // The first connection through the proxy (to be frozen), the next one direct.
      connect: () => new pg.Client({ connectionString: (connections += 1) === 1 ? viaProxy.toString() : config.DATABASE_URL }),
      channel,
      logger: testLogger(),
      probeIntervalMs: 100,
      probeTimeoutMs: 300,
      reconnectMinMs: 10,
      reconnectMaxMs: 50,
    });
    const notify = (conversationId: string) => notifier.query('SELECT pg_notify($1, $2)', [channel, JSON.stringify([conversationId])]);
    try {
      const conversation = uniqueName('conv');
      const other = uniqueName('conv-other');
      const woken: string[] = [];
      await changes.subscribe(conversation, () => woken.push(conversation));
      await changes.subscribe(other, () => woken.push(other));
      await notify(conversation);
      await waitFor(() => woken.length === 1, { timeoutMs: 5_000, description: 'the notification through the healthy connection' });
      expect(woken).toEqual([conversation]);

      proxy.freeze();
      // Lost: the frozen connection carries nothing, and says nothing either.
      await notify(conversation);
      await waitFor(() => connections === 2 && woken.includes(other), { timeoutMs: 10_000, description: () => `a reconnect that wakes every subscriber (connections ${connections}, woken ${woken.join(',')})` });
      expect(woken.filter((id) => id === conversation).length).toBeGreaterThanOrEqual(2);

      // Notifications come through the new connection.
      const before = woken.length;
      await notify(other);
      await waitFor(() => woken.length > before, { timeoutMs: 5_000, description: 'a notification after the reconnect' });
      expect(woken.at(-1)).toBe(other);
    } finally {
      // The proxy first: ending a client whose connection is still frozen would wait for ever.
      await proxy.close();
      await changes.close();
    }
  });
});

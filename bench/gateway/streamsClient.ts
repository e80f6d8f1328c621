/**
 * The stream client of the gateway benchmark, its own process (forked by streams.ts): opens many
 * `GET /v1/conversations/:id/stream` over plain node:http sockets (one per stream, no agent
 * pooling), as customers with their own JWTs, counts heartbeats and drops, and notes when each
 * event frame arrived on each stream. Driven over IPC (streamsProtocol.ts).
 */
import { request, type ClientRequest, type IncomingMessage } from 'node:http';
import { SignJWT } from 'jose';
import { distribution, MIB } from '../runtime/stats.js';
import { parseFrame, splitFrames } from './sseFrames.js';
import { epochMs, type ClientMessage, type DriverMessage, type OpenCommand, type StreamTarget } from './streamsProtocol.js';

interface Stream {
  readonly target: StreamTarget;
  request?: ClientRequest;
  response?: IncomingMessage;
  buffer: string;
  heartbeats: number;
  open: boolean;
}

const streams: Stream[] = [];
const arrivals = new Map<string, number[]>();
const dropReasons = new Map<string, number>();
let dropped = 0;
let eventFrames = 0;
let closing = false;

const send = (message: ClientMessage) => process.send?.(message);
const countInto = (counts: Map<string, number>, key: string) => counts.set(key, (counts.get(key) ?? 0) + 1);

function onChunk(stream: Stream, chunk: string): void {
  const { frames, rest } = splitFrames(stream.buffer + chunk);
  stream.buffer = rest;
  for (const text of frames) {
    const frame = parseFrame(text);
    if (frame?.kind === 'comment' && frame.text === 'heartbeat') stream.heartbeats += 1;
    else if (frame?.kind === 'event') {
      const at = epochMs();
      eventFrames += 1;
      const eventId = (JSON.parse(frame.data) as { eventId?: unknown }).eventId;
      if (typeof eventId === 'string') {
        const times = arrivals.get(eventId);
        if (times === undefined) arrivals.set(eventId, [at]);
        else times.push(at);
      }
    }
  }
}

function lost(stream: Stream, reason: string): void {
  if (!stream.open) return;
  stream.open = false;
  if (closing) return;
  dropped += 1;
  countInto(dropReasons, reason);
}

/** Opens one stream; resolves with its time to response headers, or the reason it was refused. */
function openStream(command: OpenCommand, stream: Stream, token: string): Promise<{ ok: true; ms: number } | { ok: false; reason: string; body: string }> {
  const url = new URL(`/v1/conversations/${encodeURIComponent(stream.target.conversationId)}/stream`, command.baseUrl);
  const started = performance.now();
  return new Promise((resolve) => {
    const req = request(url, { agent: false, headers: { accept: 'text/event-stream', authorization: `Bearer ${token}` } });
    stream.request = req;
    req.on('error', (error: NodeJS.ErrnoException) => {
      if (stream.open) lost(stream, `error:${error.code ?? error.message}`);
      else resolve({ ok: false, reason: `error:${error.code ?? error.message}`, body: error.message });
    });
    req.on('response', (res) => {
      res.setEncoding('utf8');
      if (res.statusCode !== 200) {
        let body = '';
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ ok: false, reason: String(res.statusCode), body: body.slice(0, 300) }));
        return;
      }
      stream.response = res;
      stream.open = true;
      res.on('data', (chunk: string) => onChunk(stream, chunk));
      res.on('close', () => lost(stream, 'closed by the server'));
      resolve({ ok: true, ms: performance.now() - started });
    });
    req.end();
  });
}

async function open(command: OpenCommand): Promise<void> {
  const now = Math.floor(Date.now() / 1000);
  const secret = new TextEncoder().encode(command.jwt.secret);
  const tokens = await Promise.all(
    command.targets.map((target) =>
      new SignJWT({ tenant_id: target.tenantId, role: 'customer' })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setSubject(target.customerId)
        .setIssuer(command.jwt.issuer)
        .setAudience(command.jwt.audience)
        .setIssuedAt(now - 5)
        .setExpirationTime(now + 4 * 3600)
        .sign(secret),
    ),
  );
  const total = command.targets.length * command.streamsPerTarget;
  const latencies: number[] = [];
  const failures = new Map<string, number>();
  const failureSamples: string[] = [];
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    // Round-robin over the targets: the streams of one conversation are opened far apart in time.
    for (let index = next++; index < total; index = next++) {
      const targetIndex = index % command.targets.length;
      const stream: Stream = { target: command.targets[targetIndex]!, buffer: '', heartbeats: 0, open: false };
      const outcome = await openStream(command, stream, tokens[targetIndex]!);
      if (outcome.ok) {
        streams.push(stream);
        latencies.push(outcome.ms);
      } else {
        countInto(failures, outcome.reason);
        if (failureSamples.length < 5) failureSamples.push(`${outcome.reason} ${outcome.body}`);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(command.concurrency, total) }, worker));
  send({
    type: 'opened',
    attempted: total,
    opened: latencies.length,
    failures: Object.fromEntries(failures),
    failureSamples,
    seconds: (performance.now() - started) / 1000,
    openLatencyMs: distribution(latencies, 1),
  });
}

function stats(): void {
  const live = streams.filter((stream) => stream.open);
  const memory = process.memoryUsage();
  send({
    type: 'stats',
    open: live.length,
    dropped,
    dropReasons: Object.fromEntries(dropReasons),
    heartbeatsPerStream: distribution(
      live.map((stream) => stream.heartbeats),
      1,
    ),
    withoutHeartbeat: live.filter((stream) => stream.heartbeats === 0).length,
    eventFrames,
    clientRssMiB: Math.round(memory.rss / MIB),
    clientHeapUsedMiB: Math.round(memory.heapUsed / MIB),
  });
}

process.on('message', (message: DriverMessage) => {
  const run = async () => {
    if (message.type === 'open') await open(message);
    else if (message.type === 'stats') stats();
    else if (message.type === 'arrivals') send({ type: 'arrivals', arrivals: Object.fromEntries(message.eventIds.map((id) => [id, arrivals.get(id) ?? []])) });
    else {
      closing = true;
      for (const stream of streams) stream.request?.destroy();
      send({ type: 'closed' });
      process.disconnect();
    }
  };
  run().catch((error: unknown) => send({ type: 'failed', error: error instanceof Error ? (error.stack ?? error.message) : String(error) }));
});
process.on('disconnect', () => process.exit(0));

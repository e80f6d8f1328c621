import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: { input: string[]; model: string; dimensions?: number };
}

export type FixtureReply = (request: RecordedRequest, response: ServerResponse) => void;

/** Speaks OpenAI's embeddings wire format: `{ object, data: [{ object, embedding, index }], model, usage }`. */
export function embeddingsReply(dimensions: number, options: { reverse?: boolean } = {}): FixtureReply {
  return (request, response) => {
    const data = request.body.input.map((text, index) => ({
      object: 'embedding',
      index,
      // A recognisable vector: text length first, then the index.
      embedding: Array.from({ length: dimensions }, (_, d) => (d === 0 ? text.length : d === 1 ? index : 0.5)),
    }));
    if (options.reverse === true) data.reverse();
    json(response, 200, { object: 'list', data, model: request.body.model, usage: { prompt_tokens: 5, total_tokens: 5 } });
  };
}

export function json(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(JSON.stringify(body));
}

/** A local HTTP server on 127.0.0.1 (port 0) answering each request with the next scripted reply. */
export async function embeddingsFixture(replies: FixtureReply[]): Promise<{ baseUrl: string; requests: RecordedRequest[]; close: () => Promise<void> }> {
  const requests: RecordedRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request: RecordedRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as RecordedRequest['body'],
      };
      requests.push(request);
      const reply = replies.shift();
      if (reply === undefined) json(res, 500, { error: { message: 'fixture has no reply left' } });
      else reply(request, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

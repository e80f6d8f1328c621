import { describe, expect, it } from 'vitest';
import { createSseParser, type StreamMessage } from './eventStream.js';

describe('the SSE parser', () => {
  it('reads messages split anywhere across chunks, with CRLF, LF or CR line ends', () => {
    const messages: StreamMessage[] = [];
    const retries: number[] = [];
    const parser = createSseParser((message) => messages.push(message), (ms) => retries.push(ms));
    const stream = 'retry: 3000\n\n: heartbeat\n\nid: v1\r\nevent: snapshot\r\ndata: {"approvals":\r\ndata: []}\r\n\r\nid: v2\revent: requested\rdata: {"approvalId":"a-1"}\r\rdata:no-space\n\n';
    for (const size of [1, 3, 7]) {
      messages.length = 0;
      for (let index = 0; index < stream.length; index += size) parser.push(stream.slice(index, index + size));
      expect(messages).toEqual([
        { id: 'v1', event: 'snapshot', data: '{"approvals":\n[]}' },
        { id: 'v2', event: 'requested', data: '{"approvalId":"a-1"}' },
        // The id sticks; no event name is "message".
        { id: 'v2', event: 'message', data: 'no-space' },
      ]);
    }
    expect(retries).toEqual([3000, 3000, 3000]);
  });

  it('sends nothing for comments, empty messages or a message not yet ended', () => {
    const messages: StreamMessage[] = [];
    const parser = createSseParser((message) => messages.push(message));
    parser.push(': comment\n\nevent: x\n\nid: 5\n\ndata: pending');
    expect(messages).toEqual([]);
    parser.push('\n\n');
    expect(messages).toEqual([{ id: '5', event: 'message', data: 'pending' }]);
  });
});

import { describe, expect, it } from 'vitest';
import { parseFrame, splitFrames } from './sseFrames.js';

describe('splitFrames', () => {
  it('keeps an unfinished frame for the next chunk', () => {
    const first = splitFrames('retry: 3000\n\n: heartbeat\n\nid: 4\nevent: Requ');
    expect(first.frames).toEqual(['retry: 3000', ': heartbeat']);
    const second = splitFrames(`${first.rest}estReceived\ndata: {"seq":"4"}\n\n`);
    expect(second.frames).toEqual(['id: 4\nevent: RequestReceived\ndata: {"seq":"4"}']);
    expect(second.rest).toBe('');
  });

  it('finds nothing without a blank line', () => {
    expect(splitFrames('data: {}\n')).toEqual({ frames: [], rest: 'data: {}\n' });
  });
});

describe('parseFrame', () => {
  it('tells heartbeats, retry and events apart', () => {
    expect(parseFrame(': heartbeat')).toEqual({ kind: 'comment', text: 'heartbeat' });
    expect(parseFrame('retry: 3000')).toEqual({ kind: 'retry', ms: 3000 });
    expect(parseFrame('id: 7\nevent: RequestReceived\ndata: {"a":1}')).toEqual({ kind: 'event', id: '7', event: 'RequestReceived', data: '{"a":1}' });
  });

  it('joins multi-line data and accepts "data:" without a space', () => {
    expect(parseFrame('data:{"a":\ndata: 1}')).toEqual({ kind: 'event', id: undefined, event: undefined, data: '{"a":\n1}' });
  });

  it('answers undefined for an empty frame', () => {
    expect(parseFrame('')).toBeUndefined();
  });
});

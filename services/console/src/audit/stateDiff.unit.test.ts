import { describe, expect, it } from 'vitest';
import { changedPaths, changesByKey, stableJson, topKeyOf } from './stateDiff.js';

describe('the state diff of two checkpoints', () => {
  it('compares values whatever the order of their keys', () => {
    expect(stableJson({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: null } })).toBe('{"a":{"c":null,"d":[1,{"x":1,"y":2}]},"b":1}');
    expect(changedPaths({ draft: { reply: 'hi', confidence: 0.9 } }, { draft: { confidence: 0.9, reply: 'hi' } })).toEqual([]);
  });

  it('names each changed path down to three levels: keys set, cleared, added and removed', () => {
    const before = { request: { requestId: 'r1' }, messages: [{ role: 'customer', text: 'hi' }], draft: null, lastStep: { node: 'moderate', output: { verdict: 'allow', extra: 1 } }, gone: 1 };
    const after = { request: { requestId: 'r1' }, messages: [{ role: 'customer', text: 'hi' }, { role: 'agent', text: 'hello' }], draft: { reply: 'x' }, lastStep: { node: 'triage', output: { verdict: 'allow', category: 'billing' } }, added: true };
    expect(changedPaths(before, after)).toEqual([
      { path: 'added', change: 'added' },
      { path: 'draft', change: 'changed' },
      { path: 'gone', change: 'removed' },
      { path: 'lastStep.node', change: 'changed' },
      { path: 'lastStep.output.category', change: 'added' },
      { path: 'lastStep.output.extra', change: 'removed' },
      { path: 'messages[1]', change: 'added' },
    ]);
    // Deeper than three levels, the third level is reported as changed.
    expect(changedPaths({ a: { b: { c: { d: 1 } } } }, { a: { b: { c: { d: 2 } } } })).toEqual([{ path: 'a.b.c', change: 'changed' }]);
  });

  it('groups the paths by top-level key', () => {
    const byKey = changesByKey(changedPaths({ lastStep: { node: 'a', index: 1 }, draft: null }, { lastStep: { node: 'b', index: 2 }, draft: null, review: { score: 1 } }));
    expect([...byKey.entries()].map(([key, entry]) => [key, entry.change, entry.paths.map((path) => path.path)])).toEqual([
      ['lastStep', 'changed', ['lastStep.index', 'lastStep.node']],
      ['review', 'added', ['review']],
    ]);
    expect(topKeyOf('messages[3].text')).toBe('messages');
  });
});

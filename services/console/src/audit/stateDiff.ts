// What changed in the graph state from one checkpoint to another: pure, for the time-travel viewer.

export type Change = 'added' | 'removed' | 'changed';

export interface PathChange {
  /** `draft`, `lastStep.node`, `messages[2]`. */
  readonly path: string;
  readonly change: Change;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** JSON with object keys sorted, so two equal values always compare equal whatever their key order. */
export function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((item) => stableJson(item === undefined ? null : item)).join(',')}]`;
  if (isRecord(value)) {
    const keys = Object.keys(value)
      .filter((key) => value[key] !== undefined)
      .sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${stableJson(value[key])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

const childPath = (path: string, key: string | number): string => (typeof key === 'number' ? `${path}[${key}]` : path === '' ? key : `${path}.${key}`);

/** Depth of the paths reported: `lastStep.output.category` at most, then the whole value changed. */
export const MAX_PATH_DEPTH = 3;

function walk(before: unknown, after: unknown, path: string, depth: number, out: PathChange[]): void {
  if (stableJson(before) === stableJson(after)) return;
  if (before === undefined) {
    out.push({ path, change: 'added' });
    return;
  }
  if (after === undefined) {
    out.push({ path, change: 'removed' });
    return;
  }
  if (depth < MAX_PATH_DEPTH && Array.isArray(before) && Array.isArray(after)) {
    for (let index = 0; index < Math.max(before.length, after.length); index += 1) walk(before[index], after[index], childPath(path, index), depth + 1, out);
    return;
  }
  if (depth < MAX_PATH_DEPTH && isRecord(before) && isRecord(after)) {
    for (const key of [...new Set([...Object.keys(before), ...Object.keys(after)])].sort()) walk(before[key], after[key], childPath(path, key), depth + 1, out);
    return;
  }
  out.push({ path, change: 'changed' });
}

/** Every path whose value differs between two states, sorted by the order of the state's keys. */
export function changedPaths(before: Readonly<Record<string, unknown>>, after: Readonly<Record<string, unknown>>): PathChange[] {
  const out: PathChange[] = [];
  walk(before, after, '', 0, out);
  return out;
}

/** The top-level key a path belongs to (`lastStep.node` → `lastStep`, `messages[2]` → `messages`). */
export const topKeyOf = (path: string): string => /^[^.[]+/.exec(path)?.[0] ?? path;

/** Per top-level key: how it changed (a key of which only some parts changed is `changed`) and the changed paths below it. */
export function changesByKey(changes: readonly PathChange[]): ReadonlyMap<string, { readonly change: Change; readonly paths: readonly PathChange[] }> {
  const byKey = new Map<string, { change: Change; paths: PathChange[] }>();
  for (const change of changes) {
    const key = topKeyOf(change.path);
    const entry = byKey.get(key);
    if (entry === undefined) byKey.set(key, { change: change.path === key ? change.change : 'changed', paths: [change] });
    else {
      entry.paths.push(change);
      entry.change = 'changed';
    }
  }
  return byKey;
}

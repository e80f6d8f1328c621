import { Badge, Code, Group, Text } from '@mantine/core';
import type { Change, PathChange } from './stateDiff.js';

const CHANGE_COLORS: Record<Change, string> = { added: 'green', changed: 'blue', removed: 'red' };

export type KeyChanges = ReadonlyMap<string, { readonly change: Change; readonly paths: readonly PathChange[] }>;

function ChangeBadge({ change }: { readonly change: Change | undefined }) {
  if (change === undefined) return null;
  return (
    <Badge size="xs" variant="light" color={CHANGE_COLORS[change]}>
      {change}
    </Badge>
  );
}

/** A value short enough to show inline: a scalar, or an empty list or object. */
function inline(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'undefined';
  if (Array.isArray(value)) return value.length === 0 ? '[]' : undefined;
  return Object.keys(value).length === 0 ? '{}' : undefined;
}

const shape = (value: object, locale: string | undefined): string => {
  const count = Array.isArray(value) ? value.length : Object.keys(value).length;
  const number = new Intl.NumberFormat(locale).format(count);
  if (Array.isArray(value)) return `${number} ${count === 1 ? 'item' : 'items'}`;
  return `${number} ${count === 1 ? 'field' : 'fields'}`;
};

function ChangedPaths({ paths, name }: { readonly paths: readonly PathChange[] | undefined; readonly name: string }) {
  const below = paths?.filter((path) => path.path !== name) ?? [];
  if (below.length === 0) return null;
  return (
    <Text size="xs" c="dimmed" className="changed-paths">
      {below.map((path) => `${path.path} (${path.change})`).join(', ')}
    </Text>
  );
}

export interface StateValuesProps {
  readonly values: Readonly<Record<string, unknown>>;
  /** Per key, how it changed since the previous checkpoint; undefined when there is nothing to compare with. */
  readonly changes: KeyChanges | undefined;
  readonly onlyChanged: boolean;
  readonly locale?: string;
}

/**
 * The graph state at a checkpoint, one entry per state key: scalars inline, the rest as
 * collapsible JSON (open when it changed), each marked added / changed / removed.
 */
export function StateValues({ values, changes, onlyChanged, locale }: StateValuesProps) {
  const removed = [...(changes?.entries() ?? [])].filter(([key, entry]) => entry.change === 'removed' && !(key in values)).map(([key]) => key);
  const keys = Object.keys(values).filter((key) => !onlyChanged || changes?.has(key) === true);
  if (keys.length === 0 && removed.length === 0) {
    return (
      <Text size="sm" c="dimmed" role="status">
        {onlyChanged ? 'Nothing changed at this checkpoint.' : 'This checkpoint holds no state.'}
      </Text>
    );
  }
  return (
    <ul className="state-values" aria-label="State values">
      {keys.map((key) => {
        const value = values[key];
        const change = changes?.get(key);
        const short = inline(value);
        return (
          <li key={key} data-key={key} data-change={change?.change ?? 'same'}>
            {short !== undefined ? (
              <Group gap={6} wrap="wrap" align="baseline">
                <Text size="sm" fw={600} className="mono">
                  {key}
                </Text>
                <Code>{short}</Code>
                <ChangeBadge change={change?.change} />
              </Group>
            ) : (
              <details open={change !== undefined}>
                <summary>
                  <span className="mono state-key">{key}</span> <span className="state-shape">{shape(value as object, locale)}</span> <ChangeBadge change={change?.change} />
                </summary>
                <ChangedPaths paths={change?.paths} name={key} />
                <Code block className="event-data">
                  {JSON.stringify(value, null, 2)}
                </Code>
              </details>
            )}
          </li>
        );
      })}
      {removed.map((key) => (
        <li key={key} data-key={key} data-change="removed">
          <Group gap={6} align="baseline">
            <Text size="sm" fw={600} className="mono" td="line-through">
              {key}
            </Text>
            <ChangeBadge change="removed" />
          </Group>
        </li>
      ))}
    </ul>
  );
}

import { Badge, Group, Stack, Text } from '@mantine/core';
import type { ProposedAction } from '../api/types.js';
import { formatMoney, microsOf } from '../format/money.js';

const label = (kind: string): string => kind.replace(/[_-]+/g, ' ').replace(/^\w/, (first) => first.toUpperCase());

/** The side effects the agent wants, each with its exact amount. */
export function ProposedActions({ actions, locale }: { readonly actions: readonly ProposedAction[]; readonly locale?: string }) {
  if (actions.length === 0) {
    return (
      <Text size="sm" c="dimmed">
        No actions: the reply only.
      </Text>
    );
  }
  return (
    <Stack component="ul" gap="xs" className="actions" aria-label="Proposed actions">
      {actions.map((action, index) => {
        const parameters = Object.entries(action.parameters ?? {});
        return (
          <li key={`${action.kind}-${index}`} className="action">
            <Group justify="space-between" gap="xs" wrap="wrap" align="baseline">
              <Badge variant="light" color="grape" size="md">
                {label(action.kind)}
              </Badge>
              {action.amount !== null && (
                <Text component="span" fw={700} size="lg" className="amount" title={`${String(microsOf(action.amount.amountMicros) ?? action.amount.amountMicros)} micros ${action.amount.currency}`}>
                  {formatMoney(action.amount, locale)}
                </Text>
              )}
            </Group>
            <Text size="sm">{action.description}</Text>
            {parameters.length > 0 && (
              <dl className="parameters">
                {parameters.map(([name, value]) => (
                  <div key={name}>
                    <dt>{name}</dt>
                    <dd>{value}</dd>
                  </div>
                ))}
              </dl>
            )}
          </li>
        );
      })}
    </Stack>
  );
}

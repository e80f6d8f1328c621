import { Anchor, Paper, Text } from '@mantine/core';
import { useId, type ReactNode } from 'react';
import { Link } from 'react-router';
import type { Overview } from '../api/types.js';
import { formatMoney } from '../format/money.js';
import { conversations, formatCount, formatHandlingTime, formatPercent, formatWait } from './format.js';

function Stat({ title, value, children }: { readonly title: string; readonly value: ReactNode; readonly children?: ReactNode }) {
  const id = useId();
  return (
    <Paper withBorder radius="md" p="md" className="stat" role="group" aria-labelledby={id}>
      <Text size="sm" c="dimmed" id={id}>
        {title}
      </Text>
      <Text fz={26} fw={700} className="stat-value">
        {value}
      </Text>
      {children !== undefined && (
        <Text size="xs" c="dimmed" className="stat-detail" component="div">
          {children}
        </Text>
      )}
    </Paper>
  );
}

/** The headline figures of the window: rates, handling time, cost per currency, tokens, the approval queue. */
export function StatCards({ overview }: { readonly overview: Overview }) {
  const { totals, costs, approvals } = overview;
  const resolved = totals.resolved + totals.resolvedAfterApproval;
  return (
    <div className="stat-grid">
      <Stat title="Resolution rate" value={formatPercent(totals.resolutionRate)}>
        {formatCount(resolved)} of {conversations(totals.conversations)} resolved ({formatCount(totals.resolvedAfterApproval)} after approval)
      </Stat>
      <Stat title="Escalation rate" value={formatPercent(totals.escalationRate)}>
        {formatCount(totals.escalated)} escalated to a supervisor · {formatCount(totals.handedOff)} handed off
      </Stat>
      <Stat title="Mean handling time" value={formatHandlingTime(totals.meanHandlingMs)}>
        {totals.meanQualityScore === null ? 'No quality reviews' : `Mean quality score ${formatPercent(totals.meanQualityScore)}`}
      </Stat>
      <Stat title="Cost" value={costs.length === 0 ? '—' : costs.map((cost) => formatMoney(cost.total)).join(' · ')}>
        {costs.length === 0 ? (
          'Nothing was spent in this window'
        ) : (
          <ul className="stat-list">
            {costs.map((cost) => (
              <li key={cost.currency}>
                {formatMoney(cost.total)} over {conversations(cost.conversations)}
                {cost.perConversation !== null && <> · {formatMoney(cost.perConversation)} each</>} · models {formatMoney(cost.llm)}
              </li>
            ))}
          </ul>
        )}
      </Stat>
      <Stat title="LLM tokens" value={formatCount(totals.llm.promptTokens + totals.llm.completionTokens)}>
        {formatCount(totals.llm.promptTokens)} prompt · {formatCount(totals.llm.completionTokens)} completion · {formatCount(totals.llm.calls)} calls ({formatCount(totals.llm.cachedCalls)} cached)
      </Stat>
      <Stat title="Approvals waiting" value={formatCount(approvals.pending)}>
        {approvals.oldestWaitingMs === null ? 'None waiting' : `The oldest has waited ${formatWait(approvals.oldestWaitingMs)}`} ·{' '}
        <Anchor component={Link} to="/approvals" size="xs">
          Open the queue
        </Anchor>
      </Stat>
    </div>
  );
}

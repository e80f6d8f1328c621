import { Alert, Anchor, Table, Text, Title } from '@mantine/core';
import { Link } from 'react-router';
import type { OverviewOperations } from '../api/types.js';
import { formatDateTime } from '../format/time.js';
import { formatCount } from './format.js';

export const OPERATORS_ONLY = 'Consumer lag and dead letters are shown to operators (admin role).';

/** Consumer lag per group and dead-letter topic sizes: cluster-wide, so the API sends them to admins only (null otherwise). */
export function OperationsPanel({ operations }: { readonly operations: OverviewOperations | null }) {
  return (
    <section aria-labelledby="operations-title" className="operations">
      <Title order={2} size="h3" id="operations-title" mb="sm">
        Operations
      </Title>
      {operations === null && (
        <Text c="dimmed" size="sm">
          {OPERATORS_ONLY}
        </Text>
      )}
      {operations?.status === 'unavailable' && (
        <Alert color="orange" variant="light" role="alert" title="Kafka figures unavailable">
          {operations.message ?? 'Kafka could not be read right now.'}
        </Alert>
      )}
      {operations?.status === 'ok' && (
        <>
          <Text size="xs" c="dimmed" mb="xs">
            Read from Kafka at {formatDateTime(operations.readAt)}
            {operations.unreadGroups.length > 0 && ` · not read this time: ${operations.unreadGroups.join(', ')}`}
          </Text>
          <div className="operations-grid">
            <div className="table-scroll">
              <Table striped aria-label="Consumer lag">
                <Table.Caption>Consumer lag: records not yet committed by each group</Table.Caption>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Group</Table.Th>
                    <Table.Th className="numeric">Lag</Table.Th>
                    <Table.Th>By topic</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {operations.consumerGroups.length === 0 && (
                    <Table.Tr>
                      <Table.Td colSpan={3}>No platform consumer group has committed offsets yet.</Table.Td>
                    </Table.Tr>
                  )}
                  {operations.consumerGroups.map((group) => (
                    <Table.Tr key={group.group} data-group={group.group}>
                      <Table.Td className="mono nowrap">{group.group}</Table.Td>
                      <Table.Td className="numeric">
                        <Text span size="sm" fw={600} c={group.lag === 0 ? 'teal.8' : group.lag < 1_000 ? 'yellow.9' : 'red.8'} data-lag-level={group.lag === 0 ? 'none' : group.lag < 1_000 ? 'some' : 'high'}>
                          {formatCount(group.lag)}
                        </Text>
                      </Table.Td>
                      <Table.Td>
                        <Text size="xs">{group.topics.map((topic) => `${topic.topic} ${formatCount(topic.lag)}`).join(' · ')}</Text>
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </div>
            <div className="table-scroll">
              <Table striped aria-label="Dead letters">
                <Table.Caption>
                  Dead letters: records kept per dead-letter topic ·{' '}
                  <Anchor component={Link} to="/dead-letters" size="xs">
                    Review them
                  </Anchor>
                </Table.Caption>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Topic</Table.Th>
                    <Table.Th className="numeric">Records</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {operations.deadLetters.length === 0 && (
                    <Table.Tr>
                      <Table.Td colSpan={2}>No dead-letter topic exists yet.</Table.Td>
                    </Table.Tr>
                  )}
                  {operations.deadLetters.map((topic) => (
                    <Table.Tr key={topic.topic} data-topic={topic.topic}>
                      <Table.Td className="mono nowrap">{topic.topic}</Table.Td>
                      <Table.Td className="numeric">{formatCount(topic.records)}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </div>
          </div>
        </>
      )}
    </section>
  );
}

import { AreaChart, BarChart, LineChart } from '@mantine/charts';
import { Paper, Table, Text, Title } from '@mantine/core';
import { useId, type ReactNode } from 'react';
import type { Overview, OverviewBucket } from '../api/types.js';
import { formatDateTime } from '../format/time.js';
import { formatBucket, formatCount, formatHandlingTime, WINDOW_LABELS } from './format.js';

type Outcome = 'resolved' | 'resolvedAfterApproval' | 'handedOff' | 'fallback' | 'failed';
const OUTCOMES: { readonly name: Outcome & keyof OverviewBucket; readonly label: string; readonly color: string }[] = [
  { name: 'resolved', label: 'Resolved', color: 'teal.6' },
  { name: 'resolvedAfterApproval', label: 'Resolved after approval', color: 'green.9' },
  { name: 'handedOff', label: 'Handed off', color: 'orange.6' },
  { name: 'fallback', label: 'Fallback', color: 'yellow.5' },
  { name: 'failed', label: 'Failed', color: 'red.7' },
];
const VOLUME = [
  { name: 'conversations', label: 'Conversations', color: 'blue.6' },
  { name: 'escalated', label: 'Escalated', color: 'grape.6' },
];

const CHART_HEIGHT = 240;
// Ticks far enough apart to stay legible on a phone; recharts drops the ones in between.
const xAxisProps = { minTickGap: 28, interval: 'preserveStartEnd' as const };

function ChartFigure({ title, description, children }: { readonly title: string; readonly description: string; readonly children: ReactNode }) {
  const id = useId();
  return (
    <Paper withBorder radius="md" p="md" component="figure" className="chart" aria-labelledby={`${id}-title`} aria-describedby={`${id}-description`}>
      <Title order={3} size="h5" id={`${id}-title`}>
        {title}
      </Title>
      <Text size="xs" c="dimmed" id={`${id}-description`} mb="sm">
        {description}
      </Text>
      {children}
    </Paper>
  );
}

/** The series as charts: outcomes per bucket, conversations and escalations, mean handling time; and the same figures as a table. */
export function OverviewCharts({ overview }: { readonly overview: Overview }) {
  const step = WINDOW_LABELS[overview.window].step;
  const data = overview.series.map((bucket) => ({ ...bucket, label: formatBucket(bucket.start, overview.window) }));
  const busy = overview.series.filter((bucket) => bucket.conversations > 0);
  return (
    <div className="chart-grid">
      <ChartFigure title="Outcomes" description={`Finished conversations ${step}, by outcome`}>
        <BarChart h={CHART_HEIGHT} data={data} dataKey="label" type="stacked" series={OUTCOMES} withLegend legendProps={{ verticalAlign: 'bottom' }} xAxisProps={xAxisProps} valueFormatter={(value) => formatCount(value)} tooltipAnimationDuration={0} />
      </ChartFigure>
      <ChartFigure title="Escalations" description={`Finished conversations and those escalated to a supervisor, ${step}`}>
        <AreaChart h={CHART_HEIGHT} data={data} dataKey="label" series={VOLUME} withLegend legendProps={{ verticalAlign: 'bottom' }} withDots={false} xAxisProps={xAxisProps} valueFormatter={(value) => formatCount(value)} curveType="linear" />
      </ChartFigure>
      <ChartFigure title="Mean handling time" description={`From the request to its outcome, ${step} (gaps: nothing finished)`}>
        <LineChart
          h={CHART_HEIGHT}
          data={data}
          dataKey="label"
          series={[{ name: 'meanHandlingMs', label: 'Mean handling time', color: 'indigo.6' }]}
          // A bucket with conversations between two without is a lone point: dots keep it visible.
          dotProps={{ r: 2 }}
          connectNulls={false}
          xAxisProps={xAxisProps}
          yAxisProps={{ width: 72 }}
          valueFormatter={(value) => formatHandlingTime(value)}
          curveType="linear"
        />
      </ChartFigure>
      <details className="chart-table">
        <summary>The figures as a table ({formatCount(busy.length)} {busy.length === 1 ? 'bucket' : 'buckets'} with conversations)</summary>
        <div className="table-scroll">
          <Table striped mt="xs" aria-label="Conversations per bucket">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>From</Table.Th>
                <Table.Th>Conversations</Table.Th>
                {OUTCOMES.map((outcome) => (
                  <Table.Th key={outcome.name}>{outcome.label}</Table.Th>
                ))}
                <Table.Th>Escalated</Table.Th>
                <Table.Th>Mean handling time</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {busy.map((bucket) => (
                <Table.Tr key={bucket.start}>
                  <Table.Td>{formatDateTime(bucket.start)}</Table.Td>
                  <Table.Td>{formatCount(bucket.conversations)}</Table.Td>
                  {OUTCOMES.map((outcome) => (
                    <Table.Td key={outcome.name}>{formatCount(bucket[outcome.name])}</Table.Td>
                  ))}
                  <Table.Td>{formatCount(bucket.escalated)}</Table.Td>
                  <Table.Td>{formatHandlingTime(bucket.meanHandlingMs)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </div>
      </details>
    </div>
  );
}

import { Alert, Button, Group, SegmentedControl, Skeleton, Stack, Text, Title } from '@mantine/core';
import { lazy, Suspense, useState } from 'react';
import { OVERVIEW_WINDOWS, type OverviewWindow } from '../api/types.js';
import { formatDateTime } from '../format/time.js';
import { WINDOW_LABELS } from '../overview/format.js';
import { OperationsPanel } from '../overview/OperationsPanel.js';
import { StatCards } from '../overview/StatCards.js';
import { useOverview } from '../overview/useOverview.js';

// The charts (recharts) are a third of the console's code: loaded when the Overview is first shown.
const OverviewCharts = lazy(() => import('../overview/OverviewCharts.js').then((module) => ({ default: module.OverviewCharts })));

const isWindow = (value: string): value is OverviewWindow => (OVERVIEW_WINDOWS as readonly string[]).includes(value);

function Loading() {
  return (
    <Stack gap="md" aria-busy="true" aria-label="Loading the overview">
      <div className="stat-grid">
        {[0, 1, 2].map((index) => (
          <Skeleton key={index} height={96} radius="md" />
        ))}
      </div>
      <Skeleton height={240} radius="md" />
    </Stack>
  );
}

/** How support is doing over a window (rates, handling time, cost, the approval queue) and, for operators, how the platform's consumers keep up. */
export function OverviewPage() {
  const [selected, setSelected] = useState<OverviewWindow>('1h');
  const { status, overview, error, refreshing, refresh } = useOverview(selected);
  const empty = overview !== undefined && overview.totals.conversations === 0;

  return (
    <Stack gap="lg" className="page">
      <Group justify="space-between" align="center" wrap="wrap" gap="sm">
        <Title order={1} size="h2">
          Overview
        </Title>
        <Group gap="sm" wrap="wrap">
          <SegmentedControl
            aria-label="Time window"
            value={selected}
            onChange={(value) => {
              if (isWindow(value)) setSelected(value);
            }}
            data={OVERVIEW_WINDOWS.map((value) => ({ value, label: WINDOW_LABELS[value].short }))}
          />
          <Button variant="default" size="xs" onClick={refresh} loading={refreshing && status !== 'loading'}>
            Refresh
          </Button>
        </Group>
      </Group>
      {overview !== undefined && (
        <Text size="xs" c="dimmed" role="status" aria-live="polite">
          {`Figures of ${WINDOW_LABELS[overview.window].long}, as of ${formatDateTime(overview.generatedAt)}; refreshed every 15 seconds.`}
        </Text>
      )}

      {error !== undefined && status === 'ready' && (
        <Alert color="orange" variant="light" role="alert" title="The figures may be out of date">
          {error.message}
        </Alert>
      )}
      {status === 'loading' && <Loading />}
      {status === 'error' && (
        <Alert color="red" variant="light" role="alert" title="The overview could not be loaded">
          <Stack gap="xs" align="flex-start">
            <Text size="sm">{error?.message}</Text>
            <Button size="xs" variant="light" color="red" onClick={refresh}>
              Retry
            </Button>
          </Stack>
        </Alert>
      )}

      {overview !== undefined && (
        <>
          <StatCards overview={overview} />
          {empty ? (
            <Text c="dimmed" className="empty" role="status">
              No conversations in this window.
            </Text>
          ) : (
            <Suspense fallback={<Skeleton height={240} radius="md" aria-label="Loading the charts" />}>
              <OverviewCharts overview={overview} />
            </Suspense>
          )}
          <OperationsPanel operations={overview.operations} />
        </>
      )}
    </Stack>
  );
}

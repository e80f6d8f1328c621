import type { Registry } from '@supportstream/observability';

/**
 * The value of a metric's series whose labels include `labels` (summed when several match), 0
 * when none exists yet. Tests read values, never the mere presence of a series: a series stays
 * once any earlier test created it. For a histogram, `sample` names the sample to read
 * (`<name>_count`, `<name>_sum`).
 */
export async function metricValue(registry: Registry, name: string, labels: Readonly<Record<string, string>> = {}, sample = name): Promise<number> {
  const metric = registry.getSingleMetric(name);
  if (!metric) return 0;
  const { values } = await metric.get();
  return values
    // Histogram samples name themselves (`_count`, `_sum`, `_bucket`); counter and gauge values do not.
    .filter((value) => ((value as { metricName?: string }).metricName ?? name) === sample)
    .filter((value) => Object.entries(labels).every(([label, expected]) => String((value.labels as Record<string, unknown>)[label]) === expected))
    .reduce((sum, value) => sum + value.value, 0);
}

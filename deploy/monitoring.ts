// The Grafana dashboards and Prometheus rules as data, for the tests that check them
// (deploy/monitoring.unit.test.ts without a server, deploy/dashboards.e2e.test.ts against a real
// Prometheus and PostgreSQL): every panel query, with the dashboard's template variables and
// Grafana's macros replaced by concrete values, the metric names a PromQL expression reads, and
// the rule groups of deploy/prometheus/rules.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
export const DASHBOARDS_DIR = join(REPO_ROOT, 'deploy/grafana/dashboards');
export const PROMETHEUS_DIR = join(REPO_ROOT, 'deploy/prometheus');
export const RULES_DIR = join(PROMETHEUS_DIR, 'rules');

export interface GrafanaTarget {
  readonly refId?: string;
  readonly datasource?: { readonly type?: string; readonly uid?: string };
  readonly expr?: string;
  readonly rawSql?: string;
  readonly legendFormat?: string;
}

export interface GrafanaPanel {
  readonly id?: number;
  readonly type: string;
  readonly title: string;
  readonly description?: string;
  readonly datasource?: { readonly type?: string; readonly uid?: string };
  readonly gridPos?: { readonly x: number; readonly y: number; readonly w: number; readonly h: number };
  readonly targets?: readonly GrafanaTarget[];
  readonly panels?: readonly GrafanaPanel[];
}

export interface GrafanaVariable {
  readonly name: string;
  readonly type: string;
  readonly definition?: string;
  readonly query?: string | { readonly query?: string };
  readonly includeAll?: boolean;
  readonly allValue?: string;
  readonly current?: { readonly value?: string | readonly string[] };
}

export interface Dashboard {
  readonly file: string;
  readonly uid: string;
  readonly title: string;
  readonly time?: { readonly from: string; readonly to: string };
  readonly panels: readonly GrafanaPanel[];
  readonly templating?: { readonly list: readonly GrafanaVariable[] };
}

/** Every dashboard JSON file, parsed, with its file name. */
export function loadDashboards(dir = DASHBOARDS_DIR): Dashboard[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((file) => ({ ...(JSON.parse(readFileSync(join(dir, file), 'utf8')) as Omit<Dashboard, 'file'>), file }));
}

/** Panels with their queries, rows flattened (a collapsed row keeps its panels inside it). */
export function queryPanels(dashboard: Dashboard): GrafanaPanel[] {
  return dashboard.panels.flatMap((panel) => (panel.type === 'row' ? (panel.panels ?? []) : [panel]));
}

export type QueryKind = 'prometheus' | 'postgres';

export interface PanelQuery {
  readonly dashboard: string;
  readonly panel: string;
  readonly refId: string;
  readonly kind: QueryKind;
  /** As written in the dashboard. */
  readonly raw: string;
  /** With template variables and macros replaced (what the tests run). */
  readonly query: string;
}

const PROMETHEUS_TYPES = new Set(['prometheus']);
const POSTGRES_TYPES = new Set(['grafana-postgresql-datasource', 'postgres']);

export function kindOf(datasource: { readonly type?: string } | undefined): QueryKind | undefined {
  if (datasource?.type && PROMETHEUS_TYPES.has(datasource.type)) return 'prometheus';
  if (datasource?.type && POSTGRES_TYPES.has(datasource.type)) return 'postgres';
  return undefined;
}

/**
 * What the test substitutes for Grafana's built-in variables: a rate window long enough to cover a
 * whole test run (Grafana uses max(4 × scrape interval, step + scrape interval)), and the
 * dashboard's default time range.
 */
export const TEST_INTERVALS = { rateInterval: '5m', interval: '1m', range: '1h' } as const;

/** The value of a template variable as the dashboard opens: its "All" value when that is the default. */
function defaultValue(variable: GrafanaVariable): string {
  const current = variable.current?.value;
  const value = typeof current === 'string' ? current : current?.[0];
  if (value === undefined || value === '$__all') {
    if (!variable.includeAll || variable.allValue === undefined) throw new Error(`variable ${variable.name}: no default value the tests can use (give it includeAll with an allValue)`);
    return variable.allValue;
  }
  return value;
}

function substituteVariables(text: string, variables: readonly GrafanaVariable[]): string {
  let result = text;
  for (const variable of variables) {
    const value = defaultValue(variable);
    // ${name}, ${name:format} and $name (not followed by more of a name).
    result = result.replace(new RegExp(`\\$\\{${variable.name}(?::[a-z]+)?\\}|\\$${variable.name}(?![A-Za-z0-9_])`, 'g'), () => value);
  }
  return result;
}

/** `now-1h` → `1 hour` (a PostgreSQL interval). */
function pgInterval(from: string): string {
  const match = /^now-(\d+)([smhdw])$/.exec(from);
  if (!match) throw new Error(`dashboard time range ${from}: expected now-<n><unit>`);
  const unit = { s: 'second', m: 'minute', h: 'hour', d: 'day', w: 'week' }[match[2] as 's' | 'm' | 'h' | 'd' | 'w'];
  return `${match[1]} ${unit}`;
}

export function prometheusQueryForTest(expr: string, variables: readonly GrafanaVariable[]): string {
  return substituteVariables(expr, variables)
    .replaceAll('$__rate_interval', TEST_INTERVALS.rateInterval)
    .replaceAll('$__interval', TEST_INTERVALS.interval)
    .replaceAll('$__range', TEST_INTERVALS.range);
}

export function sqlForTest(sql: string, variables: readonly GrafanaVariable[], timeFrom = 'now-1h'): string {
  const window = pgInterval(timeFrom);
  return substituteVariables(sql, variables)
    .replace(/\$__timeFilter\(([^)]+)\)/g, (_match, column: string) => `${column.trim()} BETWEEN now() - interval '${window}' AND now()`)
    .replaceAll('$__timeFrom()', `(now() - interval '${window}')`)
    .replaceAll('$__timeTo()', 'now()');
}

/** Every query of every panel of a dashboard, ready to run. */
export function panelQueries(dashboard: Dashboard): PanelQuery[] {
  const variables = dashboard.templating?.list ?? [];
  return queryPanels(dashboard).flatMap((panel) =>
    (panel.targets ?? []).flatMap((target): PanelQuery[] => {
      const kind = kindOf(target.datasource ?? panel.datasource);
      const refId = target.refId ?? '?';
      const base = { dashboard: dashboard.title, panel: panel.title, refId };
      if (kind === 'prometheus' && target.expr !== undefined) return [{ ...base, kind, raw: target.expr, query: prometheusQueryForTest(target.expr, variables) }];
      if (kind === 'postgres' && target.rawSql !== undefined) return [{ ...base, kind, raw: target.rawSql, query: sqlForTest(target.rawSql, variables, dashboard.time?.from) }];
      throw new Error(`${dashboard.file}: panel "${panel.title}" target ${refId} has no query for its data source (${JSON.stringify(target.datasource ?? panel.datasource)})`);
    }),
  );
}

/**
 * Query variables as PromQL: `label_values(metric, label)` → `count by (label) (metric)`, which
 * has a series for each value the variable would offer.
 */
export function variableQueries(dashboard: Dashboard): { readonly name: string; readonly query: string }[] {
  return (dashboard.templating?.list ?? [])
    .filter((variable) => variable.type === 'query')
    .map((variable) => {
      const definition = variable.definition ?? (typeof variable.query === 'string' ? variable.query : variable.query?.query) ?? '';
      const match = /^label_values\(\s*(.+?)\s*,\s*([A-Za-z_][A-Za-z0-9_]*)\s*\)$/.exec(definition);
      if (!match) throw new Error(`${dashboard.file}: variable ${variable.name}: only label_values(metric, label) is supported, not ${definition}`);
      return { name: variable.name, query: `count by (${match[2]}) (${match[1]})` };
    });
}

const KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'and', 'or', 'unless', 'bool', 'offset', 'inf', 'nan', 'Inf', 'NaN']);

/** The metric (or recording rule) names a PromQL expression selects. */
export function metricNames(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names = new Set<string>();
  for (const match of stripped.matchAll(/(?<![\w.:])[A-Za-z_:][A-Za-z0-9_:]*/g)) {
    const rest = stripped.slice((match.index ?? 0) + match[0].length);
    if (/^\s*\(/.test(rest) || KEYWORDS.has(match[0])) continue;
    names.add(match[0]);
  }
  return [...names].sort();
}

export interface RuleGroup {
  readonly file: string;
  readonly name: string;
  readonly rules: readonly { readonly record?: string; readonly alert?: string; readonly expr: string; readonly labels?: Record<string, string>; readonly annotations?: Record<string, string> }[];
}

export function ruleFiles(dir = RULES_DIR): string[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.yml'))
    .sort()
    .map((name) => join(dir, name));
}

export function loadRuleGroups(dir = RULES_DIR): RuleGroup[] {
  return ruleFiles(dir).flatMap((file) => ((parse(readFileSync(file, 'utf8')) as { groups: Omit<RuleGroup, 'file'>[] }).groups ?? []).map((group) => ({ ...group, file })));
}

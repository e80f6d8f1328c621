// Checks the Grafana dashboards and the Prometheus rules without a server: the structure Grafana
// needs, that every query can be run by the end-to-end test, and that every metric a panel or rule
// reads is documented in deploy/METRICS.md or made by a recording rule. Whether the queries return
// data is deploy/dashboards.e2e.test.ts's job (a real Prometheus and PostgreSQL).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { READ_MODEL_TABLE_NAMES } from '@supportstream/projections';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { kindOf, loadDashboards, loadRuleGroups, metricNames, panelQueries, queryPanels, REPO_ROOT, variableQueries } from './monitoring.js';

const dashboards = loadDashboards();
const groups = loadRuleGroups();
const rules = groups.flatMap((group) => group.rules);
const recorded = new Set(rules.flatMap((rule) => (rule.record ? [rule.record] : [])));

const datasources = (parse(readFileSync(join(REPO_ROOT, 'deploy/grafana/provisioning/datasources/datasources.yml'), 'utf8')) as { datasources: { uid: string; type: string }[] }).datasources;

describe('Grafana dashboards', () => {
  it('are the five the README describes, with unique uids and titles', () => {
    expect(dashboards.map((dashboard) => dashboard.file)).toEqual(['agents.json', 'approvals.json', 'cost.json', 'kafka-health.json', 'platform-overview.json']);
    expect(new Set(dashboards.map((dashboard) => dashboard.uid)).size).toBe(dashboards.length);
    expect(new Set(dashboards.map((dashboard) => dashboard.title)).size).toBe(dashboards.length);
    const readme = readFileSync(join(REPO_ROOT, 'deploy/grafana/README.md'), 'utf8');
    for (const dashboard of dashboards) {
      expect(readme, `deploy/grafana/README.md describes ${dashboard.title}`).toContain(dashboard.title);
      for (const panel of queryPanels(dashboard)) expect(readme, `deploy/grafana/README.md describes panel "${panel.title}" of ${dashboard.title}`).toContain(panel.title);
    }
  });

  it('give every panel a title, a description, a provisioned data source and at least one query, on a 24-column grid without overlaps', () => {
    const uids = new Map(datasources.map((datasource) => [datasource.uid, datasource.type]));
    for (const dashboard of dashboards) {
      const panels = queryPanels(dashboard);
      expect(new Set(dashboard.panels.map((panel) => panel.id)).size, `${dashboard.file}: unique panel ids`).toBe(dashboard.panels.length);
      const cells = new Set<string>();
      for (const panel of dashboard.panels) {
        const where = `${dashboard.file}: "${panel.title}"`;
        const grid = panel.gridPos;
        expect(grid, where).toBeDefined();
        if (!grid) continue;
        expect(grid.x + grid.w, `${where} fits the grid`).toBeLessThanOrEqual(24);
        for (let x = grid.x; x < grid.x + grid.w; x++) {
          for (let y = grid.y; y < grid.y + grid.h; y++) {
            expect(cells.has(`${x},${y}`), `${where} overlaps another panel at ${x},${y}`).toBe(false);
            cells.add(`${x},${y}`);
          }
        }
      }
      for (const panel of panels) {
        const where = `${dashboard.file}: "${panel.title}"`;
        expect(panel.description?.length ?? 0, `${where} has a description`).toBeGreaterThan(10);
        expect(panel.targets?.length ?? 0, `${where} has a query`).toBeGreaterThan(0);
        for (const target of panel.targets ?? []) {
          const datasource = target.datasource ?? panel.datasource;
          expect(uids.get(datasource?.uid ?? ''), `${where} uses a provisioned data source (uid ${datasource?.uid})`).toBe(datasource?.type);
          expect(kindOf(datasource), where).toBeDefined();
        }
      }
    }
  });

  it('default their variables to values the tests can substitute, and leave no variable or macro unreplaced', () => {
    for (const dashboard of dashboards) {
      for (const variable of dashboard.templating?.list ?? []) {
        expect(variable.includeAll, `${dashboard.file}: $${variable.name} offers All`).toBe(true);
        expect(variable.allValue, `${dashboard.file}: $${variable.name} All matches every value`).toBe('.*');
      }
      expect(variableQueries(dashboard).every((variable) => variable.query.startsWith('count by ('))).toBe(true);
      for (const query of panelQueries(dashboard)) {
        if (query.kind === 'prometheus') expect(query.query, `${query.dashboard} / ${query.panel}`).not.toContain('$');
        else expect(query.query, `${query.dashboard} / ${query.panel}`).not.toMatch(/\$__|\$\{|\$[a-z]/);
      }
    }
  });

  it('read only read-model tables the projections create, or the analytics history a migration creates, qualified with their schema', () => {
    const tables = new Set<string>(READ_MODEL_TABLE_NAMES);
    const migrationsDir = join(REPO_ROOT, 'packages/db/migrations');
    const migrations = readdirSync(migrationsDir)
      .filter((name) => name.endsWith('.sql'))
      .map((name) => readFileSync(join(migrationsDir, name), 'utf8'))
      .join('\n');
    for (const query of dashboards.flatMap(panelQueries).filter((entry) => entry.kind === 'postgres')) {
      // Tables are schema-qualified (which also tells them from `extract(epoch FROM decided_at …)`).
      const used = [...query.query.matchAll(/\b(?:FROM|JOIN)\s+([a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*)/gi)].map((match) => match[1] ?? '');
      expect(used.length, `${query.dashboard} / ${query.panel}`).toBeGreaterThan(0);
      for (const name of used) {
        const [schema, table] = name.split('.');
        if (schema === 'read_model') expect(tables.has(table ?? ''), `${query.panel}: read_model.${table} exists`).toBe(true);
        else {
          expect(['public.analytics_minutes', 'public.analytics_minute_costs'], `${query.panel}: tables outside read_model are the analytics history`).toContain(name);
          expect(migrations, `a migration creates ${name}`).toMatch(new RegExp(`CREATE TABLE (IF NOT EXISTS )?${table ?? ''}\\b`));
        }
      }
    }
  });
});

describe('metric names', () => {
  const metricsDoc = existsSync(join(REPO_ROOT, 'deploy/METRICS.md')) ? readFileSync(join(REPO_ROOT, 'deploy/METRICS.md'), 'utf8') : '';
  const documented = (name: string) => {
    const base = name.replace(/_(bucket|count|sum)$/, '');
    return metricsDoc.includes(`\`${name}\``) || metricsDoc.includes(`\`${base}\``) || metricsDoc.includes(`${base}{`) || metricsDoc.includes(`${name}{`);
  };
  // Prometheus's own series and prom-client's default process metrics.
  const builtIn = (name: string) => name === 'up' || name === 'ALERTS' || name.startsWith('process_') || name.startsWith('nodejs_');

  it('extracts selectors, not functions, keywords or labels', () => {
    expect(metricNames('sum by (node, le) (rate(agent_step_duration_seconds_bucket{service=~"a|b"}[5m])) * 60')).toEqual(['agent_step_duration_seconds_bucket']);
    expect(metricNames('min_over_time(a:b:c[30m]) > 0 and on (tenant) x offset 30m > 0 unless on () sum(increase(y_count[30m])) > 0')).toEqual(['a:b:c', 'x', 'y_count']);
    expect(metricNames('(sum by (s) (rate(e_total[5m])) or sum by (s) (rate(t_total[5m])) * 0) / sum by (s) (rate(t_total[5m]))')).toEqual(['e_total', 't_total']);
  });

  it('every metric the dashboards and rules read is in deploy/METRICS.md or made by a recording rule', () => {
    const expressions = [
      ...dashboards.flatMap(panelQueries).filter((query) => query.kind === 'prometheus').map((query) => ({ where: `${query.dashboard} / ${query.panel}`, expr: query.query })),
      ...dashboards.flatMap(variableQueries).map((variable) => ({ where: `variable ${variable.name}`, expr: variable.query })),
      ...rules.map((rule) => ({ where: `rule ${rule.record ?? rule.alert ?? ''}`, expr: rule.expr })),
    ];
    const problems: string[] = [];
    for (const { where, expr } of expressions) {
      for (const name of metricNames(expr)) {
        if (name.includes(':') ? !recorded.has(name) : !builtIn(name) && !documented(name)) problems.push(`${where}: ${name}`);
      }
    }
    expect(problems).toEqual([]);
  });
});

describe('Prometheus rules', () => {
  it('have unique group names, and every alert a severity, a summary, a description and a runbook', () => {
    expect(new Set(groups.map((group) => group.name)).size).toBe(groups.length);
    const alerts = rules.filter((rule) => rule.alert !== undefined);
    expect(new Set(alerts.map((rule) => rule.alert)).size).toBe(alerts.length);
    for (const rule of alerts) {
      expect(['warning', 'critical'], `${rule.alert} severity`).toContain(rule.labels?.severity);
      for (const annotation of ['summary', 'description', 'runbook']) expect(rule.annotations?.[annotation]?.length ?? 0, `${rule.alert} ${annotation}`).toBeGreaterThan(10);
    }
  });

  it('cover the alerts the platform needs: lag growing, DLQ not empty, approval SLA, error rates, LLM circuit open', () => {
    const byName = new Map(rules.filter((rule) => rule.alert).map((rule) => [rule.alert, rule.expr]));
    expect(byName.get('KafkaConsumerLagGrowing')).toMatch(/deriv\(kafka_consumergroup_lag\[/);
    expect(byName.get('KafkaDeadLetterQueueNotEmpty')).toMatch(/kafka_dlq_messages > 0/);
    expect(byName.get('ApprovalSlaBreached')).toMatch(/approval_decision_seconds/);
    expect(byName.get('ApprovalQueueStalled')).toMatch(/approvals_pending/);
    expect(byName.get('KafkaConsumerDeadLetterRatioHigh')).toBeDefined();
    expect(byName.get('GatewayHttp5xxRatioHigh')).toBeDefined();
    expect(byName.get('LlmCircuitOpen')).toMatch(/llm_circuit_open\) == 1/);
    // Each alert is exercised by promtool's rule unit tests (run by the e2e test and `prometheus.sh check`).
    const unitTests = readFileSync(join(REPO_ROOT, 'deploy/prometheus/tests/alerts.test.yml'), 'utf8');
    for (const name of byName.keys()) expect(unitTests, `tests/alerts.test.yml exercises ${name}`).toContain(`alertname: ${name}`);
  });
});

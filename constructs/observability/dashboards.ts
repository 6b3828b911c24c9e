/**
 * Grafana dashboards as code (OBS-3): the seed 004 platform overview (request rate, P95
 * response time, active users, database connections) and a data-services dashboard. They are
 * provisioned through the grafana sub-chart's `dashboardProviders` / `dashboards` values, so a
 * change is a reviewed diff, never a click in the UI.
 */

import { APP_MATCHER, withAppNamespaces } from './alert-rules';

/** The Prometheus data source the kube-prometheus-stack chart provisions (`sidecar.datasources.uid`). */
export const PROMETHEUS_DATASOURCE = { type: 'prometheus', uid: 'prometheus' } as const;

export interface PanelSpec {
  readonly title: string;
  readonly type: 'timeseries' | 'stat';
  readonly expr: string;
  readonly legendFormat: string;
  /** Grafana unit, e.g. `reqps`, `s`, `short`, `bytes`. */
  readonly unit: string;
}

export interface DashboardSpec {
  readonly uid: string;
  readonly title: string;
  readonly panels: readonly PanelSpec[];
}

/** The application's namespaces, put in by `platformOverview` (see alert-rules.ts). */
const APP = APP_MATCHER;

/** Seed 004 "Platform Overview", for the application in `appNamespaces`. */
export function platformOverview(appNamespaces: readonly string[]): DashboardSpec {
  return { ...PLATFORM_OVERVIEW, panels: PLATFORM_OVERVIEW.panels.map((p) => ({ ...p, expr: withAppNamespaces(p.expr, appNamespaces) })) };
}

/** Seed 004 "Platform Overview", written with the `APP` matcher (see `platformOverview`). */
const PLATFORM_OVERVIEW: DashboardSpec = {
  uid: 'toronto-ai-overview',
  title: 'Toronto AI Platform Overview',
  panels: [
    {
      title: 'Request Rate',
      type: 'timeseries',
      expr: `sum by (namespace, method, status) (rate(http_requests_total{${APP}}[5m]))`,
      legendFormat: '{{namespace}} {{method}} {{status}}',
      unit: 'reqps',
    },
    {
      title: 'Response Time (P95)',
      type: 'timeseries',
      expr: `histogram_quantile(0.95, sum by (le, namespace) (rate(http_request_duration_seconds_bucket{${APP}}[5m])))`,
      legendFormat: '{{namespace}} 95th percentile',
      unit: 's',
    },
    {
      title: 'Active Users',
      type: 'stat',
      expr: `sum by (namespace) (toronto_ai_active_users{${APP}})`,
      legendFormat: '{{namespace}} active users',
      unit: 'short',
    },
    {
      title: 'Database Connections',
      type: 'timeseries',
      expr: 'sum by (datname) (pg_stat_database_numbackends)',
      legendFormat: '{{datname}} active connections',
      unit: 'short',
    },
  ],
};

/** PostgreSQL, MongoDB and Redis at a glance, from the three exporters. */
export const DATA_SERVICES: DashboardSpec = {
  uid: 'toronto-ai-data-services',
  title: 'Toronto AI Data Services',
  panels: [
    { title: 'PostgreSQL up', type: 'stat', expr: 'max by (service) (pg_up)', legendFormat: '{{service}}', unit: 'short' },
    {
      title: 'PostgreSQL connections / max_connections',
      type: 'timeseries',
      expr: 'sum by (service) (pg_stat_activity_count) / max by (service) (pg_settings_max_connections)',
      legendFormat: '{{service}}',
      unit: 'percentunit',
    },
    { title: 'MongoDB up', type: 'stat', expr: 'max by (service) (mongodb_up)', legendFormat: '{{service}}', unit: 'short' },
    {
      title: 'MongoDB current connections',
      type: 'timeseries',
      expr: 'sum by (service) (mongodb_ss_connections{conn_type="current"})',
      legendFormat: '{{service}}',
      unit: 'short',
    },
  ],
};

/** A Grafana dashboard JSON model (schema 39) for `spec`: two panels per row. */
export function dashboardJson(spec: DashboardSpec): Record<string, unknown> {
  return {
    uid: spec.uid,
    title: spec.title,
    tags: ['toronto-ai'],
    timezone: 'utc',
    schemaVersion: 39,
    editable: false,
    refresh: '30s',
    time: { from: 'now-6h', to: 'now' },
    panels: spec.panels.map((p, i) => ({
      id: i + 1,
      type: p.type,
      title: p.title,
      datasource: PROMETHEUS_DATASOURCE,
      gridPos: { h: 8, w: 12, x: (i % 2) * 12, y: Math.floor(i / 2) * 8 },
      fieldConfig: { defaults: { unit: p.unit }, overrides: [] },
      targets: [{ refId: 'A', datasource: PROMETHEUS_DATASOURCE, expr: p.expr, legendFormat: p.legendFormat }],
    })),
  };
}

/**
 * The platform's alert rules (OBS-2) as typed data: one entry per rule, with the threshold and
 * the `for` duration the seeds name, kept apart from the expression text so tests can check
 * both. `ruleGroups` turns them into the `groups` of a Prometheus rule file, which the
 * kube-prometheus-stack chart renders from `additionalPrometheusRulesMap` (no PrometheusRule CRD
 * has to exist at plan time).
 *
 * Metrics the rules rely on:
 * - `http_requests_total{status}` and `http_request_duration_seconds_bucket` (the application,
 *   seed 004), `toronto_ai_ai_service_up` (the application's health check of its AI provider);
 * - cAdvisor/kubelet (`container_*`), node-exporter (`node_filesystem_*`);
 * - `pg_up`, `pg_stat_activity_count`, `pg_settings_max_connections` (postgres-exporter),
 *   `mongodb_up` (mongodb-exporter); Redis (ElastiCache, IAM auth) is watched by CloudWatch alarms
 *   in the cloud stack (constructs/data/redis-cache.ts), not here;
 * - `kube_job_status_failed` (kube-state-metrics) of the certificate check CronJobs
 *   (constructs/security/certificate-check.ts): a check fails while a certificate the platform
 *   issued in the cluster is less than its threshold from expiry. ACM certificates have
 *   CloudWatch alarms in the cloud stack (constructs/edge/certificate.ts).
 *
 * The application's namespaces are not known here: rules select them with the `APP` matcher,
 * which `alertRules` replaces with an anchored regex of the namespaces it is given (PromQL
 * anchors `=~`, so `toronto-ai|beta` would never match `toronto-ai-beta`).
 */
import type { Severity } from '../../environments/sections/observability';
import { CERTIFICATE_CHECK_SUFFIX } from '../security/certificate-check';

/** The AI service's namespace and name (features/services/contract.ts; repeated here: constructs do not import features). */
export const INFERENCE_NAMESPACE = 'ai-inference';
export const INFERENCE_NAME = 'ollama';

/** What the seed 003 decision matrix says to do when the alert fires. */
export type Decision = 'rollback' | 'investigate' | 'ok';

/** A Prometheus duration such as `5m` or `1h`. */
export type Duration = `${number}${'s' | 'm' | 'h'}`;

export type Comparison = '>' | '<' | '==' | '>=' | '<=';

export interface AlertRule {
  /** Alert name (CamelCase, unique). */
  readonly alert: string;
  /** PromQL expression; fires for every series it returns. */
  readonly expr: string;
  /** How long the expression must hold before the alert fires. */
  readonly for: Duration;
  /** The rule's main comparison and threshold, as written at the end of `expr` (tests check both). */
  readonly comparison: Comparison;
  readonly threshold: number;
  readonly severity: Severity;
  readonly decision: Decision;
  readonly summary: string;
  readonly description: string;
  /** Where the rule comes from (seed and section). */
  readonly source: string;
  /**
   * The measured quantity, when `expr` is exactly `<measure> <comparison> <threshold>`: release
   * analysis (Argo Rollouts) queries the same measure against the same threshold and duration,
   * so an automatic rollback and the alert can never disagree.
   */
  readonly measure?: string;
}

/** Placeholder matcher of the application's namespaces, replaced by `alertRules`. */
const APP_NAMESPACES = '$app_namespaces';
/** The matcher of the application's namespaces in rule and panel expressions. */
export const APP_MATCHER = `namespace=~"${APP_NAMESPACES}"`;
const APP = APP_MATCHER;

/**
 * The `=~` alternation of exactly these namespaces (PromQL anchors it at both ends). Namespace
 * names are DNS labels (letters, digits, `-`): nothing in them needs escaping.
 */
export function namespaceRegex(namespaces: readonly string[]): string {
  if (namespaces.length === 0) throw new Error('namespaceRegex: name at least one namespace');
  for (const n of namespaces) {
    if (!/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(n)) throw new Error(`namespaceRegex: '${n}' is not a namespace name`);
  }
  return namespaces.join('|');
}

/** Puts the application's namespaces into a rule or panel expression written with the `APP` matcher. */
export function withAppNamespaces(expr: string, appNamespaces: readonly string[]): string {
  return expr.split(APP_NAMESPACES).join(namespaceRegex(appNamespaces));
}

/** The rules of the `toronto-ai-platform` group, selecting the application in `appNamespaces`. */
export function alertRules(appNamespaces: readonly string[]): AlertRule[] {
  return RULES.map((r) => ({
    ...r,
    expr: withAppNamespaces(r.expr, appNamespaces),
    ...(r.measure ? { measure: withAppNamespaces(r.measure, appNamespaces) } : {}),
  }));
}

/** The rules whose firing means "roll back" and that a release analysis can measure. */
export function rollbackRules(appNamespaces: readonly string[]): (AlertRule & { readonly measure: string })[] {
  return alertRules(appNamespaces).filter((r): r is AlertRule & { measure: string } => r.decision === 'rollback' && r.measure !== undefined);
}

/** Jobs of the certificate check CronJobs (`<name>-certificate-check-<schedule time>`). */
export const CERTIFICATE_CHECK_JOB_REGEX = `.+-${CERTIFICATE_CHECK_SUFFIX}-[0-9]+`;

const errorRatio =
  `sum by (namespace) (rate(http_requests_total{${APP},status=~"5.."}[5m]))` +
  ` / sum by (namespace) (rate(http_requests_total{${APP}}[5m]))`;

const p95 = (window: string, offset = '') =>
  `histogram_quantile(0.95, sum by (le, namespace) (rate(http_request_duration_seconds_bucket{${APP}}[${window}]${offset})))`;

/** Ready AI inference pods (kube-state-metrics), 0 when there are none. */
const AI_SERVICE_READY = `(sum(kube_pod_status_ready{namespace="${INFERENCE_NAMESPACE}",condition="true",pod=~"${INFERENCE_NAME}-.+"}) or vector(0))`;

const MIB = 1024 * 1024;
const GIB = 1024 * MIB;

const errorRatio30m =
  `sum by (namespace) (rate(http_requests_total{${APP},status=~"5.."}[30m]))` +
  ` / sum by (namespace) (rate(http_requests_total{${APP}}[30m]))`;

const quantile = (q: number, window: string) =>
  `histogram_quantile(${q}, sum by (le, namespace) (rate(http_request_duration_seconds_bucket{${APP}}[${window}])))`;

/** The rules, written with the `APP` matcher (see `alertRules`). */
const RULES: readonly AlertRule[] = [
  {
    alert: 'HighCPUUsage',
    expr: `avg by (namespace, pod) (rate(container_cpu_usage_seconds_total{${APP},container!=""}[5m])) > 0.8`,
    for: '5m',
    comparison: '>',
    threshold: 0.8,
    severity: 'warning',
    decision: 'investigate',
    summary: 'High CPU usage on {{ $labels.pod }}',
    description: '{{ $labels.pod }} has used more than 0.8 CPU cores for 5 minutes (now {{ $value }}).',
    source: 'seed 000 4.3.1',
  },
  {
    alert: 'ErrorRateRollback',
    measure: errorRatio,
    expr: `${errorRatio} > 0.05`,
    for: '5m',
    comparison: '>',
    threshold: 0.05,
    severity: 'critical',
    decision: 'rollback',
    summary: 'Error rate above 5% in {{ $labels.namespace }}: roll back',
    description: '5xx responses have been above 5% of requests for 5 minutes (now {{ $value | humanizePercentage }}). Decision matrix: ROLLBACK.',
    source: 'seed 002 automatic rollback triggers; seed 003 decision matrix',
  },
  {
    alert: 'ErrorRateInvestigate',
    expr: `${errorRatio} > 0.01 <= 0.05`,
    for: '2m',
    comparison: '>',
    threshold: 0.01,
    severity: 'warning',
    decision: 'investigate',
    summary: 'Error rate between 1% and 5% in {{ $labels.namespace }}',
    description: '5xx responses are {{ $value | humanizePercentage }} of requests. Decision matrix: INVESTIGATE, do not roll back yet.',
    source: 'seed 003 decision matrix',
  },
  {
    alert: 'LatencyP95Rollback',
    measure: p95('5m'),
    expr: `${p95('5m')} > 5`,
    for: '5m',
    comparison: '>',
    threshold: 5,
    severity: 'critical',
    decision: 'rollback',
    summary: 'P95 response time above 5 s in {{ $labels.namespace }}: roll back',
    description: 'The 95th percentile response time is {{ $value | humanizeDuration }}. Decision matrix: ROLLBACK.',
    source: 'seed 003 decision matrix',
  },
  {
    alert: 'LatencyP95Investigate',
    expr: `${p95('5m')} > 2 <= 5`,
    for: '5m',
    comparison: '>',
    threshold: 2,
    severity: 'warning',
    decision: 'investigate',
    summary: 'P95 response time between 2 s and 5 s in {{ $labels.namespace }}',
    description: 'The 95th percentile response time is {{ $value | humanizeDuration }}. Decision matrix: INVESTIGATE.',
    source: 'seed 003 decision matrix',
  },
  {
    alert: 'LatencyDoubled',
    measure: `${p95('5m')} / ${p95('30m', ' offset 1h')}`,
    expr: `${p95('5m')} / ${p95('30m', ' offset 1h')} > 2`,
    for: '10m',
    comparison: '>',
    threshold: 2,
    severity: 'critical',
    decision: 'rollback',
    summary: 'Response time in {{ $labels.namespace }} more than doubled',
    description: 'P95 response time has been more than twice its level of an hour earlier for 10 minutes.',
    source: 'seed 002 automatic rollback triggers (response time degrades by more than 100% for 10 minutes)',
  },
  {
    alert: 'PostgresUnreachable',
    expr: 'max by (namespace, service) (pg_up) == 0',
    for: '1m',
    comparison: '==',
    threshold: 0,
    severity: 'critical',
    decision: 'rollback',
    summary: 'PostgreSQL unreachable ({{ $labels.service }})',
    description: 'postgres-exporter has failed to connect to PostgreSQL for 1 minute: connections are failing.',
    source: 'seed 002 (database connection failures); seed 003 (database unreachable)',
  },
  {
    alert: 'MongoDBUnreachable',
    expr: 'max by (namespace, service) (mongodb_up) == 0',
    for: '1m',
    comparison: '==',
    threshold: 0,
    severity: 'critical',
    decision: 'rollback',
    summary: 'MongoDB unreachable ({{ $labels.service }})',
    description: 'mongodb-exporter has failed to connect to the replica set for 1 minute.',
    source: 'seed 003 (database unreachable)',
  },
  {
    alert: 'MemoryGrowth',
    expr: `deriv(container_memory_working_set_bytes{${APP},container!=""}[10m]) * 60 > ${100 * MIB}`,
    for: '5m',
    comparison: '>',
    threshold: 100 * MIB,
    severity: 'critical',
    decision: 'rollback',
    summary: 'Memory of {{ $labels.pod }} growing faster than 100 MiB/min',
    description: 'Working set of {{ $labels.pod }}/{{ $labels.container }} grows by {{ $value | humanize1024 }}B per minute: a memory leak.',
    source: 'seed 003 decision matrix (memory leak > 100MB/min)',
  },
  {
    alert: 'PostgresConnectionPoolNearExhaustion',
    expr: 'sum by (namespace, service) (pg_stat_activity_count) / max by (namespace, service) (pg_settings_max_connections) > 0.8',
    for: '5m',
    comparison: '>',
    threshold: 0.8,
    severity: 'warning',
    decision: 'investigate',
    summary: 'PostgreSQL connections above 80% of max_connections ({{ $labels.service }})',
    description: '{{ $value | humanizePercentage }} of max_connections are in use: the pool is close to exhaustion.',
    source: 'seed 003 pre-deployment check 5 (connection pool healthy)',
  },
  {
    alert: 'DiskSpaceLow',
    expr: `node_filesystem_avail_bytes{mountpoint="/",fstype!~"tmpfs|overlay|squashfs"} < ${10 * GIB}`,
    for: '10m',
    comparison: '<',
    threshold: 10 * GIB,
    severity: 'warning',
    decision: 'investigate',
    summary: 'Less than 10 GiB free on {{ $labels.instance }}',
    description: 'The root file system of {{ $labels.instance }} has {{ $value | humanize1024 }}B free.',
    source: 'seed 003 pre-deployment check 6 (> 10GB free)',
  },
  {
    alert: 'CertificateExpiringSoon',
    expr: `max by (namespace, job_name) (kube_job_status_failed{job_name=~"${CERTIFICATE_CHECK_JOB_REGEX}"}) > 0`,
    for: '1m',
    comparison: '>',
    threshold: 0,
    severity: 'warning',
    decision: 'investigate',
    summary: 'Certificate check {{ $labels.namespace }}/{{ $labels.job_name }} failed',
    description: 'A certificate the platform issued in the cluster expires within its check threshold (or the check could not read it). Job logs name the certificate; renew it (README runbook).',
    source: 'seed 003 pre-deployment check 11; seed 000 4.1.3',
  },
  {
    alert: 'AIServiceUnavailable',
    measure: AI_SERVICE_READY,
    expr: `${AI_SERVICE_READY} < 1`,
    for: '15m',
    comparison: '<',
    threshold: 1,
    severity: 'critical',
    decision: 'rollback',
    summary: 'AI service unavailable for 15 minutes in {{ $labels.namespace }}',
    description: 'No AI inference (Ollama) pod has been ready for 15 minutes. The AI service rolls back on its own during a release (its canary analysis); outside a release, page: see the README runbook.',
    source: 'seed 002 automatic rollback triggers',
  },
  // Service level targets of the seeds, below the investigate and rollback thresholds: sustained
  // for half an hour they say the service misses its target while nothing is broken yet.
  {
    alert: 'SLOErrorRateAboveTarget',
    expr: `${errorRatio30m} > 0.005`,
    for: '30m',
    comparison: '>',
    threshold: 0.005,
    severity: 'warning',
    decision: 'investigate',
    summary: 'Error rate above the 0.5 % target in {{ $labels.namespace }}',
    description: '5xx responses have been above 0.5 % of requests over 30 minutes (now {{ $value | humanizePercentage }}), below the 1 % investigate threshold.',
    source: 'seed 003 post-deployment checks (error rate < 0.5 %)',
  },
  {
    alert: 'SLOLatencyP95AboveTarget',
    expr: `${quantile(0.95, '30m')} > 1.5`,
    for: '30m',
    comparison: '>',
    threshold: 1.5,
    severity: 'warning',
    decision: 'investigate',
    summary: 'P95 response time above the 1.5 s target in {{ $labels.namespace }}',
    description: 'The 95th percentile response time has been above 1.5 s over 30 minutes (now {{ $value | humanizeDuration }}).',
    source: 'seed 003 15-minute checks (response times P95 < 1.5 s)',
  },
  {
    alert: 'SLAMedianLatencyAboveTarget',
    expr: `${quantile(0.5, '15m')} > 0.5`,
    for: '15m',
    comparison: '>',
    threshold: 0.5,
    severity: 'warning',
    decision: 'investigate',
    summary: 'Median API response time above the 500 ms SLA in {{ $labels.namespace }}',
    description: 'Half of the requests have taken longer than 500 ms over 15 minutes (now {{ $value | humanizeDuration }}).',
    source: 'seed 002 system health monitoring (API response times within SLA < 500 ms)',
  },
];

/** One Prometheus rule as it appears in a rule file. */
export interface PrometheusRule {
  readonly alert: string;
  readonly expr: string;
  readonly for: string;
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
}

export interface RuleGroup {
  readonly name: string;
  readonly rules: PrometheusRule[];
}

/** The rule groups for a rule file, each alert linked to the decision matrix at `runbookUrl`. */
export function ruleGroups(rules: readonly AlertRule[], runbookUrl: string, environment: string): RuleGroup[] {
  const names = new Set<string>();
  for (const r of rules) {
    if (names.has(r.alert)) throw new Error(`alert rule ${r.alert} is defined twice`);
    names.add(r.alert);
  }
  return [
    {
      name: 'toronto-ai-platform',
      rules: rules.map((r) => ({
        alert: r.alert,
        expr: r.expr,
        for: r.for,
        labels: { severity: r.severity, decision: r.decision, environment },
        annotations: {
          summary: r.summary,
          description: r.description,
          runbook_url: runbookUrl,
          source: r.source,
        },
      })),
    },
  ];
}

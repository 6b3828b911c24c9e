/**
 * OBS-2: the alert rules of seeds 000, 002 and 003 — thresholds, durations, severities, PromQL
 * shape — and their delivery through the kube-prometheus-stack values.
 */
import { AlertRule, alertRules, ruleGroups } from '../constructs/observability/alert-rules';

/** The rules for the production namespaces (stable and beta channel). */
const ALERT_RULES = alertRules(['toronto-ai', 'toronto-ai-beta']);
import { Json, resources, shipped } from './helpers';

const rule = (alert: string): AlertRule => {
  const found = ALERT_RULES.find((r) => r.alert === alert);
  if (!found) throw new Error(`no alert rule ${alert}`);
  return found;
};

/** Parentheses, brackets and braces are balanced (ignoring quoted strings). */
function balanced(expr: string): boolean {
  const pairs: Record<string, string> = { ')': '(', ']': '[', '}': '{' };
  const stack: string[] = [];
  let quoted = false;
  for (const ch of expr) {
    if (ch === '"') quoted = !quoted;
    if (quoted) continue;
    if ('([{'.includes(ch)) stack.push(ch);
    else if (ch in pairs && stack.pop() !== pairs[ch]) return false;
  }
  return stack.length === 0 && !quoted;
}

const MIB = 1024 * 1024;

describe('alert rules (typed data)', () => {
  test.each([
    // alert, comparison, threshold, for, severity, decision
    ['HighCPUUsage', '>', 0.8, '5m', 'warning', 'investigate'],
    ['ErrorRateRollback', '>', 0.05, '5m', 'critical', 'rollback'],
    ['ErrorRateInvestigate', '>', 0.01, '2m', 'warning', 'investigate'],
    ['LatencyP95Rollback', '>', 5, '5m', 'critical', 'rollback'],
    ['LatencyP95Investigate', '>', 2, '5m', 'warning', 'investigate'],
    ['LatencyDoubled', '>', 2, '10m', 'critical', 'rollback'],
    ['PostgresUnreachable', '==', 0, '1m', 'critical', 'rollback'],
    ['MongoDBUnreachable', '==', 0, '1m', 'critical', 'rollback'],
    ['MemoryGrowth', '>', 100 * MIB, '5m', 'critical', 'rollback'],
    ['PostgresConnectionPoolNearExhaustion', '>', 0.8, '5m', 'warning', 'investigate'],
    ['DiskSpaceLow', '<', 10 * 1024 * MIB, '10m', 'warning', 'investigate'],
    ['CertificateExpiringSoon', '>', 0, '1m', 'warning', 'investigate'],
    ['AIServiceUnavailable', '<', 1, '15m', 'critical', 'rollback'],
  ] as const)('%s: %s %d for %s, %s (%s)', (alert, comparison, threshold, duration, severity, decision) => {
    const r = rule(alert);
    expect(r.comparison).toBe(comparison);
    expect(r.threshold).toBe(threshold);
    expect(r.for).toBe(duration);
    expect(r.severity).toBe(severity);
    expect(r.decision).toBe(decision);
    expect(r.expr).toContain(`${comparison} ${threshold}`);
  });

  test.each(ALERT_RULES.map((r) => [r.alert, r]))('%s parses as PromQL-shaped text', (_name, r) => {
    expect(balanced(r.expr)).toBe(true);
    // a metric selector: a snake_case metric name, optionally with label matchers
    expect(r.expr).toMatch(/\b[a-z][a-z0-9]*_[a-z0-9_:]+(\{[^}]*\})?/);
    expect(r.expr).toMatch(/\s(>|<|==|>=|<=)\s/);
    expect(r.for).toMatch(/^\d+[smh]$/);
    expect(r.summary.length).toBeGreaterThan(0);
    expect(r.description.length).toBeGreaterThan(0);
  });

  test('the seed 000 CPU rule keeps its exact metric and watches every application namespace', () => {
    expect(rule('HighCPUUsage').expr).toMatch(/rate\(container_cpu_usage_seconds_total\{namespace=~"toronto-ai\|toronto-ai-beta"/);
  });

  test('application selectors name the namespaces exactly (PromQL anchors =~): no `beta` fragment, no placeholder left', () => {
    const selectors = ALERT_RULES.flatMap((r) => [...r.expr.matchAll(/namespace=~"([^"]*)"/g)].map((m) => m[1]));
    expect(selectors.length).toBeGreaterThanOrEqual(8);
    expect(new Set(selectors)).toEqual(new Set(['toronto-ai|toronto-ai-beta']));
    for (const r of ALERT_RULES) expect(r.expr).not.toContain('$app_namespaces');
  });

  test('an environment without the beta channel selects only toronto-ai', () => {
    const rules = alertRules(['toronto-ai']);
    expect(rules.find((r) => r.alert === 'ErrorRateRollback')!.expr).toContain('http_requests_total{namespace=~"toronto-ai",status=~"5.."}');
  });

  test('a namespace that is not a DNS label is refused', () => {
    expect(() => alertRules(['toronto-ai|.*'])).toThrow("namespaceRegex: 'toronto-ai|.*' is not a namespace name");
  });

  test('the certificate rule fires on failed Jobs of the certificate check CronJobs (a metric kube-state-metrics exports)', () => {
    expect(rule('CertificateExpiringSoon').expr).toBe('max by (namespace, job_name) (kube_job_status_failed{job_name=~".+-certificate-check-[0-9]+"}) > 0');
  });

  test('the investigate bands sit below the rollback thresholds (seed 003 matrix)', () => {
    expect(rule('ErrorRateInvestigate').expr).toMatch(/> 0\.01 <= 0\.05$/);
    expect(rule('LatencyP95Investigate').expr).toMatch(/> 2 <= 5$/);
  });

  test('latency doubled compares against the P95 of an hour earlier', () => {
    expect(rule('LatencyDoubled').expr).toMatch(/ \/ histogram_quantile\(0\.95, .*offset 1h\)\)\) > 2$/);
  });

  test('every rollback trigger is critical, every critical rule is a rollback trigger', () => {
    for (const r of ALERT_RULES) {
      expect([r.alert, r.decision === 'rollback']).toEqual([r.alert, r.severity === 'critical']);
    }
  });

  test('alert names are unique', () => {
    expect(() => ruleGroups([...ALERT_RULES, ALERT_RULES[0]], 'https://x/README.md#alert-decision-matrix', 'x')).toThrow(
      'alert rule HighCPUUsage is defined twice',
    );
  });
});

describe('alert rules in the monitoring release', () => {
  const json: Json = shipped('production').platform;
  const release = resources(json, 'helm_release').find((r) => r.name === 'kube-prometheus-stack')!;
  const values = JSON.parse(release.values[0]);
  const group = values.additionalPrometheusRulesMap['toronto-ai-platform'].groups[0];

  test('select the namespaces of the environment: production both channels, development stable only', () => {
    const dev = JSON.parse(resources(shipped('development').platform, 'helm_release').find((r) => r.name === 'kube-prometheus-stack')!.values[0]);
    const exprOf = (v: Json) => v.additionalPrometheusRulesMap['toronto-ai-platform'].groups[0].rules.find((r: Json) => r.alert === 'ErrorRateRollback').expr;
    expect(exprOf(values)).toContain('namespace=~"toronto-ai|toronto-ai-beta"');
    expect(exprOf(dev)).toContain('namespace=~"toronto-ai",');
    const overview = JSON.parse(values.grafana.dashboards['toronto-ai']['toronto-ai-overview'].json);
    expect(overview.panels[0].targets[0].expr).toBe('sum by (namespace, method, status) (rate(http_requests_total{namespace=~"toronto-ai|toronto-ai-beta"}[5m]))');
  });

  test('Watchdog goes to the heartbeat webhook (URL from the alertmanager-heartbeat Secret) every 5 minutes, not to a null receiver', () => {
    const am = values.alertmanager;
    expect(am.config.route.routes[0]).toEqual({
      receiver: 'heartbeat',
      matchers: ['alertname = "Watchdog"'],
      group_wait: '0s',
      group_interval: '5m',
      repeat_interval: '5m',
    });
    expect(am.config.receivers).toContainEqual({
      name: 'heartbeat',
      webhook_configs: [{ url_file: '/etc/alertmanager/secrets/alertmanager-heartbeat/url', send_resolved: false }],
    });
    expect(am.config.receivers.map((r: Json) => r.name)).not.toContain('null');
    // Mounted optionally, synced from Secrets Manager like the receivers' credentials.
    expect(am.alertmanagerSpec.volumes).toContainEqual(expect.objectContaining({ secret: { secretName: 'alertmanager-heartbeat', optional: true } }));
  });

  test('are rendered from additionalPrometheusRulesMap (no PrometheusRule CRD at plan time)', () => {
    expect(group.name).toBe('toronto-ai-platform');
    expect(group.rules.map((r: Json) => r.alert)).toEqual(ALERT_RULES.map((r) => r.alert));
    expect(resources(json, 'kubernetes_manifest')).toEqual([]);
  });

  test.each(ALERT_RULES.map((r) => [r.alert]))('%s carries severity, summary, description and the decision-matrix runbook', (alert) => {
    const r = group.rules.find((x: Json) => x.alert === alert);
    expect(r.labels).toMatchObject({ severity: rule(alert).severity, decision: rule(alert).decision, environment: 'production' });
    expect(r.annotations.summary).toBe(rule(alert).summary);
    expect(r.annotations.description).toBe(rule(alert).description);
    expect(r.annotations.runbook_url).toMatch(/README\.md#alert-decision-matrix$/);
    expect(r.for).toBe(rule(alert).for);
  });
});

describe('service level targets of the seeds (issue 15)', () => {
  const rules = alertRules(['toronto-ai', 'toronto-ai-beta']);
  const rule = (name: string) => rules.find((r) => r.alert === name)!;

  test.each([
    ['SLOErrorRateAboveTarget', '>', 0.005, '30m', /http_requests_total\{namespace=~"toronto-ai\|toronto-ai-beta",status=~"5\.\."\}\[30m\]/],
    ['SLOLatencyP95AboveTarget', '>', 1.5, '30m', /histogram_quantile\(0\.95, .*\[30m\]/],
    ['SLAMedianLatencyAboveTarget', '>', 0.5, '15m', /histogram_quantile\(0\.5, .*\[15m\]/],
  ] as const)('%s: %s %s for %s, below the investigate thresholds', (name, comparison, threshold, duration, shape) => {
    const r = rule(name);
    expect(r).toMatchObject({ comparison, threshold, for: duration, severity: 'warning', decision: 'investigate' });
    expect(r.expr.endsWith(`${comparison} ${threshold}`)).toBe(true);
    expect(r.expr).toMatch(shape);
  });

  test('the targets sit below the investigate and rollback thresholds', () => {
    expect(rule('SLOErrorRateAboveTarget').threshold).toBeLessThan(rule('ErrorRateInvestigate').threshold);
    expect(rule('SLOLatencyP95AboveTarget').threshold).toBeLessThan(rule('LatencyP95Investigate').threshold);
  });

  test('Prometheus scrapes and evaluates every 15 s (seed 004)', () => {
    const values = JSON.parse(resources(shipped('production').platform, 'helm_release').find((r) => r.name === 'kube-prometheus-stack')!.values[0]);
    expect(values.prometheus.prometheusSpec).toMatchObject({ scrapeInterval: '15s', evaluationInterval: '15s' });
  });
});

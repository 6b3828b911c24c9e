/**
 * OBS-1..4: the observability section of the definitions, the monitoring release
 * (kube-prometheus-stack), the exporters and the logging stack, on synthesized platform stacks.
 */
import { validateEnvironments } from '../environments';
import { Testing, TerraformStack } from 'cdktf';
import { alertmanagerReceiver, Monitoring } from '../constructs/observability/monitoring';
import { placementFor } from '../constructs/nodepools/placement';
import { unescapeTemplate } from '../constructs/observability/terraform-escape';
import { definition, Json, resources, stacksFor, synth, definitionProblems, shipped } from './helpers';

function problemsOf(name: string, mutate: (d: any) => void): string[] {
  return definitionProblems(name, mutate);
}

const platform = (name: string): Json => shipped(name).platform;

function release(json: Json, name: string): Json {
  const found = resources(json, 'helm_release').filter((r) => r.name === name);
  if (found.length !== 1) throw new Error(`expected one helm_release ${name}, found ${found.length}`);
  return found[0];
}

/** The Retain storage class (gp3-encrypted-retain), referenced so the class exists first. */
const RETAIN_CLASS = expect.stringMatching(/^\$\{kubernetes_storage_class_v1\.storage-classes_stateful_\w+\.metadata\[0\]\.name\}$/);

const valuesOf = (json: Json, name: string): Json => JSON.parse(release(json, name).values[0]);

describe('observability definition rules', () => {
  test.each([
    [
      'metrics retention 0',
      'production',
      (d: any) => (d.observability.prometheus.retentionDays = 0),
      'production.observability.prometheus.retentionDays: metrics retention must be at least 1 day; got 0',
    ],
    [
      'log retention 0',
      'development',
      (d: any) => (d.observability.logging.retentionDays = 0),
      'development.observability.logging.retentionDays: log retention must be at least 1 day; got 0',
    ],
    [
      'Prometheus storage below 50 Gi in production',
      'production',
      (d: any) => (d.observability.prometheus.storageGiB = 40),
      'production.observability.prometheus.storageGiB: 40 GiB is below the 50 GiB Prometheus needs in production (OBS-1)',
    ],
    [
      'unknown receiver type',
      'production',
      (d: any) => (d.observability.alertmanager.receivers[0] = { type: 'teams', name: 'teams', webhook: 'x' }),
      'production.observability.alertmanager.receivers.0.type: unknown receiver type "teams"; use one of slack, pagerduty, email, webhook',
    ],
    [
      'fewer than 3 Elasticsearch nodes in production',
      'production',
      (d: any) => (d.observability.logging.elasticsearch.nodes = 1),
      'production.observability.logging.elasticsearch.nodes: 1 Elasticsearch node(s) is below the 3 master-eligible nodes production needs (OBS-4)',
    ],
    [
      '2 master-eligible nodes',
      'testing',
      (d: any) => (d.observability.logging.elasticsearch.nodes = 2),
      'testing.observability.logging.elasticsearch.nodes: 2 master-eligible nodes cannot elect a master when one is lost; use 1 (development) or 3 or more',
    ],
    [
      'route to an undeclared receiver',
      'production',
      (d: any) => (d.observability.alertmanager.routes[0].receiver = 'opsgenie'),
      'production.observability.alertmanager.routes.0.receiver: opsgenie is not a declared receiver (declared: pagerduty-oncall, slack-alerts)',
    ],
    [
      'undeclared default receiver',
      'development',
      (d: any) => (d.observability.alertmanager.defaultReceiver = 'nobody'),
      'development.observability.alertmanager.defaultReceiver: nobody is not a declared receiver (declared: slack-dev)',
    ],
    [
      'production without a critical route',
      'production',
      (d: any) => (d.observability.alertmanager.routes = []),
      'production.observability.alertmanager.routes: production needs a route for critical alerts (the rollback triggers)',
    ],
    [
      'a literal webhook URL instead of a Secret reference',
      'development',
      (d: any) => (d.observability.alertmanager.receivers[0].apiUrlSecret = 'https://hooks.slack.com/services/T0/B0/x'),
      'development.observability.alertmanager.receivers.0.apiUrlSecret: must be object, got string',
    ],
    [
      'a runbook URL without the decision matrix anchor',
      'staging',
      (d: any) => (d.observability.alertmanager.runbookUrl = 'https://example.com/README.md'),
      'staging.observability.alertmanager.runbookUrl: must point at the README anchor #alert-decision-matrix',
    ],
  ])('rejects %s', (_label, env, mutate, message) => {
    expect(problemsOf(env, mutate)).toContain(message);
  });

  test('the shipped definitions are valid and production keeps 50 Gi, 10 Gi, 3 nodes and 14 days', () => {
    const [production] = validateEnvironments([definition('production')]);
    expect(production.observability.prometheus.storageGiB).toBeGreaterThanOrEqual(50);
    expect(production.observability.grafana.storageGiB).toBe(10);
    expect(production.observability.logging.elasticsearch.nodes).toBeGreaterThanOrEqual(3);
    expect(production.observability.logging.retentionDays).toBe(14);
  });
});

describe('monitoring (kube-prometheus-stack)', () => {
  const json = platform('production');
  const values = valuesOf(json, 'kube-prometheus-stack');

  test('is the pinned chart in the monitoring namespace', () => {
    const r = release(json, 'kube-prometheus-stack');
    expect(r.chart).toBe('kube-prometheus-stack');
    expect(r.version).toBe('88.5.3');
    expect(r.namespace).toContain('namespaces_monitoring');
  });

  test('Prometheus keeps the definition retention on a 50 Gi retained volume on the system pool', () => {
    const spec = values.prometheus.prometheusSpec;
    expect(spec.retention).toBe('15d');
    expect(spec.replicas).toBe(2);
    expect(spec.storageSpec.volumeClaimTemplate.spec).toEqual({
      storageClassName: RETAIN_CLASS,
      accessModes: ['ReadWriteOnce'],
      resources: { requests: { storage: '50Gi' } },
    });
    expect(spec.nodeSelector).toEqual({ 'toronto-ai.io/pool': 'system' });
    expect(spec.serviceMonitorSelectorNilUsesHelmValues).toBe(false);
    expect(spec.resources.limits.memory).toBeDefined();
  });

  test('the referenced storage class is gp3-encrypted-retain, which retains volumes', () => {
    const sc = resources(json, 'kubernetes_storage_class_v1').find((c) => c.metadata.name === 'gp3-encrypted-retain')!;
    expect(sc.reclaim_policy).toBe('Retain');
    expect(values.prometheus.prometheusSpec.storageSpec.volumeClaimTemplate.spec.storageClassName).toBe(
      `\${kubernetes_storage_class_v1.${sc.__name}.metadata[0].name}`,
    );
  });

  test('Prometheus scrapes the application pods on /api/metrics every 10 s (seed 004)', () => {
    const [job] = values.prometheus.prometheusSpec.additionalScrapeConfigs;
    expect(job).toMatchObject({ job_name: 'toronto-ai-app', metrics_path: '/api/metrics', scrape_interval: '10s' });
    expect(job.kubernetes_sd_configs).toEqual([{ role: 'pod', namespaces: { names: ['toronto-ai', 'toronto-ai-beta'] } }]);
    expect(job.relabel_configs).toContainEqual({ source_labels: ['__meta_kubernetes_pod_container_port_number'], regex: '8000', action: 'keep' });
    expect(job.relabel_configs).toContainEqual({ source_labels: ['__meta_kubernetes_namespace'], target_label: 'namespace' });
  });

  test('Grafana has 10 Gi persistence and its admin password generated in the cluster (no Secret made by hand)', () => {
    expect(values.grafana.persistence).toMatchObject({ enabled: true, size: '10Gi', storageClassName: RETAIN_CLASS });
    // No existingSecret and no password: the chart generates the admin Secret on first install.
    expect(values.grafana.admin).toBeUndefined();
    expect(values.grafana.adminPassword).toBeUndefined();
    expect(values.grafana.env?.GF_SECURITY_ADMIN_PASSWORD).toBeUndefined();
  });

  test('Grafana provisions the seed 004 overview and the data-services dashboard', () => {
    const dashboards = values.grafana.dashboards['toronto-ai'];
    const overview = JSON.parse(dashboards['toronto-ai-overview'].json);
    expect(overview.panels.map((p: Json) => p.title)).toEqual([
      'Request Rate',
      'Response Time (P95)',
      'Active Users',
      'Database Connections',
    ]);
    expect(overview.panels[3].targets[0].expr).toContain('pg_stat_database_numbackends');
    const data = JSON.parse(dashboards['toronto-ai-data-services'].json);
    expect(data.panels.map((p: Json) => p.targets[0].expr).join(' ')).toMatch(/pg_up.*mongodb_up/);
    expect(values.grafana.dashboardProviders['dashboardproviders.yaml'].providers[0].options.path).toBe(
      '/var/lib/grafana/dashboards/toronto-ai',
    );
  });

  test('Alertmanager routes critical alerts to PagerDuty and warnings to Slack', () => {
    const routes = values.alertmanager.config.route.routes;
    expect(values.alertmanager.config.route.receiver).toBe('slack-alerts');
    expect(routes).toContainEqual({ receiver: 'pagerduty-oncall', matchers: ['severity = "critical"'], repeat_interval: '1h' });
    expect(routes).toContainEqual({ receiver: 'slack-alerts', matchers: ['severity = "warning"'], repeat_interval: '4h' });
    expect(values.alertmanager.alertmanagerSpec.replicas).toBe(3);
  });

  test('receiver credentials are files from mounted Secrets, never values', () => {
    const receivers = values.alertmanager.config.receivers;
    const pagerduty = receivers.find((r: Json) => r.name === 'pagerduty-oncall');
    const slack = receivers.find((r: Json) => r.name === 'slack-alerts');
    expect(pagerduty.pagerduty_configs[0].routing_key_file).toBe('/etc/alertmanager/secrets/alertmanager-pagerduty/routing-key');
    expect(pagerduty.pagerduty_configs[0].routing_key).toBeUndefined();
    expect(slack.slack_configs[0].api_url_file).toBe('/etc/alertmanager/secrets/alertmanager-slack/webhook-url');
    expect(slack.slack_configs[0].api_url).toBeUndefined();
    // Mounted optionally (synced from Secrets Manager once a person has put the value): Alertmanager
    // starts before that; no Secret has to exist before the first apply. The heartbeat's webhook
    // URL is one of them (the Watchdog dead man's switch).
    expect(values.alertmanager.alertmanagerSpec.secrets).toBeUndefined();
    expect(values.alertmanager.alertmanagerSpec.volumes).toEqual([
      { name: 'receiver-0', secret: { secretName: 'alertmanager-heartbeat', optional: true } },
      { name: 'receiver-1', secret: { secretName: 'alertmanager-pagerduty', optional: true } },
      { name: 'receiver-2', secret: { secretName: 'alertmanager-slack', optional: true } },
    ]);
    expect(values.alertmanager.alertmanagerSpec.volumeMounts).toEqual([
      { name: 'receiver-0', mountPath: '/etc/alertmanager/secrets/alertmanager-heartbeat', readOnly: true },
      { name: 'receiver-1', mountPath: '/etc/alertmanager/secrets/alertmanager-pagerduty', readOnly: true },
      { name: 'receiver-2', mountPath: '/etc/alertmanager/secrets/alertmanager-slack', readOnly: true },
    ]);
  });

  test.each([
    ['email', { type: 'email', name: 'mail', to: 'a@b.io', from: 'c@d.io', smarthost: 'smtp.b.io:587', authUsername: 'u', authPasswordSecret: { name: 'smtp', key: 'pw' } }, 'email_configs', 'auth_password_file', '/etc/alertmanager/secrets/smtp/pw'],
    ['webhook', { type: 'webhook', name: 'hook', urlSecret: { name: 'hook', key: 'url' } }, 'webhook_configs', 'url_file', '/etc/alertmanager/secrets/hook/url'],
  ] as const)('a %s receiver reads its credential from a file', (_type, receiver, block, key, path) => {
    const rendered = alertmanagerReceiver(receiver as any) as Json;
    expect(rendered[block][0][key]).toBe(path);
  });

  test('the construct refuses a route to an undeclared receiver', () => {
    const stack = new TerraformStack(Testing.app(), 'test');
    expect(
      () =>
        new Monitoring(stack, 'monitoring', {
          namespace: 'monitoring',
          placement: placementFor('system', ['system']),
          storageClassName: 'gp3-encrypted-retain',
          environment: 'test',
          prometheus: { retentionDays: 15, storageGiB: 50, replicas: 1 },
          grafana: { storageGiB: 10 },
          alertmanager: {
            replicas: 1,
            receivers: [{ type: 'webhook', name: 'hook', urlSecret: { name: 'hook', key: 'url' } }],
            defaultReceiver: 'hook',
            routes: [{ severity: 'critical', receiver: 'pager', repeatIntervalHours: 1 }],
            runbookUrl: 'https://x/README.md#alert-decision-matrix',
          },
        }),
    ).toThrow("test/monitoring: receiver 'pager' is not declared. Declared: hook");
  });

  test('no literal credential appears in the platform stacks', () => {
    for (const env of ['development', 'production']) {
      const text = JSON.stringify(platform(env));
      expect(text).not.toMatch(/hooks\.slack\.com|adminPassword|"routing_key"|"api_url"|"auth_password"|"service_key"/);
      expect(text).not.toMatch(/password\\*"\s*:\s*\\*"[^$\\]/i);
    }
  });

  test('development has no system pool: monitoring falls back to the app pool with its smaller volume', () => {
    const dev = valuesOf(platform('development'), 'kube-prometheus-stack');
    expect(dev.prometheus.prometheusSpec.nodeSelector).toEqual({ 'toronto-ai.io/pool': 'app' });
    expect(dev.prometheus.prometheusSpec.storageSpec.volumeClaimTemplate.spec.resources.requests.storage).toBe('20Gi');
  });
});

describe('exporters', () => {
  const json = platform('production');

  test('postgres-exporter reads its connection URI from the CloudNativePG app Secret and is scraped', () => {
    const r = release(json, 'postgres-exporter');
    const values = JSON.parse(r.values[0]);
    expect(r.namespace).toContain('namespaces_data');
    expect(values.config.datasourceSecret).toEqual({ name: 'postgres-app', key: 'uri' });
    expect(values.serviceMonitor.enabled).toBe(true);
  });

  test('mongodb-exporter reads its TLS connection string from the generated Secret and verifies the CA, restricted Pod Security', () => {
    const values = valuesOf(json, 'mongodb-exporter');
    expect(values.existingSecret).toEqual({ name: 'mongodb-monitoring-credentials', key: 'uri' });
    expect(values.volumes).toEqual([{ name: 'mongodb-ca', secret: { secretName: 'mongodb-ssl', items: [{ key: 'ca.crt', path: 'ca.crt' }] } }]);
    expect(values.volumeMounts).toEqual([{ name: 'mongodb-ca', mountPath: '/etc/mongodb-tls', readOnly: true }]);
    expect(values.serviceMonitor.enabled).toBe(true);
    expect(values.podSecurityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(values.resources.limits).toBeDefined();
  });

  test('exporters wait for the monitoring release (ServiceMonitor CRD) and the databases (their Secrets)', () => {
    for (const name of ['postgres-exporter', 'mongodb-exporter']) {
      const deps = release(json, name).depends_on.join(' ');
      expect(deps).toContain('kube-prometheus-stack');
      expect(deps).toMatch(/helm_release\.postgres_cluster_release/);
      expect(deps).toMatch(/helm_release\.mongodb_replica-set/);
    }
  });

  test('the MongoDB Secret is the one the credentials chart writes for the replica set\'s monitoring user, with its CA path', () => {
    const stacks = stacksFor('production');
    const users = stacks.platform.data.mongodb.credentials.values.users as { secretName: string; username: string; caFile: string }[];
    const monitoring = users.find((u) => u.username === 'monitoring')!;
    expect(stacks.platform.exporters.releases.mongodb.values.existingSecret).toEqual({ name: monitoring.secretName, key: 'uri' });
    const mounts = stacks.platform.exporters.releases.mongodb.values.volumeMounts as { mountPath: string }[];
    expect(monitoring.caFile).toBe(`${mounts[0].mountPath}/ca.crt`);
    expect(stacks.platform.exporters.releases.postgres.values.config).toEqual({
      datasourceSecret: { name: stacks.platform.data.postgres.appSecretName, key: 'uri' },
    });
  });
});

describe('logging (ECK)', () => {
  const json = platform('production');

  test('Elasticsearch: 3 master-eligible data nodes on retained 500 Gi volumes', () => {
    const values = valuesOf(json, 'elasticsearch');
    const nodeSet = values.nodeSets[0];
    expect(nodeSet.count).toBe(3);
    expect(nodeSet.config['node.roles']).toEqual(expect.arrayContaining(['master', 'data']));
    expect(nodeSet.volumeClaimTemplates[0].spec).toMatchObject({
      storageClassName: RETAIN_CLASS,
      resources: { requests: { storage: '500Gi' } },
    });
    expect(nodeSet.podTemplate.spec.containers[0].resources.limits.memory).toBe('16Gi');
    expect(values.version).toBe('9.1.5');
  });

  test('Kibana runs on the system pool with explicit requests and limits', () => {
    const values = valuesOf(json, 'kibana');
    expect(values.podTemplate.spec.nodeSelector).toEqual({ 'toronto-ai.io/pool': 'system' });
    expect(values.podTemplate.spec.containers).toEqual([
      {
        name: 'kibana',
        resources: { requests: { cpu: '250m', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } },
        // ECK 3.5.0's Kibana defaults, stated so the operator-created pods are policy-checked
        securityContext: { privileged: false, allowPrivilegeEscalation: false, runAsNonRoot: true, capabilities: { drop: ['ALL'] }, readOnlyRootFilesystem: true, runAsUser: 1000, runAsGroup: 1000 },
      },
    ]);
    expect(values.podTemplate.spec.securityContext).toEqual({ fsGroup: 1000, seccompProfile: { type: 'RuntimeDefault' } });
  });

  test('Logstash runs the seed 000 pipeline: beats 5044, grok, error tag, daily toronto-ai indices', () => {
    const values = valuesOf(json, 'logstash');
    const pipeline = unescapeTemplate(values.pipelines[0]['config.string']);
    expect(pipeline).toMatch(/beats \{\s*port => 5044\s/);
    expect(pipeline).toContain('%{TIMESTAMP_ISO8601:timestamp} %{LOGLEVEL:log_level} %{GREEDYDATA:log_message}');
    expect(pipeline).toMatch(/if \[log_level\] == "ERROR" \{\s*mutate \{ add_tag => \["error"\] \}/);
    expect(pipeline).toContain('index => "toronto-ai-%{+YYYY.MM.dd}"');
    expect(values.services[0].service.spec.ports[0].port).toBe(5044);
    expect(values.count).toBe(2);
  });

  test('Terraform template sequences in the pipeline are escaped', () => {
    const raw = valuesOf(json, 'logstash').pipelines[0]['config.string'];
    expect(raw).toContain('%%{TIMESTAMP_ISO8601');
    expect(raw).toContain('$${ECK_ES_HOSTS}');
    expect(raw).not.toMatch(/(^|[^$])\$\{/);
  });

  test('Filebeat runs on every node and ships container logs to Logstash', () => {
    const ds = resources(json, 'kubernetes_daemon_set_v1').find((d) => d.metadata.name === 'filebeat')!;
    const spec = ds.spec.template.spec;
    expect(spec.toleration).toEqual([{ operator: 'Exists' }]);
    expect(spec.container[0].image).toBe('docker.elastic.co/beats/filebeat:9.1.5');
    expect(spec.container[0].security_context).toMatchObject({ privileged: false, read_only_root_filesystem: true });
    const config = resources(json, 'kubernetes_config_map_v1').find((c) => c.metadata.name === 'filebeat-config')!;
    expect(config.data['filebeat.yml']).toContain('hosts: ["logstash-ls-beats.${kubernetes_namespace_v1');
    expect(config.data['filebeat.yml']).toContain('/var/log/containers/*.log');
  });

  test('an index lifecycle policy deletes indices after the retention', () => {
    const config = resources(json, 'kubernetes_config_map_v1').find((c) => c.metadata.name === 'elasticsearch-ilm')!;
    const policy = JSON.parse(config.data['ilm-policy.json']);
    expect(policy.policy.phases.delete).toEqual({ min_age: '14d', actions: { delete: {} } });
    const template = JSON.parse(config.data['index-template.json']);
    expect(template.index_patterns).toEqual(['toronto-ai-*']);
    expect(template.template.settings['index.lifecycle.name']).toBe('toronto-ai-logs');
    const job = resources(json, 'kubernetes_job_v1').find((j) => j.metadata.name.startsWith('elasticsearch-ilm-setup-'))!;
    const env = job.spec.template.spec.container[0].env;
    expect(env).toContainEqual({ name: 'ES_PASSWORD', value_from: { secret_key_ref: { name: 'elasticsearch-user-ilm-setup', key: 'password' } } });
  });

  test('a changed retention renames (so re-runs) the lifecycle setup Job', () => {
    const jobName = (j: Json) => resources(j, 'kubernetes_job_v1').find((x) => x.metadata.name.startsWith('elasticsearch-ilm-setup-'))!.metadata.name;
    const changed = synth(stacksFor('production', (d) => (d.observability.logging.retentionDays = 30)).platform);
    expect(jobName(changed)).not.toBe(jobName(json));
    const config = resources(changed, 'kubernetes_config_map_v1').find((c) => c.metadata.name === 'elasticsearch-ilm')!;
    expect(JSON.parse(config.data['ilm-policy.json']).policy.phases.delete.min_age).toBe('30d');
  });

  test('the logging namespace is privileged and says why', () => {
    const ns = resources(json, 'kubernetes_namespace_v1').find((n) => n.metadata.name === 'logging')!;
    expect(ns.metadata.labels['pod-security.kubernetes.io/enforce']).toBe('privileged');
    expect(ns.metadata.annotations['toronto-ai.io/pod-security-reason']).toMatch(/log/);
  });
});

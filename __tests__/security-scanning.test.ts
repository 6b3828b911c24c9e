/**
 * Issue 15, scanning and the security leftovers: the Trivy operator (vulnerability and
 * configuration scanning of the running workloads, its findings as alerts), on the synthesized
 * stacks and on what helm renders from them.
 */
import { Json, resourceAt, resources, stacksFor, synth, shipped } from './helpers';
import { renderAll, EnvironmentRender } from '../scripts/helm/suite';
import { METRICS_PORTS, platformFlows } from '../features/flows';
import { REVIEWED_NODE_AGENTS, SECURITY_NAMESPACE } from '../features/observability/contract';
import { TRIVY_METRICS_PORT, trivyAlertRules } from '../constructs/security/trivy-operator';
import { environment } from './helpers';

const production = shipped('production').platform;
const values = (json: Json, path: string): Json => JSON.parse(resourceAt(json, 'helm_release', path).values[0]);

/** The rendered objects of the release at construct path suffix `path` in `e`. */
function renderedOf(e: EnvironmentRender, path: string): Json[] {
  const release = e.rendered.releases.find((r) => r.path.endsWith(path));
  if (!release) throw new Error(`no rendered release at *${path}`);
  expect(release.error).toBeUndefined();
  return release.objects.map((o) => o.object as Json);
}
const find = (objects: Json[], kind: string, name: string): Json => {
  const o = objects.find((x) => x.kind === kind && x.metadata?.name === name);
  if (!o) throw new Error(`no ${kind}/${name} among ${objects.map((x) => `${x.kind}/${x.metadata?.name}`).join(', ')}`);
  return o;
};

describe('Trivy operator (synthesized)', () => {
  const release = resourceAt(production, 'helm_release', 'trivy-operator/release/release');
  const v = values(production, 'trivy-operator/release/release');

  test('is the pinned chart in the security namespace, after the monitoring release (ServiceMonitor CRD)', () => {
    expect([release.chart, release.version]).toEqual(['trivy-operator', '0.34.0']);
    expect(release.namespace).toContain('namespaces_security');
    expect(release.depends_on.join(' ')).toContain('kube-prometheus-stack');
  });

  test('scans vulnerabilities and configuration; no node collector, compliance or SBOM reports', () => {
    expect(v.operator).toMatchObject({ sbomGenerationEnabled: false, infraAssessmentScannerEnabled: false, clusterComplianceEnabled: false, scanJobsConcurrentLimit: 3 });
    expect(v.operator.vulnerabilityScannerEnabled).toBeUndefined(); // chart default: true
    expect(v.trivy).toMatchObject({ severity: 'HIGH,CRITICAL', ignoreUnfixed: true });
    expect(v.excludeNamespaces).toBe('kube-system');
  });

  test('the operator and the scan jobs run on the system pool, non-root', () => {
    expect(v.nodeSelector).toEqual({ 'toronto-ai.io/pool': 'system' });
    expect(v.trivyOperator.scanJobNodeSelector).toEqual({ 'toronto-ai.io/pool': 'system' });
    for (const ctx of [v.podSecurityContext, v.trivyOperator.scanJobPodTemplatePodSecurityContext]) {
      expect(ctx).toEqual({ runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534, fsGroup: 65534, seccompProfile: { type: 'RuntimeDefault' } });
    }
  });

  test('Prometheus may scrape its metrics port through the security namespace\'s policy', () => {
    expect(METRICS_PORTS[SECURITY_NAMESPACE]).toEqual([TRIVY_METRICS_PORT]);
    const flow = platformFlows(environment('production')).find((f) => f.id === `prometheus-scrapes-${SECURITY_NAMESPACE}`)!;
    expect(flow.ports).toEqual([{ port: 8080, protocol: 'TCP' }]);
    const ingress = resources(production, 'kubernetes_network_policy_v1').filter((p) => p.metadata.namespace === SECURITY_NAMESPACE || String(p.metadata.namespace).includes('namespaces_security'));
    const ports = ingress.flatMap((p) => (p.spec.ingress ?? []).flatMap((i: Json) => (i.ports ?? i.port ?? []).map((x: Json) => Number(x.port))));
    expect(ports).toContain(8080);
  });

  test('critical vulnerabilities and failed configuration checks are alerts of the monitoring release', () => {
    const kps = values(production, 'monitoring/kube-prometheus-stack/release');
    const rules = kps.additionalPrometheusRulesMap['toronto-ai-security'].groups[0].rules;
    const vuln = rules.find((r: Json) => r.alert === 'TrivyCriticalVulnerability');
    expect(vuln.expr).toContain('trivy_image_vulnerabilities{severity="Critical"}');
    expect(vuln.labels).toMatchObject({ severity: 'critical', decision: 'investigate', environment: 'production' });
    expect(vuln.annotations.runbook_url).toMatch(/#alert-decision-matrix$/);
    const audit = rules.find((r: Json) => r.alert === 'TrivyConfigAuditFailed');
    expect(audit.expr).toContain('trivy_resource_configaudits{severity=~"Critical|High"}');
    expect(audit.labels.severity).toBe('warning');
    // The reviewed node agents are left out, each by namespace and name.
    for (const w of REVIEWED_NODE_AGENTS) expect(audit.expr).toContain(`{namespace="${w.namespace}",resource_name="${w.name}"}`);
    // Critical alerts go to the on-call route in production.
    const routes = kps.alertmanager.config.route.routes;
    expect(routes.find((r: Json) => r.matchers?.includes('severity = "critical"')).receiver).toBe('pagerduty-oncall');
  });

  test('a rule without exceptions selects every workload', () => {
    expect(trivyAlertRules([])[1].expr).toBe('(sum by (namespace, resource_kind, resource_name) (trivy_resource_configaudits{severity=~"Critical|High"})) > 0');
  });
});

describe('Trivy operator (rendered by helm)', () => {
  let prod: EnvironmentRender;
  let dev: EnvironmentRender;
  beforeAll(async () => {
    const all = await renderAll();
    prod = all.find((e) => e.env === 'production')!;
    dev = all.find((e) => e.env === 'development')!;
  }, 600_000);

  test('the operator pod: pinned image, limits, probes, non-root, read-only, system pool', () => {
    const objects = renderedOf(prod, 'trivy-operator/release/release');
    const pod = find(objects, 'Deployment', 'trivy-operator').spec.template.spec;
    const [c] = pod.containers;
    expect(c.image).toBe('mirror.gcr.io/aquasec/trivy-operator:0.32.0');
    expect(c.resources.limits).toEqual({ cpu: '500m', memory: '1Gi' });
    expect(c.livenessProbe.httpGet.path).toBe('/healthz/');
    expect(c.readinessProbe.httpGet.path).toBe('/readyz/');
    expect(c.securityContext).toMatchObject({ allowPrivilegeEscalation: false, privileged: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 65534, seccompProfile: { type: 'RuntimeDefault' } });
    expect(pod.nodeSelector).toEqual({ 'toronto-ai.io/pool': 'system' });
    expect(c.ports.find((p: Json) => p.name === 'metrics').containerPort).toBe(TRIVY_METRICS_PORT);
  });

  test('the scan jobs\' configuration: pinned trivy image, limits, non-root, no token, system pool', () => {
    const objects = renderedOf(prod, 'trivy-operator/release/release');
    const trivy = find(objects, 'ConfigMap', 'trivy-operator-trivy-config').data;
    expect(`${trivy['trivy.repository']}:${trivy['trivy.tag']}`).toBe('mirror.gcr.io/aquasec/trivy:0.72.0');
    expect(trivy['trivy.severity']).toBe('HIGH,CRITICAL');
    expect(trivy['trivy.ignoreUnfixed']).toBe('true');
    expect(trivy['trivy.resources.limits.memory']).toBe('2Gi');
    const operator = find(objects, 'ConfigMap', 'trivy-operator').data;
    expect(JSON.parse(operator['scanJob.nodeSelector'])).toEqual({ 'toronto-ai.io/pool': 'system' });
    expect(JSON.parse(operator['scanJob.podTemplatePodSecurityContext'])).toMatchObject({ runAsNonRoot: true, runAsUser: 65534 });
    expect(JSON.parse(operator['scanJob.podTemplateContainerSecurityContext'])).toEqual({
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      privileged: false,
      readOnlyRootFilesystem: true,
    });
    expect(operator['scanJob.automountServiceAccountToken']).toBeUndefined(); // false: the chart writes it only when true
    const config = find(objects, 'ConfigMap', 'trivy-operator-config').data;
    expect(config).toMatchObject({
      OPERATOR_VULNERABILITY_SCANNER_ENABLED: 'true',
      OPERATOR_CONFIG_AUDIT_SCANNER_ENABLED: 'true',
      OPERATOR_INFRA_ASSESSMENT_SCANNER_ENABLED: 'false',
      OPERATOR_SBOM_GENERATION_ENABLED: 'false',
      OPERATOR_CONCURRENT_SCAN_JOBS_LIMIT: '3',
    });
    expect(objects.filter((o) => o.kind === 'ClusterComplianceReport')).toEqual([]);
  });

  test('its ServiceMonitor selects the metrics Service in every environment', () => {
    for (const e of [prod, dev]) {
      const objects = renderedOf(e, 'trivy-operator/release/release');
      const monitor = find(objects, 'ServiceMonitor', 'trivy-operator');
      const service = find(objects, 'Service', 'trivy-operator');
      expect(monitor.spec.endpoints[0].port).toBe('metrics');
      expect(service.spec.ports.find((p: Json) => p.name === 'metrics').targetPort).toBe('metrics');
      for (const [k, val] of Object.entries(monitor.spec.selector.matchLabels)) expect(service.metadata.labels[k]).toBe(val);
    }
  });
});

describe('ClamAV daemon for the application (synthesized)', () => {
  const deployment = resourceAt(production, 'kubernetes_deployment_v1', 'clamd/deployment');
  const pod = deployment.spec.template.spec;
  const container = (name: string) => pod.container.find((c: Json) => c.name === name);

  test('clamd on 3310 behind the Service clamd in security, two replicas with a budget, system pool', () => {
    expect(deployment.metadata.name).toBe('clamd');
    expect(deployment.metadata.namespace).toContain('namespaces_security');
    expect(deployment.spec.replicas).toBe('2');
    const service = resourceAt(production, 'kubernetes_service_v1', 'clamd/service');
    expect(service.spec.port).toEqual([{ name: 'clamd', port: 3310, target_port: 'clamd', protocol: 'TCP' }]);
    expect(service.spec.selector).toEqual(deployment.spec.selector.match_labels);
    expect(resourceAt(production, 'kubernetes_pod_disruption_budget_v1', 'clamd/pdb').spec.max_unavailable).toBe('1');
    expect(pod.node_selector).toEqual({ 'toronto-ai.io/pool': 'system' });
    expect(container('clamd').port).toEqual([{ name: 'clamd', container_port: 3310, protocol: 'TCP' }]);
  });

  test('hardened: non-root, read-only, no capabilities, no token, pinned image, limits and probes', () => {
    expect(pod.automount_service_account_token).toBe(false);
    for (const c of [...pod.container, ...pod.init_container]) {
      expect(c.image).toBe('clamav/clamav:1.4.3');
      expect(c.security_context).toMatchObject({ run_as_non_root: true, run_as_user: '100', allow_privilege_escalation: false, read_only_root_filesystem: true, capabilities: { drop: ['ALL'] } });
      expect(c.resources.limits).toBeDefined();
    }
    for (const c of pod.container) expect([c.name, Boolean(c.liveness_probe && c.readiness_probe)]).toEqual([c.name, true]);
    expect(container('clamd').readiness_probe.tcp_socket).toEqual([{ port: '3310' }]);
  });

  test('signatures: fetched before clamd starts, kept fresh by freshclam, reloaded by clamd', () => {
    expect(pod.init_container[0].command).toEqual(['freshclam', '--config-file=/etc/clamav-config/freshclam.conf']);
    expect(container('freshclam').command).toContain('--daemon');
    expect(container('clamd').volume_mount.find((m: Json) => m.name === 'signatures').read_only).toBe(true);
    const config = resourceAt(production, 'kubernetes_config_map_v1', 'clamd/config').data;
    expect(config['freshclam.conf']).toContain('Checks 12');
    expect(config['clamd.conf']).toContain('TCPSocket 3310');
    expect(config['clamd.conf']).toContain('SelfCheck 600');
    // A stream as long as the largest request body the edge admits (10 MiB by default).
    expect(config['clamd.conf']).toContain('StreamMaxLength 10M');
  });

  test('the stream limit follows the edge\'s request-body limit', () => {
    const json = synth(stacksFor('staging', (d) => (d.edge.waf = { ...d.edge.waf, maxRequestBodyBytes: 50 * 1024 * 1024 })).platform);
    expect(resourceAt(json, 'kubernetes_config_map_v1', 'clamd/config').data['clamd.conf']).toContain('StreamMaxLength 50M');
  });

  test('only the application\'s namespaces reach it; every channel\'s ConfigMap names it', () => {
    const policies = resources(production, 'kubernetes_network_policy_v1').filter((p) => String(p.metadata.name).endsWith('-to-clamd'));
    const sources = policies.flatMap((p) => p.spec.ingress ?? []).flatMap((i: Json) => i.from.map((f: Json) => f.namespace_selector.match_labels['kubernetes.io/metadata.name']));
    expect(sources.sort()).toEqual(['toronto-ai', 'toronto-ai-beta']);
    for (const path of ['app/application/config', 'app/beta/config']) {
      expect(resourceAt(production, 'kubernetes_config_map_v1', path).data).toMatchObject({ CLAMAV_HOST: 'clamd.security.svc', CLAMAV_PORT: '3310' });
    }
  });
});

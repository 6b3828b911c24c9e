/**
 * The first apply of a new environment converges: in every environment's platform stack (from
 * the registry), each workload, release or Job uses only Secrets, ConfigMaps, service accounts
 * (and their bindings), CRD kinds, webhooks and namespaces that something creates before it in
 * Terraform's dependency graph, or that a named creator it depends on makes at runtime
 * (scripts/dependency-order.ts). And the walker does fail when a dependency goes missing.
 */
import { DEFINITIONS, validateEnvironments } from '../environments';
import { analyseOrdering, findOrderingProblems, formatOrderingFindings, RUNTIME_CREATED } from '../scripts/dependency-order';
import { Json, resourceAt, resources, shipped } from './helpers';

const ENVIRONMENTS = validateEnvironments(DEFINITIONS).map((e) => e.name);
const platform = (name: string): Json => shipped(name).platform;
const copy = (json: Json): Json => JSON.parse(JSON.stringify(json));

/** The address and (mutable) configuration of the one resource of `type` at `*pathSuffix`. */
function at(json: Json, type: string, pathSuffix: string): { address: string; config: Json } {
  const r = resourceAt(json, type, pathSuffix);
  return { address: `${type}.${r.__name}`, config: json.resource[type][r.__name] };
}

function release(json: Json, name: string): { address: string; config: Json } {
  const [r] = resources(json, 'helm_release').filter((x) => x.name === name);
  return { address: `helm_release.${r.__name}`, config: json.resource.helm_release[r.__name] };
}

const problemsOf = (json: Json) => findOrderingProblems(json).map((f) => [f.address, f.uses]);

describe('every platform stack creates what a workload uses before it', () => {
  test('the registry has environments', () => expect(ENVIRONMENTS.length).toBeGreaterThan(0));

  test.each(ENVIRONMENTS)('%s-platform: no workload or release uses something created after it (or never)', (name) => {
    expect(formatOrderingFindings(`${name}-platform`, findOrderingProblems(platform(name)))).toEqual([]);
  });

  test.each(ENVIRONMENTS)('%s-platform: every runtime-created object in use has its named creator in the stack', (name) => {
    const json = platform(name);
    const used = new Set([...analyseOrdering(json).uses.values()].flat());
    for (const entry of RUNTIME_CREATED.filter((e) => used.has(e.object))) {
      if ('release' in entry.createdBy) {
        expect([entry.object, resources(json, 'helm_release').some((r) => r.name === (entry.createdBy as { release: string }).release)]).toEqual([entry.object, true]);
      } else {
        const job = (entry.createdBy as { job: string }).job;
        expect([entry.object, resources(json, 'kubernetes_job_v1').some((r) => r.metadata.name === job)]).toEqual([entry.object, true]);
      }
    }
  });
});

describe('the walker sees what each workload uses', () => {
  const name = ENVIRONMENTS[0];
  let json: Json;
  let uses: Map<string, string[]>;
  beforeAll(() => {
    json = platform(name);
    uses = analyseOrdering(json).uses;
  });

  test.each([
    ['kubernetes_job_v1', 'vault/tls-job', ['Namespace/vault', 'ServiceAccount/vault/vault-tls-bootstrap', 'RBAC/vault/vault/vault-tls-bootstrap']],
    ['kubernetes_job_v1', 'vault/ca-data-job', ['Secret/vault/vault-server-tls', 'RBAC/data/vault/vault-tls-bootstrap']],
    ['kubernetes_cron_job_v1', 'vault/configure-job', ['ConfigMap/vault/vault-configure', 'Secret/vault/vault-server-tls', 'ServiceAccount/vault/vault-configure']],
    ['kubernetes_cron_job_v1', 'vault-database-sync/cron-job', ['Secret/data/vault-ca', 'Secret/data/postgres-app', 'Secret/data/mongodb-toronto-ai-credentials', 'Secret/data/mongodb-ssl']],
    ['kubernetes_deployment_v1', 'app/application/deployment', ['Webhook/vault-agent-injector', 'Secret/toronto-ai/vault-ca', 'Webhook/elbv2-pod-readiness-gate', 'ConfigMap/toronto-ai/toronto-ai-config']],
    ['kubernetes_daemon_set_v1', 'logging/filebeat/daemon-set', ['RBAC/cluster/logging/filebeat', 'ConfigMap/logging/filebeat-config', 'Secret/logging/beats-tls']],
    ['kubernetes_job_v1', 'logging/ilm-setup', ['Secret/logging/elasticsearch-user-ilm-setup', 'Secret/logging/elasticsearch-es-http-certs-public']],
  ] as const)('%s at %s uses %j', (type, path, expected) => {
    expect(uses.get(at(json, type, path).address)).toEqual(expect.arrayContaining([...expected]));
  });

  test.each([
    ['postgres-exporter', ['Namespace/data', 'Secret/data/postgres-app', 'CRD/ServiceMonitor']],
    ['mongodb-exporter', ['Secret/data/mongodb-monitoring-credentials', 'Secret/data/mongodb-ssl', 'CRD/ServiceMonitor']],
    ['postgres', ['CRD/Cluster', 'CRD/PodMonitor', 'CRD/PrometheusRule', 'CRD/ScheduledBackup', 'VolumeSnapshotClass/ebs-snapshots']],
    ['mongodb', ['CRD/PerconaServerMongoDB', 'Secret/data/mongodb-toronto-ai-credentials', 'Secret/data/mongodb-monitoring-credentials']],
    ['elasticsearch', ['CRD/Elasticsearch']],
    ['logstash', ['CRD/Logstash', 'Secret/logging/elasticsearch-user-logstash', 'Secret/logging/beats-tls']],
    ['vault', ['Secret/vault/vault-server-tls']],
    ['target-group-bindings', ['CRD/TargetGroupBinding']],
    ['alert-credentials', ['CRD/ExternalSecret', 'CRD/SecretStore', 'Namespace/monitoring']],
  ] as const)('helm release %s uses %j', (releaseName, expected) => {
    expect(uses.get(release(json, releaseName).address)).toEqual(expect.arrayContaining([...expected]));
  });

  test('optional mounts are not requirements: Alertmanager starts before its receiver credentials exist', () => {
    const used = uses.get(release(json, 'kube-prometheus-stack').address) ?? [];
    expect(used.filter((u) => u.startsWith('Secret/'))).toEqual([]);
  });
});

describe('the walker reports a missing dependency', () => {
  const name = ENVIRONMENTS[0];
  let original: Json;
  beforeAll(() => {
    original = platform(name);
    expect(findOrderingProblems(original)).toEqual([]);
  });

  test('the Vault TLS Job without its RoleBinding (the bug of issue 9)', () => {
    const json = copy(original);
    const job = at(json, 'kubernetes_job_v1', 'vault/tls-job');
    job.config.depends_on = job.config.depends_on.filter((d: string) => !d.startsWith('kubernetes_role_binding_v1.'));
    const problems = problemsOf(json);
    // The Job itself, and the CA publishers that share its service account and come after it.
    expect(problems).toContainEqual([job.address, 'RBAC/vault/vault/vault-tls-bootstrap']);
    expect(problems.every(([, uses]) => uses === 'RBAC/vault/vault/vault-tls-bootstrap')).toBe(true);
  });

  test('a TLS Job that Terraform does not wait for leaves Vault and the CA publishers without their secret', () => {
    const json = copy(original);
    at(json, 'kubernetes_job_v1', 'vault/tls-job').config.wait_for_completion = false;
    const problems = findOrderingProblems(json);
    expect(problems.map((p) => p.address)).toEqual(expect.arrayContaining([release(json, 'vault').address, at(json, 'kubernetes_job_v1', 'vault/ca-data-job').address]));
    expect(problems.every((p) => p.uses === 'Secret/vault/vault-server-tls' && /does not wait for its completion/.test(p.problem))).toBe(true);
  });

  test('exporters without the database releases (runtime Secrets) and the monitoring release (CRD)', () => {
    const json = copy(original);
    const exporter = release(json, 'postgres-exporter');
    exporter.config.depends_on = [];
    const problems = findOrderingProblems(json).filter((p) => p.address === exporter.address);
    expect(problems.map((p) => p.uses).sort()).toEqual(['CRD/ServiceMonitor', 'Secret/data/postgres-app']);
    expect(problems.find((p) => p.uses === 'Secret/data/postgres-app')!.problem).toMatch(/made at runtime .*depend on helm_release postgres/);
  });

  test('the PostgreSQL cluster without the VolumeSnapshotClass its snapshot backups name (issue 13)', () => {
    const json = copy(original);
    const cluster = release(json, 'postgres');
    cluster.config.depends_on = cluster.config.depends_on.filter((d: string) => !d.startsWith('helm_release.volume-snapshot-class'));
    expect(problemsOf(json)).toContainEqual([cluster.address, 'VolumeSnapshotClass/ebs-snapshots']);
  });

  test('a custom resource release without its operator (CRD kind)', () => {
    const json = copy(original);
    const replicaSet = release(json, 'mongodb');
    replicaSet.config.depends_on = [];
    expect(problemsOf(json)).toEqual(expect.arrayContaining([[replicaSet.address, 'CRD/PerconaServerMongoDB'], [replicaSet.address, 'Secret/data/mongodb-toronto-ai-credentials']]));
  });

  test('application pods without Vault (injector webhook), their vault-ca publisher and the load balancer controller', () => {
    const json = copy(original);
    const deployment = at(json, 'kubernetes_deployment_v1', 'app/application/deployment');
    delete deployment.config.depends_on;
    expect(problemsOf(json).filter(([a]) => a === deployment.address).map(([, u]) => u).sort()).toEqual(
      ['Secret/toronto-ai/vault-ca', 'Webhook/elbv2-pod-readiness-gate', 'Webhook/vault-agent-injector'].sort(),
    );
  });

  test('a namespace or ConfigMap named by a literal instead of a reference', () => {
    const json = copy(original);
    const falco = release(json, 'falco');
    falco.config.namespace = 'security';
    falco.config.depends_on = [];
    const job = at(json, 'kubernetes_cron_job_v1', 'vault/configure-job');
    const volume = job.config.spec.job_template.spec.template.spec.volume.find((v: Json) => v.config_map);
    volume.config_map.name = 'vault-configure';
    job.config.depends_on = [];
    expect(problemsOf(json)).toEqual(expect.arrayContaining([[falco.address, 'Namespace/security'], [job.address, 'ConfigMap/vault/vault-configure']]));
  });

  test('a Secret that nothing creates', () => {
    const json = copy(original);
    const exporter = release(json, 'mongodb-exporter');
    const values = JSON.parse(exporter.config.values[0]);
    values.existingSecret.name = 'typo-secret';
    exporter.config.values = [JSON.stringify(values)];
    const [finding] = findOrderingProblems(json);
    expect(finding).toMatchObject({ address: exporter.address, uses: 'Secret/data/typo-secret', problem: 'Secret/data/typo-secret is created by nothing in this stack' });
  });
});

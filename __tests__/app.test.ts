/** The application in the platform stack (APP-1..3, ENV-4, K8S-3, SEC-4) and the `app` definition rules. */
import { Json, resourceAt, resources, stacksFor, synth, definitionProblems, shipped } from './helpers';
import { CHARTS } from '../constructs/helm/charts';
import { ChartRelease } from '../constructs/helm/chart-release';
import { LocalChartRelease } from '../constructs/data/local-chart-release';
import { CLUSTER_AUTOSCALER_IDENTITY } from '../features/cluster-addons/contract';
import { LB_CONTROLLER_IDENTITY } from '../features/cluster-addons/contract';

const prodStacks = stacksFor('production');
const prod = shipped('production').platform;
const dev = shipped('development').platform;

const deployment = (json: Json, suffix: string) => resourceAt(json, 'kubernetes_deployment_v1', suffix);
const podSpec = (d: Json) => d.spec.template.spec;
const container = (d: Json) => podSpec(d).container[0];

function problems(mutate: (d: any) => void, name = 'production'): string[] {
  return definitionProblems(name, mutate);
}

describe('the application (APP-1)', () => {
  test('the pod template runs the active colour\'s pinned image on port 8000 in toronto-ai, with no replicas of its own', () => {
    const d = deployment(prod, 'app/application/deployment');
    expect(d.metadata.name).toBe('toronto-ai');
    expect(d.metadata.namespace).toMatch(/kubernetes_namespace_v1\.namespaces_toronto-ai_.*\.metadata\[0\]\.name/);
    // blue is active in production (v1.0.0); green (v1.1.0) is the other release slot.
    expect(container(d).image).toBe('docker.io/torontoai/team-agent:v1.0.0');
    expect(container(d).port).toEqual([{ name: 'http', container_port: 8000, protocol: 'TCP' }]);
    expect(d.spec.selector.match_labels).toEqual({ 'app.kubernetes.io/name': 'toronto-ai' });
    // The Rollout (service-tier chart, workloadRef) runs the replicas; Terraform keeps 0 here.
    expect(d.spec.replicas).toBe('0');
    expect(resources(prod, 'kubernetes_deployment_v1').filter((x) => /^toronto-ai-(blue|green)$/.test(x.metadata.name))).toEqual([]);
  });

  test('probes hit /api/health/ (liveness) and /api/health/ready/ (readiness); requests and limits from the definition', () => {
    const c = container(deployment(prod, 'app/application/deployment'));
    expect(c.liveness_probe.http_get).toEqual({ path: '/api/health/', port: '8000' });
    expect(c.readiness_probe.http_get).toEqual({ path: '/api/health/ready/', port: '8000' });
    expect(c.resources).toEqual({ requests: { cpu: '1', memory: '2Gi' }, limits: { cpu: '2', memory: '4Gi' } });
  });

  test('pods are hardened: non-root, read-only root with an emptyDir /tmp, no capabilities, RuntimeDefault seccomp', () => {
    const d = deployment(prod, 'app/application/deployment');
    expect(podSpec(d).security_context).toMatchObject({ run_as_non_root: true, seccomp_profile: { type: 'RuntimeDefault' } });
    expect(container(d).security_context).toMatchObject({
      run_as_non_root: true,
      allow_privilege_escalation: false,
      read_only_root_filesystem: true,
      capabilities: { drop: ['ALL'] },
      seccomp_profile: { type: 'RuntimeDefault' },
    });
    expect(container(d).volume_mount).toEqual([{ name: 'tmp', mount_path: '/tmp' }]);
    expect(podSpec(d).volume[0]).toEqual({ name: 'tmp', empty_dir: { size_limit: '1Gi' } });
    expect(podSpec(d).automount_service_account_token).toBe(false);
  });

  test('pods run on the app pool, spread over zones and away from each other', () => {
    const spec = podSpec(deployment(prod, 'app/application/deployment'));
    expect(spec.node_selector).toEqual({ 'toronto-ai.io/pool': 'app' });
    expect(spec.topology_spread_constraint).toEqual([
      {
        max_skew: 1,
        topology_key: 'topology.kubernetes.io/zone',
        when_unsatisfiable: 'DoNotSchedule',
        label_selector: [{ match_labels: { 'app.kubernetes.io/name': 'toronto-ai' } }],
      },
    ]);
    expect(spec.affinity.pod_anti_affinity.preferred_during_scheduling_ignored_during_execution[0].pod_affinity_term.topology_key).toBe('kubernetes.io/hostname');
    // Development has one node: the spread is best effort there.
    expect(podSpec(deployment(dev, 'app/application/deployment')).topology_spread_constraint[0].when_unsatisfiable).toBe('ScheduleAnyway');
  });

  test('secrets come from Vault through the agent injector (role toronto-ai), not from Kubernetes Secrets', () => {
    const d = deployment(prod, 'app/application/deployment');
    expect(d.spec.template.metadata.annotations).toMatchObject({
      'vault.hashicorp.com/agent-inject': 'true',
      'vault.hashicorp.com/role': 'toronto-ai',
      'vault.hashicorp.com/agent-inject-secret-database': 'secret/data/toronto-ai/database',
      'vault.hashicorp.com/agent-service-account-token-volume-name': 'vault-token',
    });
    expect(podSpec(d).volume[1]).toEqual({ name: 'vault-token', projected: [{ sources: [{ service_account_token: { path: 'token', expiration_seconds: 600 } }] }] });
    expect(JSON.stringify(container(d))).not.toMatch(/secret_key_ref/);
  });

  test('the service account does not automount its token; the ConfigMap holds the definition\'s config', () => {
    const sa = resourceAt(prod, 'kubernetes_service_account_v1', 'app/application/service-account');
    expect(sa).toMatchObject({ automount_service_account_token: false, metadata: { name: 'toronto-ai' } });
    const cm = resourceAt(prod, 'kubernetes_config_map_v1', 'app/application/config');
    // The definition's config, plus where the services outside Vault are (wiring-fixes.test.ts).
    expect(cm.data).toMatchObject({ DJANGO_SETTINGS_MODULE: 'config.settings.production', LOG_LEVEL: 'INFO', DEBUG: 'false', CHROMA_HOST: 'chroma-gateway.vector.svc' });
    expect(container(deployment(prod, 'app/application/deployment')).env_from).toEqual([
      { config_map_ref: { name: `\${kubernetes_config_map_v1.${cm.__name}.metadata[0].name}` } },
    ]);
  });

  test('a PodDisruptionBudget covers every revision', () => {
    const pdb = resourceAt(prod, 'kubernetes_pod_disruption_budget_v1', 'app/application/pdb');
    expect(pdb.spec).toEqual({ max_unavailable: '1', selector: { match_labels: { 'app.kubernetes.io/name': 'toronto-ai' } } });
  });
});

describe('blue-green (APP-2) and autoscaling (K8S-3)', () => {
  test('the active and preview Services on port 80 -> 8000; their selectors belong to Argo Rollouts after creation', () => {
    for (const [suffix, name] of [['app/application/service', 'toronto-ai'], ['app/application/preview-service', 'toronto-ai-preview']]) {
      const svc = resourceAt(prod, 'kubernetes_service_v1', suffix);
      expect(svc.metadata.name).toBe(name);
      expect(svc.spec.selector).toEqual({ 'app.kubernetes.io/name': 'toronto-ai' });
      expect(svc.spec.port).toEqual([{ name: 'http', port: 80, target_port: 'http', protocol: 'TCP' }]);
      // The controller adds the revision's pod-template-hash; Terraform must not take it away again.
      expect(svc.lifecycle).toEqual({ ignore_changes: ['spec[0].selector'] });
    }
    // The apply does not wait for pods (on the first apply they wait for Vault's initialisation),
    // so it completes (issue 9: the first apply converges).
    expect(deployment(prod, 'app/application/deployment').wait_for_rollout).toBe(false);
  });

  test('the HPA scales the active colour between 2 and 20 on CPU 70 % and memory 80 %', () => {
    const hpa = resourceAt(prod, 'kubernetes_horizontal_pod_autoscaler_v2', 'app/application/hpa');
    expect(hpa.spec).toMatchObject({
      min_replicas: 2,
      max_replicas: 20,
      scale_target_ref: { api_version: 'argoproj.io/v1alpha1', kind: 'Rollout', name: 'toronto-ai' },
    });
    expect(hpa.spec.metric).toEqual([
      { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', average_utilization: 70 } } },
      { type: 'Resource', resource: { name: 'memory', target: { type: 'Utilization', average_utilization: 80 } } },
    ]);
    // The HPA scales the Rollout; the template Deployment stays at 0 with nothing to ignore.
    expect(deployment(prod, 'app/application/deployment').lifecycle).toBeUndefined();
  });

  test('switching activeColour changes only the pod templates of the application\'s image and the Rollout\'s migration image', () => {
    const green = stacksFor('production', (d) => (d.app.activeColour = 'green'));
    const after = synth(green.platform);
    const changed: string[] = [];
    const types = new Set([...Object.keys(prod.resource), ...Object.keys(after.resource)]);
    for (const type of types) {
      const names = new Set([...Object.keys(prod.resource[type] ?? {}), ...Object.keys(after.resource[type] ?? {})]);
      for (const name of names) {
        if (JSON.stringify(prod.resource[type]?.[name]) !== JSON.stringify(after.resource[type]?.[name])) changed.push(`${type}.${name}`);
      }
    }
    const d = deployment(prod, 'app/application/deployment');
    const tier = resourceAt(prod, 'helm_release', 'services/service-tier/release');
    expect(changed).toContain(`kubernetes_deployment_v1.${d.__name}`);
    expect(changed).toContain(`helm_release.${tier.__name}`);
    // Nothing but Deployments (the template and the stable services of the application image) and the tier release.
    expect(changed.filter((c) => !c.startsWith('kubernetes_deployment_v1.') && c !== `helm_release.${tier.__name}`)).toEqual([]);
    const dAfter = after.resource.kubernetes_deployment_v1[d.__name];
    expect(container(dAfter).image).toBe('docker.io/torontoai/team-agent:v1.1.0');
    expect(dAfter.spec.template.metadata.labels.colour).toBe('green');
    // The cloud stack does not change at all.
    expect(JSON.stringify(synth(green.cloud).resource)).toBe(JSON.stringify(shipped('production').cloud.resource));
  });
});

describe('beta channel (ENV-4) and scheduled jobs (APP-3)', () => {
  test('production hosts toronto-ai-beta, restricted, with its own Deployment of the beta tag', () => {
    const ns = resourceAt(prod, 'kubernetes_namespace_v1', 'app/beta-namespace/toronto-ai-beta');
    expect(ns.metadata.name).toBe('toronto-ai-beta');
    expect(ns.metadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
    // Both application namespaces get the load balancer controller's pod readiness gate.
    expect(ns.metadata.labels['elbv2.k8s.aws/pod-readiness-gate-inject']).toBe('enabled');
    const main = resourceAt(prod, 'kubernetes_namespace_v1', 'namespaces/toronto-ai');
    expect(main.metadata.labels['elbv2.k8s.aws/pod-readiness-gate-inject']).toBe('enabled');
    const beta = deployment(prod, 'app/beta/deployment');
    expect(container(beta).image).toBe('docker.io/torontoai/team-agent:v1.2.0-beta.1');
    // Its Rollout runs the definition's 2 replicas from this template.
    expect(beta.spec.replicas).toBe('0');
    const objects = JSON.parse(resourceAt(prod, 'helm_release', 'services/service-tier/release').values[0]).objects;
    expect(objects.find((o: Json) => o.kind === 'Rollout' && o.metadata.namespace === 'toronto-ai-beta').spec.replicas).toBe(2);
    expect(resourceAt(prod, 'kubernetes_config_map_v1', 'app/beta/config').data.RELEASE_CHANNEL).toBe('beta');
  });

  test('the feedback-reminder CronJob runs the pinned beta image in beta, hardened, secrets pre-populated from Vault', () => {
    const cron = resourceAt(prod, 'kubernetes_cron_job_v1', 'app/feedback-reminder/cron-job');
    expect(cron.metadata.name).toBe('feedback-reminder');
    expect(cron.spec).toMatchObject({ schedule: '0 9 * * 1', concurrency_policy: 'Forbid' });
    const template = cron.spec.job_template.spec.template;
    const c = template.spec.container[0];
    expect(c.image).toBe('docker.io/torontoai/team-agent:v1.2.0-beta.1');
    expect(c.command).toEqual(['python', 'manage.py', 'send_feedback_reminders']);
    expect(c.security_context).toMatchObject({ run_as_non_root: true, allow_privilege_escalation: false, read_only_root_filesystem: true });
    expect(c.resources.limits).toBeDefined();
    expect(template.metadata.annotations['vault.hashicorp.com/agent-pre-populate-only']).toBe('true');
    expect(template.spec.automount_service_account_token).toBe(false);
  });

  test('development has no beta channel and no feedback job', () => {
    expect(resources(dev, 'kubernetes_namespace_v1').map((n) => n.metadata.name)).not.toContain('toronto-ai-beta');
    expect(resources(dev, 'kubernetes_cron_job_v1').filter((c) => c.metadata.name === 'feedback-reminder')).toEqual([]);
  });
});

describe('network policies (SEC-4)', () => {
  const policy = (json: Json, suffix: string) => resourceAt(json, 'kubernetes_network_policy_v1', suffix);

  test.each(['app/network-policies', 'app/beta-network-policies'])('%s: default deny of ingress and egress', (prefix) => {
    expect(policy(prod, `${prefix}/default-deny-all`).spec).toEqual({ pod_selector: {}, policy_types: ['Ingress', 'Egress'] });
  });

  test('the load balancer (from the VPC) reaches the app port only', () => {
    const p = policy(prod, 'app/network-policies/allow-ingress-load-balancer');
    expect(p.spec.pod_selector).toEqual({ match_labels: { 'app.kubernetes.io/name': 'toronto-ai' } });
    expect(p.spec.ingress).toEqual([{ from: [{ ip_block: { cidr: '10.40.0.0/16' } }], ports: [{ port: '8000', protocol: 'TCP' }] }]);
  });

  test('egress is allowed to DNS, the databases, the vector store, Vault and Redis only on their ports', () => {
    const egress = (name: string) => policy(prod, `app/network-policies/${name}`).spec.egress[0];
    expect(egress('allow-egress-dns').ports).toEqual([{ port: '53', protocol: 'UDP' }, { port: '53', protocol: 'TCP' }]);
    expect(egress('allow-egress-dns').to[0].namespace_selector.match_labels).toEqual({ 'kubernetes.io/metadata.name': 'kube-system' });
    expect(egress('allow-egress-data')).toEqual({
      to: [{ namespace_selector: { match_labels: { 'kubernetes.io/metadata.name': 'data' } } }],
      ports: [{ port: '5432', protocol: 'TCP' }, { port: '27017', protocol: 'TCP' }],
    });
    expect(egress('allow-egress-vector').ports).toEqual([{ port: '8000', protocol: 'TCP' }]);
    expect(egress('allow-egress-vault').ports).toEqual([{ port: '8200', protocol: 'TCP' }]);
    expect(egress('allow-egress-redis')).toEqual({
      to: ['10.40.10.0/24', '10.40.11.0/24', '10.40.12.0/24'].map((cidr) => ({ ip_block: { cidr } })),
      ports: [{ port: '6379', protocol: 'TCP' }],
    });
  });
});

describe('cluster add-ons: metrics-server, cluster autoscaler, load balancer controller', () => {
  const releases = prodStacks.platform.node.findAll().filter((c): c is ChartRelease => c instanceof ChartRelease);
  const release = (name: string) => releases.find((r) => r.releaseName === name)!;

  test('metrics-server (HPA metrics) runs on the system pool, two replicas with a PDB in production', () => {
    const r = release('metrics-server');
    expect(r.chart).toBe(CHARTS.metricsServer);
    expect(r.namespace).toBe('kube-system');
    expect(r.values).toMatchObject({ replicas: 2, nodeSelector: { 'toronto-ai.io/pool': 'system' }, podDisruptionBudget: { enabled: true } });
    expect(r.values.resources).toEqual({ requests: { cpu: '100m', memory: '200Mi' }, limits: { cpu: '1', memory: '400Mi' } });
  });

  test('the cluster autoscaler discovers this cluster\'s groups with the service account of its workload role', () => {
    const r = release('cluster-autoscaler');
    expect(r.chart).toBe(CHARTS.clusterAutoscaler);
    expect(r.values).toMatchObject({
      cloudProvider: 'aws',
      awsRegion: 'ca-central-1',
      autoDiscovery: { clusterName: 'toronto-ai-production' },
      rbac: { serviceAccount: { create: true, name: CLUSTER_AUTOSCALER_IDENTITY.serviceAccount } },
      nodeSelector: { 'toronto-ai.io/pool': 'system' },
      containerSecurityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true },
    });
    expect(r.values).toMatchObject({ image: { tag: 'v1.35.0' } });
    // Its minor version follows the cluster's.
    const older = stacksFor('development', (d) => (d.cluster.version = '1.34')).platform;
    const olderRelease = older.node.findAll().find((c): c is ChartRelease => c instanceof ChartRelease && c.releaseName === 'cluster-autoscaler')!;
    expect(olderRelease.values).toMatchObject({ image: { tag: 'v1.34.5' } });
  });

  test('the load balancer controller only binds target groups (no ingress class, WAF, Shield or Service webhook)', () => {
    const r = release('aws-load-balancer-controller');
    expect(r.chart).toBe(CHARTS.awsLoadBalancerController);
    expect(r.values).toMatchObject({
      clusterName: 'toronto-ai-production',
      region: 'ca-central-1',
      serviceAccount: { create: true, name: LB_CONTROLLER_IDENTITY.serviceAccount },
      createIngressClassResource: false,
      enableServiceMutatorWebhook: false,
      enableShield: false,
      enableWaf: false,
      enableWafv2: false,
    });
  });

  test('TargetGroupBindings bind the cloud stack\'s target groups to the app and beta Services, after the controller', () => {
    const tgb = prodStacks.platform.node.findAll().find((c): c is LocalChartRelease => c instanceof LocalChartRelease && c.releaseName === 'target-group-bindings')!;
    const bindings = (tgb.values as { bindings: Json[] }).bindings;
    expect(bindings.map((b) => [b.name, b.servicePort])).toEqual([['toronto-ai', 80], ['toronto-ai-beta', 80]]);
    // As `cdktf synth` writes it: the ARN is the remote-state read of the cloud stack's output.
    const rel = resourceAt(prod, 'helm_release', 'app/target-group-bindings/release');
    const values = rel.values[0] as string;
    expect(values).toMatch(/"targetGroupARN":"\$\{data\.terraform_remote_state\.cross-stack-reference-input-production\.outputs\.cross-stack-output-aws_lb_target_groupedge_load-balancer_target-app_[0-9A-F]+arn\}"/);
    expect(values).toMatch(/target-beta_[0-9A-F]+arn/);
    const controller = resourceAt(prod, 'helm_release', 'app/aws-load-balancer-controller/release');
    expect(rel.depends_on).toContain(`helm_release.${controller.__name}`);
    expect(rel.chart).toMatch(/^\.\/assets\//);
  });
});

describe('app definition rules', () => {
  test.each<[string, (d: any) => void, string]>([
    ['an unknown colour', (d) => (d.app.activeColour = 'purple'), 'production.app.activeColour: must be one of blue, green (APP-2)'],
    ['HPA min above max', (d) => (d.app.hpa.minReplicas = 25), 'production.app.hpa.minReplicas: must be <= hpa.maxReplicas; got minReplicas 25 > maxReplicas 20'],
    ['the tag latest', (d) => (d.app.colours.green.imageTag = 'latest'), 'production.app.colours.green.imageTag: must be a pinned version such as v1.0.0, not "latest"'],
    ['an empty tag', (d) => (d.app.colours.blue.imageTag = ''), 'production.app.colours.blue.imageTag: must name a pinned image tag such as v1.0.0; an empty tag pulls "latest"'],
    ['a beta tag of latest', (d) => (d.app.beta.imageTag = 'latest'), 'production.app.beta.imageTag: must be a pinned version'],
    ['limits below requests', (d) => (d.app.resources.limits.memory = '1Gi'), 'production.app.resources.limits.memory: 1Gi is below the request of 2Gi'],
    ['a secret in the ConfigMap', (d) => (d.app.config.DATABASE_PASSWORD = 'x'), 'production.app.config.DATABASE_PASSWORD: DATABASE_PASSWORD looks like a secret; secrets come from Vault'],
    ['production without its beta channel', (d) => (d.app.beta.enabled = false), 'production.app.beta.enabled: production hosts the beta release channel (ENV-4): set true'],
    ['beta enabled without a tag', (d) => delete d.app.beta.imageTag, 'production.app.beta.imageTag: the beta channel is enabled and needs its own pinned image tag'],
    ['beta enabled without a public name', (d) => delete d.edge.betaName, 'production.edge.betaName: app.beta.enabled is true: the beta channel needs a public name'],
    ['replicas above the HPA maximum', (d) => (d.app.replicas = 30), 'production.app.replicas: 30 is above hpa.maxReplicas (20)'],
  ])('rejects %s', (_label, mutate, message) => {
    expect(problems(mutate).some((p) => p.startsWith(message))).toBe(true);
  });

  test('only production hosts the beta channel', () => {
    const found = problems((d) => {
      d.app.beta.enabled = true;
      d.app.beta.imageTag = 'v1.2.0-beta.1';
    }, 'staging');
    expect(found).toContain('staging.app.beta.enabled: only production hosts the beta release channel (ENV-4); staging must set false');
  });
});

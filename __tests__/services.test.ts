/**
 * The service tier (issue 12): every service of the contract in every channel it runs in, placed
 * and sized from the definition; Celery workers scaled by KEDA on their own queue; exactly one
 * beat scheduler; the AI service on its pool; releases that roll themselves back (Argo Rollouts)
 * with the alert rules' thresholds; and Terraform never owning what the controllers change.
 */
import { Json, resourceAt, resources, stacksFor, synth, definitionProblems, shipped } from './helpers';
import { SERVICES, INFERENCE_NAMESPACE } from '../features/services/contract';
import { alertRules, rollbackRules } from '../constructs/observability/alert-rules';

const prod = shipped('production').platform;
const prodCloud = shipped('production').cloud;
const dev = shipped('development').platform;

const tierObjects = (json: Json): Json[] => JSON.parse(resourceAt(json, 'helm_release', 'services/service-tier/release').values[0]).objects;
const container = (d: Json) => d.spec.template.spec.container[0];

describe('the services of each channel', () => {
  test.each([
    ['stable', 'toronto-ai'],
    ['beta', 'toronto-ai-beta'],
  ])('%s: every service of the contract runs in %s with its own service account, on the app pool, probed and sized', (channel, namespace) => {
    const expected = Object.values(SERVICES).filter((s) => s.channels.includes(channel as 'stable' | 'beta'));
    expect(expected.length).toBeGreaterThan(3);
    for (const s of expected) {
      const d = resourceAt(prod, 'kubernetes_deployment_v1', `services/${channel}-${s.key}/deployment`);
      expect(d.metadata.name).toBe(s.name);
      expect(d.metadata.namespace).toContain(namespace === 'toronto-ai' ? 'namespaces_toronto-ai_' : 'toronto-ai-beta');
      const spec = d.spec.template.spec;
      expect(spec.node_selector).toEqual({ 'toronto-ai.io/pool': 'app' });
      expect(spec.automount_service_account_token).toBe(false);
      expect(spec.service_account_name).toContain('kubernetes_service_account_v1');
      const c = container(d);
      expect(c.liveness_probe).toBeDefined();
      expect(c.readiness_probe).toBeDefined();
      expect(c.resources.requests.cpu).toBeDefined();
      expect(c.resources.limits.memory).toBeDefined();
      expect(c.security_context).toMatchObject({ run_as_non_root: true, allow_privilege_escalation: false, read_only_root_filesystem: true });
      if (s.image === 'agents') expect(c.image).toBe('docker.io/torontoai/jac-runtime:v1.0.0');
      else expect(c.image).toBe(channel === 'stable' ? 'docker.io/torontoai/team-agent:v1.0.0' : 'docker.io/torontoai/team-agent:v1.2.0-beta.1');
    }
  });

  test('replicas come from the definition: production stable from each service, beta at betaReplicas', () => {
    const stable = resourceAt(prod, 'kubernetes_deployment_v1', 'services/stable-agents/deployment');
    expect(stable.spec.replicas).toBe('3');
    expect(container(stable).resources).toEqual({ requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '2', memory: '4Gi' } });
    expect(resourceAt(prod, 'kubernetes_deployment_v1', 'services/beta-agents/deployment').spec.replicas).toBe('1');
    expect(resourceAt(prod, 'kubernetes_deployment_v1', 'services/stable-websocket/deployment').spec.replicas).toBe('3');
  });

  test('exactly one Celery beat scheduler per channel, replaced (not rolled) so two never run at once', () => {
    const beats = resources(prod, 'kubernetes_deployment_v1').filter((d) => d.metadata.name === SERVICES.beat.name);
    expect(beats).toHaveLength(2); // stable and beta, in their own namespaces
    for (const b of beats) {
      expect(b.spec.replicas).toBe('1');
      expect(b.spec.strategy).toEqual({ type: 'Recreate' });
      expect(b.lifecycle).toBeUndefined();
    }
    // The definition has no knob for it.
    expect(definitionProblems('production', (d) => (d.services.beat.replicas = 2)).join('\n')).toMatch(/services\.beat.*replicas|Unrecognized key/);
  });

  test('each channel\'s workers are scaled by KEDA on that channel\'s Celery queue, within the definition\'s bounds', () => {
    const scaled = tierObjects(prod).filter((o) => o.kind === 'ScaledObject');
    expect(scaled.map((o) => o.metadata.namespace).sort()).toEqual(['toronto-ai', 'toronto-ai-beta']);
    const stable = scaled.find((o) => o.metadata.namespace === 'toronto-ai')!;
    expect(stable.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: SERVICES.workers.name });
    expect(stable.spec).toMatchObject({ minReplicaCount: 2, maxReplicaCount: 20 });
    const trigger = stable.spec.triggers[0];
    expect(trigger.type).toBe('aws-sqs-queue');
    expect(trigger.metadata.queueLength).toBe('20');
    const beta = scaled.find((o) => o.metadata.namespace === 'toronto-ai-beta')!;
    // Each channel reads its own queue (never the other channel's).
    expect(trigger.metadata.queueURL).not.toBe(beta.spec.triggers[0].metadata.queueURL);
    const auth = tierObjects(prod).find((o) => o.kind === 'TriggerAuthentication' && o.metadata.name === trigger.authenticationRef.name && o.metadata.namespace === 'toronto-ai')!;
    expect(auth.spec.podIdentity).toEqual({ provider: 'aws', identityOwner: 'keda' });
    // KEDA owns the workers' replica count after creation.
    expect(resourceAt(prod, 'kubernetes_deployment_v1', 'services/stable-workers/deployment').lifecycle).toEqual({ ignore_changes: ['spec[0].replicas'] });
  });

  test('the channel\'s ConfigMap tells the application and its services where the tier is', () => {
    const cm = resourceAt(prod, 'kubernetes_config_map_v1', 'app/application/config').data;
    expect(cm.OLLAMA_BASE_URL).toBe('http://ollama.ai-inference.svc.cluster.local:11434');
    expect(cm.AGENT_COORDINATOR_URL).toBe('http://toronto-ai-coordinator.toronto-ai.svc.cluster.local:8003');
    expect(cm.ONBOARDING_URL).toBe('http://toronto-ai-onboarding.toronto-ai.svc.cluster.local:8004');
    expect(cm.FILES_PREFIX).toBe('stable/');
    expect(cm.EMAIL_FROM).toBe('noreply@toronto-ai-team-agent.example.com');
    const beta = resourceAt(prod, 'kubernetes_config_map_v1', 'app/beta/config').data;
    expect(beta.AGENT_COORDINATOR_URL).toBe('http://toronto-ai-coordinator.toronto-ai-beta.svc.cluster.local:8003');
    expect(beta.FEEDBACK_URL).toBe('http://toronto-ai-feedback.toronto-ai-beta.svc.cluster.local:8005');
    expect(beta.FILES_PREFIX).toBe('beta/');
    expect(cm.CELERY_QUEUE_URL).not.toBe(beta.CELERY_QUEUE_URL);
  });

  test('the services that use the database read it through their channel\'s Vault role, bound to their service accounts', () => {
    const configure = resources(prod, 'kubernetes_config_map_v1').find((c) => typeof c.data?.['configure.sh'] === 'string')!;
    const script: string = configure.data['configure.sh'];
    for (const s of Object.values(SERVICES).filter((x) => x.usesDatabase && x.channels.includes('stable'))) {
      expect(script).toMatch(new RegExp(`auth/kubernetes/role/toronto-ai[^\\n]*bound_service_account_names=[^\\n]*${s.name}`));
    }
  });

  test('every service fits its pool: a worker too large for the app nodes is refused with the field to change', () => {
    const problems = definitionProblems('production', (d) => (d.services.workers.resources = { requests: { cpu: '20', memory: '1Gi' }, limits: { cpu: '20', memory: '2Gi' } }));
    expect(problems.join('\n')).toMatch(/production\.services\.workers\.resources\.requests\.cpu: .*does not fit/);
    expect(definitionProblems('production', (d) => (d.services.workers.minReplicas = 30)).join('\n')).toMatch(/services\.workers\.minReplicas/);
  });
});

describe('the AI service (seed 003)', () => {
  test('Ollama on 11434 runs on the inference pool in production, its models from the model store', () => {
    const d = resourceAt(prod, 'kubernetes_deployment_v1', 'services/inference');
    const spec = d.spec.template.spec;
    expect(spec.node_selector).toEqual({ 'toronto-ai.io/pool': 'inference' });
    expect(spec.toleration).toContainEqual({ key: 'toronto-ai.io/pool', operator: 'Equal', value: 'inference', effect: 'NoSchedule' });
    expect(container(d).port).toEqual([{ name: 'http', container_port: 11434, protocol: 'TCP' }]);
    expect(container(d).image).toBe('docker.io/ollama/ollama:0.32.15');
    expect(spec.init_container[0].command.slice(0, 3)).toEqual(['aws', 's3', 'sync']);
    // Development has no inference pool: the app pool hosts it.
    expect(resourceAt(dev, 'kubernetes_deployment_v1', 'services/inference').spec.template.spec.node_selector).toEqual({ 'toronto-ai.io/pool': 'app' });
    const pools = resources(prodCloud, 'aws_eks_node_group').map((g) => g.node_group_name);
    expect(pools.some((n) => /-inference$/.test(n))).toBe(true);
  });

  test('a GPU family is an option per environment: NVIDIA AMI, GPU requests; a CPU type with gpu is refused', () => {
    const gpu = stacksFor('production', (d) => (d.nodePools.inference = { instanceType: 'g5.4xlarge', minSize: 2, desiredSize: 2, maxSize: 4, rootVolumeGiB: 200, dataVolumeGiB: 100, gpu: true }));
    const group = resources(synth(gpu.cloud), 'aws_eks_node_group').find((g) => /inference/.test(g.node_group_name))!;
    expect(group.ami_type).toBe('AL2023_x86_64_NVIDIA');
    const gpuPlatform = synth(gpu.platform);
    expect(container(resourceAt(gpuPlatform, 'kubernetes_deployment_v1', 'services/inference')).resources.limits['nvidia.com/gpu']).toBe('1');
    // The device plugin advertises the GPUs on the inference nodes (and only with a GPU pool).
    const plugin = resourceAt(gpuPlatform, 'kubernetes_daemon_set_v1', 'services/nvidia-device-plugin/daemon-set');
    expect(plugin.spec.template.spec.node_selector).toEqual({ 'toronto-ai.io/pool': 'inference' });
    expect(resources(prod, 'kubernetes_daemon_set_v1').filter((d) => d.metadata.name === 'nvidia-device-plugin')).toEqual([]);
    expect(definitionProblems('production', (d) => (d.nodePools.inference.gpu = true)).join('\n')).toMatch(/nodePools\.inference\.instanceType: r6i\.2xlarge has no GPU/);
  });

  test('the AI service is rolled out gradually, each step gated on the canary serving every model', () => {
    const rollout = tierObjects(prod).find((o) => o.kind === 'Rollout' && o.metadata.namespace === INFERENCE_NAMESPACE)!;
    expect(rollout.spec.workloadRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'ollama', scaleDown: 'never' });
    const canary = rollout.spec.strategy.canary;
    expect(canary).toMatchObject({ stableService: 'ollama', canaryService: 'ollama-canary' });
    expect(canary.steps.filter((s: Json) => s.analysis)).toHaveLength(2);
    const check = tierObjects(prod).find((o) => o.kind === 'AnalysisTemplate' && o.metadata.name === canary.steps[1].analysis.templates[0].templateName)!;
    expect(check.spec.metrics[0].provider.web.url).toBe('http://ollama-canary.ai-inference.svc:11434/api/tags');
    expect(check.spec.metrics[0].successCondition).toBe('"llama3.1:8b" in result && "nomic-embed-text:latest" in result');
  });

  test('seed 002: "AI service unavailable for more than 15 minutes" is a rollback alert on the AI service\'s ready pods', () => {
    const rule = alertRules(['toronto-ai']).find((r) => r.alert === 'AIServiceUnavailable')!;
    expect(rule).toMatchObject({ for: '15m', comparison: '<', threshold: 1, decision: 'rollback' });
    expect(rule.expr).toContain('namespace="ai-inference"');
  });
});

describe('releases that roll themselves back (Argo Rollouts)', () => {
  const objects = tierObjects(prod);
  const rollout = objects.find((o) => o.kind === 'Rollout' && o.metadata.namespace === 'toronto-ai')!;
  const bg = rollout.spec.strategy.blueGreen;

  test('the application is promoted blue-green from the Terraform-owned template', () => {
    expect(rollout.spec.workloadRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'toronto-ai', scaleDown: 'never' });
    expect(bg).toMatchObject({ activeService: 'toronto-ai', previewService: 'toronto-ai-preview', autoPromotionEnabled: true });
    expect(rollout.spec.progressDeadlineAbort).toBe(true);
  });

  test('a release reaches the Rollout (with the new migration image) before the template changes', () => {
    const tier = resourceAt(prod, 'helm_release', 'services/service-tier/release');
    for (const suffix of ['app/application/deployment', 'app/beta/deployment']) {
      const template = resourceAt(prod, 'kubernetes_deployment_v1', suffix);
      expect(template.depends_on).toContain(`helm_release.${tier.__name}`);
      expect(tier.depends_on).not.toContain(`kubernetes_deployment_v1.${template.__name}`);
    }
  });

  test('database migrations run once per release, before promotion, with the new release\'s image', () => {
    const template = objects.find((o) => o.kind === 'AnalysisTemplate' && o.metadata.name === bg.prePromotionAnalysis.templates[0].templateName)!;
    const job = template.spec.metrics[0].provider.job.spec;
    expect(job.backoffLimit).toBe(0);
    expect(job.template.spec.containers[0].command).toEqual(['python', 'manage.py', 'migrate', '--noinput']);
    expect(job.template.spec.containers[0].image).toBe('{{args.image}}');
    const template0 = resourceAt(prod, 'kubernetes_deployment_v1', 'app/application/deployment');
    expect(bg.prePromotionAnalysis.args).toEqual([{ name: 'image', value: container(template0).image }]);
    expect(job.template.metadata.annotations['vault.hashicorp.com/agent-pre-populate-only']).toBe('true');
  });

  test('the post-promotion analysis uses exactly the rollback alert rules\' measures, thresholds and durations', () => {
    const template = objects.find((o) => o.kind === 'AnalysisTemplate' && o.metadata.name === bg.postPromotionAnalysis.templates[0].templateName)!;
    const rules = rollbackRules(['toronto-ai']).filter((r) => r.measure.includes('namespace=~"toronto-ai"'));
    expect(rules.map((r) => r.alert).sort()).toEqual(['ErrorRateRollback', 'LatencyDoubled', 'LatencyP95Rollback']);
    expect(template.spec.metrics.map((m: Json) => m.name).sort()).toEqual(rules.map((r) => r.alert).sort());
    for (const r of rules) {
      const m = template.spec.metrics.find((x: Json) => x.name === r.alert);
      expect(r.expr).toBe(`${r.measure} ${r.comparison} ${r.threshold}`);
      expect(m.provider.prometheus.query).toBe(`min_over_time((${r.measure})[${r.for}:30s])`);
      expect(m.failureCondition).toBe(`len(result) > 0 && result[0] ${r.comparison} ${r.threshold}`);
      expect(m.failureLimit).toBe(0);
    }
    // The error-rate threshold is seed 002's 5 % for 5 minutes.
    const error = rules.find((r) => r.alert === 'ErrorRateRollback')!;
    expect([error.threshold, error.for]).toEqual([0.05, '5m']);
    // The previous revision keeps running while the analysis watches: the rollback is a selector switch.
    expect(bg.scaleDownDelaySeconds).toBeGreaterThanOrEqual(template.spec.metrics[0].count * 60);
  });

  test('Terraform never owns what the controllers change (a second deploy after a rollout plans nothing)', () => {
    const services = resources(prod, 'kubernetes_service_v1');
    const deployments = resources(prod, 'kubernetes_deployment_v1');
    for (const r of objects.filter((o) => o.kind === 'Rollout')) {
      const s = r.spec.strategy.blueGreen ?? r.spec.strategy.canary;
      for (const name of [s.activeService, s.previewService, s.stableService, s.canaryService].filter(Boolean)) {
        const svc = services.find((x) => x.metadata.name === name && JSON.stringify(x.metadata.namespace).includes(r.metadata.namespace === 'toronto-ai' ? 'toronto-ai' : r.metadata.namespace));
        expect(svc?.lifecycle).toEqual({ ignore_changes: ['spec[0].selector'] });
      }
      const template = deployments.filter((d) => d.metadata.name === r.spec.workloadRef.name);
      expect(template.length).toBeGreaterThan(0);
      for (const t of template) expect(t.spec.replicas).toBe('0');
    }
    for (const so of objects.filter((o) => o.kind === 'ScaledObject')) {
      for (const d of deployments.filter((x) => x.metadata.name === so.spec.scaleTargetRef.name)) {
        expect(d.lifecycle).toEqual({ ignore_changes: ['spec[0].replicas'] });
      }
    }
    // No HPA targets a template Deployment (only the Rollout).
    for (const hpa of resources(prod, 'kubernetes_horizontal_pod_autoscaler_v2')) {
      expect(hpa.spec.scale_target_ref.kind).toBe('Rollout');
    }
  });
});

describe('the WebSocket servers behind the load balancer', () => {
  test('/ws/ goes to each channel\'s WebSocket servers before the host rules; not sticky, long draining', () => {
    const rules = resources(prodCloud, 'aws_lb_listener_rule').sort((a, b) => a.priority - b.priority);
    const conditions = rules.map((r) => r.condition);
    expect(conditions).toEqual([
      [{ host_header: { values: ['beta.toronto-ai-team-agent.example.com'] } }, { path_pattern: { values: ['/ws/*'] } }],
      [{ path_pattern: { values: ['/ws/*'] } }],
      [{ host_header: { values: ['beta.toronto-ai-team-agent.example.com'] } }],
    ]);
    const ws = resourceAt(prodCloud, 'aws_lb_target_group', 'edge/load-balancer/target-ws');
    expect(ws).toMatchObject({ port: 8002, target_type: 'ip', deregistration_delay: '120' });
    expect(ws.stickiness).toBeUndefined();
    expect(rules[1].action[0].target_group_arn).toBe(`\${aws_lb_target_group.${ws.__name}.arn}`);
  });

  test('each channel\'s WebSocket Service is bound to its target group; the servers ping under the idle timeout', () => {
    const bindings = JSON.parse(resourceAt(prod, 'helm_release', 'services/websocket-bindings/release').values[0]).bindings;
    expect(bindings.map((b: Json) => [b.namespace, b.serviceName, b.servicePort])).toEqual([
      ['toronto-ai', 'toronto-ai-websocket', 8002],
      ['toronto-ai-beta', 'toronto-ai-websocket', 8002],
    ]);
    expect(bindings[0].targetGroupARN).not.toBe(bindings[1].targetGroupARN);
    expect(container(resourceAt(prod, 'kubernetes_deployment_v1', 'services/stable-websocket/deployment')).command).toEqual(expect.arrayContaining(['--ping-interval', '20']));
    expect(definitionProblems('production', (d) => (d.edge.loadBalancer.idleTimeoutSeconds = 30)).join('\n')).toMatch(/production\.edge\.loadBalancer\.idleTimeoutSeconds: 30 s would close idle WebSocket connections/);
    // Only the load balancer reaches the WebSocket port, only on the WebSocket pods.
    const policy = resourceAt(prod, 'kubernetes_network_policy_v1', 'app/network-policies/allow-ingress-load-balancer-websocket');
    expect(policy.spec.pod_selector).toEqual({ match_labels: { 'app.kubernetes.io/name': 'toronto-ai-websocket' } });
    expect(policy.spec.ingress[0].ports).toEqual([{ port: '8002', protocol: 'TCP' }]);
  });
});

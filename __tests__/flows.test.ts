/**
 * Issue 10, item 4: the declared flows are complete in every environment's synthesized stacks,
 * and the completeness check reports each kind of missing part (proved by removing the part from
 * the synthesized JSON).
 */
import { Json, shipped } from './helpers';
import { checkWiring } from '../scripts/completeness';
import { DEFAULT_DENY_NAMESPACES, Flow, egressNamespaces, platformFlows } from '../features/flows';
import { environment } from './helpers';

const clone = (j: Json): Json => JSON.parse(JSON.stringify(j));
const cloud: Json = shipped('production').cloud;
const platform: Json = shipped('production').platform;
const flows: Flow[] = platformFlows(environment('production'));

/** The one resource of `type` whose construct path ends with `suffix` (its key). */
function key(json: Json, type: string, suffix: string): string {
  const found = Object.entries(json.resource[type] as Json).filter(([, r]) => String(r['//'].metadata.path).endsWith(suffix));
  if (found.length !== 1) throw new Error(`expected one ${type} at *${suffix}, found ${found.length}`);
  return found[0][0];
}

describe('the wiring of every environment is complete', () => {
  test.each(['development', 'testing', 'staging', 'production'])('%s: every flow has its network path, identity, credential and endpoint', (name) => {
    const stacks = shipped(name);
    expect(checkWiring(platformFlows(environment(name)), stacks.cloud, stacks.platform)).toEqual([]);
  });

  test('production declares both channels\' flows; development only the stable channel\'s', () => {
    expect(flows.map((f) => f.id)).toEqual(expect.arrayContaining(['toronto-ai-to-redis', 'toronto-ai-beta-to-redis', 'toronto-ai-beta-to-postgres']));
    expect(platformFlows(environment('development')).map((f) => f.id).filter((id) => id.startsWith('toronto-ai-beta'))).toEqual([]);
  });

  test('every platform namespace but kube-system is behind a default deny', () => {
    const namespaces = Object.values(platform.resource.kubernetes_namespace_v1 as Json).map((n) => n.metadata.name);
    expect(namespaces.sort()).toEqual([...DEFAULT_DENY_NAMESPACES, 'toronto-ai', 'toronto-ai-beta'].sort());
  });

  test('the application\'s egress to in-cluster services is generated from the flows', () => {
    expect(egressNamespaces(flows, 'toronto-ai-beta')).toEqual([
      { namespace: 'data', ports: [5432, 27017] },
      { namespace: 'vector', ports: [8000] },
      { namespace: 'security', ports: [3310] },
      { namespace: 'vault', ports: [8200] },
      { namespace: 'ai-inference', ports: [11434] },
    ]);
  });
});

describe('the completeness check reports what is missing', () => {
  test('a missing Pod Identity association (identity)', () => {
    const c = clone(cloud);
    delete c.resource.aws_eks_pod_identity_association[key(c, 'aws_eks_pod_identity_association', 'data/role-beta-cache/association')];
    expect(checkWiring(flows, c, platform)).toEqual([
      'toronto-ai-beta-to-redis: identity: no Pod Identity association for toronto-ai-beta/toronto-ai',
      'toronto-ai-beta-to-redis: credential: the role of toronto-ai-beta/toronto-ai does not allow elasticache:Connect',
      // The same role carries the application's service-tier access (features/services/cloud.ts).
      'toronto-ai-beta-application-queue-send-celery: identity: no Pod Identity association for toronto-ai-beta/toronto-ai',
      'toronto-ai-beta-application-queue-send-celery: credential: the role of toronto-ai-beta/toronto-ai does not allow sqs:SendMessage',
      'toronto-ai-beta-application-queue-send-agent-tasks: identity: no Pod Identity association for toronto-ai-beta/toronto-ai',
      'toronto-ai-beta-application-queue-send-agent-tasks: credential: the role of toronto-ai-beta/toronto-ai does not allow sqs:SendMessage',
      'toronto-ai-beta-application-files-read-write: identity: no Pod Identity association for toronto-ai-beta/toronto-ai',
      'toronto-ai-beta-application-files-read-write: credential: the role of toronto-ai-beta/toronto-ai does not allow s3:PutObject',
    ]);
  });

  test('the load balancer\'s WebSocket port closed on the nodes\' security group (network, cloud side)', () => {
    const c = clone(cloud);
    delete c.resource.aws_vpc_security_group_ingress_rule[key(c, 'aws_vpc_security_group_ingress_rule', 'edge/load-balancer/target-ingress-0-8002')];
    expect(checkWiring(flows, c, platform)).toEqual(
      ['toronto-ai', 'toronto-ai-beta'].map((ns) => `${ns}-websocket-from-load-balancer: network: no security-group rule edge/load-balancer/target-ingress-0-8002 opens 8002/TCP`),
    );
  });

  test('a service of the tier whose role lost its queue access (credential)', () => {
    const c = clone(cloud);
    const name = Object.keys(c.resource.aws_iam_role_policy).find((k) => JSON.stringify(c.resource.aws_iam_role_policy[k]).includes('stable-workers'))!;
    const policy = c.resource.aws_iam_role_policy[name];
    policy.policy = policy.policy.replace(/sqs:ReceiveMessage/g, 'sqs:ListQueues');
    expect(checkWiring(flows, c, platform)).toEqual(['toronto-ai-workers-queue-consume-celery: credential: the role of toronto-ai/toronto-ai-workers does not allow sqs:ReceiveMessage']);
  });

  test('a missing IAM action (credential)', () => {
    const c = clone(cloud);
    const policy = c.resource.aws_iam_role_policy[key(c, 'aws_iam_role_policy', 'data/role-app-cache/policy')];
    policy.policy = policy.policy.replace('elasticache:Connect', 'elasticache:Describe*');
    expect(checkWiring(flows, c, platform)).toEqual(['toronto-ai-to-redis: credential: the role of toronto-ai/toronto-ai does not allow elasticache:Connect']);
  });

  test('a missing ingress allow in the provider namespace (network)', () => {
    const p = clone(platform);
    delete p.resource.kubernetes_network_policy_v1[key(p, 'kubernetes_network_policy_v1', 'network-policies/data/allow-ingress-toronto-ai-beta-to-postgres')];
    expect(checkWiring(flows, cloud, p)).toEqual(['toronto-ai-beta-to-postgres: network: no NetworkPolicy in data allows ingress from namespace toronto-ai-beta on 5432/TCP']);
  });

  test('a missing egress allow in the consumer namespace and a missing default deny', () => {
    const p = clone(platform);
    delete p.resource.kubernetes_network_policy_v1[key(p, 'kubernetes_network_policy_v1', 'network-policies/vault/allow-egress-vault-unseal')];
    delete p.resource.kubernetes_network_policy_v1[key(p, 'kubernetes_network_policy_v1', 'network-policies/logging/default-deny-all')];
    expect(checkWiring(flows, cloud, p)).toEqual([
      'namespace logging: no default-deny NetworkPolicy',
      'vault-unseal: network: no NetworkPolicy in vault allows egress to internet-https (0.0.0.0/0) on 443/TCP',
    ]);
  });

  test('a missing Vault role binding and policy path (identity, credential)', () => {
    const p = clone(platform);
    const cm = p.resource.kubernetes_config_map_v1[key(p, 'kubernetes_config_map_v1', 'vault/configure-script')];
    cm.data['configure.sh'] = cm.data['configure.sh'].replace('bound_service_account_namespaces=toronto-ai-beta ', 'bound_service_account_namespaces=toronto-ai ');
    cm.data['policy-database-sync-beta.hcl'] = '';
    const problems = checkWiring(flows, cloud, p);
    expect(problems).toContain('toronto-ai-beta-to-postgres: identity: no Vault role toronto-ai-beta bound to toronto-ai-beta/toronto-ai');
    expect(problems).toContain('vault-database-sync-beta-to-vault: credential: Vault policy database-sync-beta does not write secret/data/toronto-ai-beta/database');
  });

  test('a missing endpoint in the consumer configuration (endpoint)', () => {
    const p = clone(platform);
    delete p.resource.kubernetes_config_map_v1[key(p, 'kubernetes_config_map_v1', 'app/beta/config')].data.REDIS_HOST;
    expect(checkWiring(flows, cloud, p)).toEqual(['toronto-ai-beta-to-redis: endpoint: kubernetes_config_map_v1 at *app/beta/config does not contain primary_endpoint_address']);
  });

  test('the ClamAV daemon flow: its ingress allow (selecting the clamd pods) and the endpoint in the channel\'s ConfigMap', () => {
    const p = clone(platform);
    const ingress = p.resource.kubernetes_network_policy_v1[key(p, 'kubernetes_network_policy_v1', 'network-policies/security/allow-ingress-toronto-ai-beta-to-clamd')];
    expect(ingress.spec.pod_selector.match_labels).toEqual({ 'app.kubernetes.io/name': 'clamd' });
    delete p.resource.kubernetes_network_policy_v1[key(p, 'kubernetes_network_policy_v1', 'network-policies/security/allow-ingress-toronto-ai-beta-to-clamd')];
    const config = p.resource.kubernetes_config_map_v1[key(p, 'kubernetes_config_map_v1', 'app/application/config')];
    expect(config.data).toMatchObject({ CLAMAV_HOST: 'clamd.security.svc', CLAMAV_PORT: '3310' });
    delete config.data.CLAMAV_HOST;
    expect(checkWiring(flows, cloud, p)).toEqual([
      'toronto-ai-to-clamd: endpoint: kubernetes_config_map_v1 at *app/application/config does not contain clamd.security.svc',
      'toronto-ai-beta-to-clamd: network: no NetworkPolicy in security allows ingress from namespace toronto-ai-beta on 3310/TCP',
    ]);
  });

  test('a missing security-group rule (network, cloud side)', () => {
    const c = clone(cloud);
    c.resource.aws_vpc_security_group_ingress_rule[key(c, 'aws_vpc_security_group_ingress_rule', 'data/redis/from-clients-0')].from_port = 6380;
    expect(checkWiring(flows, c, platform)).toEqual([
      'toronto-ai-to-redis: network: no security-group rule data/redis/from-clients-0 opens 6379/TCP',
      'toronto-ai-beta-to-redis: network: no security-group rule data/redis/from-clients-0 opens 6379/TCP',
    ]);
  });

  test('a workload pointing at a service no flow declares', () => {
    const p = clone(platform);
    p.resource.kubernetes_config_map_v1[key(p, 'kubernetes_config_map_v1', 'app/application/config')].data.LOGSTASH = 'logstash-ls-beats.logging.svc:5044';
    expect(checkWiring(flows, cloud, p)).toEqual([
      'undeclared: production-platform/app/application/config (namespace toronto-ai) points at logstash-ls-beats.logging.svc, and no flow goes from toronto-ai to logging',
    ]);
  });

  test('a flow the stacks do not implement at all', () => {
    const extra: Flow = {
      id: 'toronto-ai-to-kibana',
      description: 'test',
      consumer: { kind: 'pods', namespace: 'toronto-ai' },
      provider: { kind: 'pods', namespace: 'logging' },
      ports: [{ port: 5601, protocol: 'TCP' }],
      identity: { kind: 'vault-role', role: 'kibana', namespace: 'toronto-ai', serviceAccount: 'toronto-ai' },
      credential: { kind: 'vault', path: 'toronto-ai/kibana', access: 'read' },
      endpoint: { kind: 'config', stack: 'platform', type: 'kubernetes_config_map_v1', path: 'app/application/config', contains: 'kibana' },
    };
    expect(checkWiring([...flows, extra], cloud, platform)).toEqual([
      'toronto-ai-to-kibana: network: no NetworkPolicy in toronto-ai allows egress to namespace logging on 5601/TCP',
      'toronto-ai-to-kibana: network: no NetworkPolicy in logging allows ingress from namespace toronto-ai on 5601/TCP',
      'toronto-ai-to-kibana: identity: no Vault role kibana bound to toronto-ai/toronto-ai',
      'toronto-ai-to-kibana: credential: Vault policy kibana does not read secret/data/toronto-ai/kibana',
      'toronto-ai-to-kibana: endpoint: kubernetes_config_map_v1 at *app/application/config does not contain kibana',
    ]);
  });

  test('alert and dashboard selectors that miss the beta namespace or name no namespace', () => {
    const p = clone(platform);
    const release = p.resource.helm_release[key(p, 'helm_release', 'monitoring/kube-prometheus-stack/release')];
    release.values[0] = release.values[0].split('toronto-ai|toronto-ai-beta').join('toronto-ai|beta');
    const problems = checkWiring(flows, cloud, p);
    expect(problems).toContain('selector: alert ErrorRateRollback selects beta, which is no namespace (PromQL anchors =~)');
    expect(problems).toContain('selector: alert ErrorRateRollback misses the application namespace(s) toronto-ai-beta');
    expect(problems).toContain('selector: dashboard toronto-ai-overview panel Request Rate misses the application namespace(s) toronto-ai-beta');
  });
});

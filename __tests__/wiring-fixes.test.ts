/**
 * Issue 10, item 3: the connections the wiring model exposed as broken, asserted on the
 * synthesized production stacks (both sides of each connection).
 */
import { Json, resourceAt, resources, shipped } from './helpers';
import { APP_CHANNELS } from '../features/app/contract';
import { configurePolicy } from '../constructs/data/vault';
import { CERTIFICATE_CHECK_JOB_REGEX } from '../constructs/observability/alert-rules';

const cloud: Json = shipped('production').cloud;
const platform: Json = shipped('production').platform;
const devCloud: Json = shipped('development').cloud;

const ref = (type: string, r: Json, attr: string) => `\${${type}.${r.__name}.${attr}}`;
const policyOf = (json: Json, rolePath: string) =>
  JSON.parse(resourceAt(json, 'aws_iam_role_policy', `${rolePath}/policy`).policy).Statement as Json[];
const configMap = (path: string) => resourceAt(platform, 'kubernetes_config_map_v1', path).data as Record<string, string>;
const helmValues = (name: string) => JSON.parse(resources(platform, 'helm_release').find((r) => r.name === name)!.values[0]);
const networkPolicy = (path: string) => resourceAt(platform, 'kubernetes_network_policy_v1', path).spec;

describe('Redis is usable by the application in both channels, with IAM authentication (DATA-4)', () => {
  const group = resourceAt(cloud, 'aws_elasticache_replication_group', 'data/redis/replication-group');
  const users = {
    stable: resourceAt(cloud, 'aws_elasticache_user', 'data/redis/app-user'),
    beta: resourceAt(cloud, 'aws_elasticache_user', 'data/redis/user-beta'),
  };

  test.each(['stable', 'beta'] as const)('%s: a Pod Identity association binds the channel service account to a role', (channel) => {
    const c = APP_CHANNELS[channel];
    const association = resourceAt(cloud, 'aws_eks_pod_identity_association', `data/role-${c.cacheRoleSuffix}/association`);
    expect(association).toMatchObject({ namespace: c.namespace, service_account: 'toronto-ai' });
    const role = resourceAt(cloud, 'aws_iam_role', `data/role-${c.cacheRoleSuffix}/role`);
    expect(association.role_arn).toBe(ref('aws_iam_role', role, 'arn'));
  });

  test.each(['stable', 'beta'] as const)('%s: the role may only elasticache:Connect to the replication group as its own user', (channel) => {
    const c = APP_CHANNELS[channel];
    expect(policyOf(cloud, `data/role-${c.cacheRoleSuffix}`)).toEqual([
      {
        Sid: 'ConnectToCacheAsIamUser',
        Effect: 'Allow',
        Action: 'elasticache:Connect',
        Resource: [ref('aws_elasticache_replication_group', group, 'arn'), ref('aws_elasticache_user', users[channel], 'arn')],
      },
    ]);
  });

  test('the beta user authenticates with IAM and reaches only keys under beta:', () => {
    expect(users.beta).toMatchObject({
      user_id: 'toronto-ai-production-cache-beta',
      user_name: 'toronto-ai-production-cache-beta',
      access_string: 'on ~beta:* +@all -@admin -@dangerous',
      authentication_mode: { type: 'iam' },
    });
    const userGroup = resourceAt(cloud, 'aws_elasticache_user_group', 'data/redis/user-group');
    expect(userGroup.user_ids).toContain(ref('aws_elasticache_user', users.beta, 'user_id'));
  });

  test.each([
    ['stable', 'app/application/config', 'toronto-ai-production-cache-app', ''],
    ['beta', 'app/beta/config', 'toronto-ai-production-cache-beta', 'beta:'],
  ])('%s: the ConfigMap holds the endpoint (read from the cloud stack), the user and IAM auth', (_channel, path, user, prefix) => {
    const data = configMap(path);
    // A cross-stack reference (the test app keeps both stacks in one tree; `cdktf synth` turns it
    // into a terraform_remote_state read of the cloud stack's output).
    expect(data.REDIS_HOST).toMatch(/^\$\{(data\.terraform_remote_state\.[^}]+|aws_elasticache_replication_group\.data_redis_replication-group_[^}.]+\.)primary_endpoint_address\}$/);
    expect(data).toMatchObject({
      REDIS_PORT: '6379',
      REDIS_TLS: 'true',
      REDIS_AUTH: 'iam',
      REDIS_USER: user,
      REDIS_CACHE_NAME: 'toronto-ai-production-cache',
      REDIS_KEY_PREFIX: prefix,
      AWS_REGION: 'ca-central-1',
    });
  });

  test('the network path: the cluster security group may reach the cache security group on 6379', () => {
    const rule = resourceAt(cloud, 'aws_vpc_security_group_ingress_rule', 'data/redis/from-clients-0');
    const cacheSg = resourceAt(cloud, 'aws_security_group', 'data/redis/security-group');
    const cluster = resourceAt(cloud, 'aws_eks_cluster', 'cluster/cluster');
    expect(rule).toMatchObject({ from_port: 6379, to_port: 6379, ip_protocol: 'tcp', security_group_id: ref('aws_security_group', cacheSg, 'id') });
    expect(rule.referenced_security_group_id).toBe(`\${aws_eks_cluster.${cluster.__name}.vpc_config[0].cluster_security_group_id}`);
  });

  test.each(['network-policies', 'beta-network-policies'])('%s: the pods may reach the cache subnets on 6379 and the Pod Identity agent', (set) => {
    const redis = networkPolicy(`app/${set}/allow-egress-redis`);
    expect(redis.egress[0].ports).toEqual([{ port: '6379', protocol: 'TCP' }]);
    expect(redis.egress[0].to.map((t: Json) => t.ip_block.cidr)).toEqual(['10.40.10.0/24', '10.40.11.0/24', '10.40.12.0/24']);
    const agent = networkPolicy(`app/${set}/allow-egress-pod-identity-agent`);
    expect(agent.egress[0]).toEqual({ to: [{ ip_block: { cidr: '169.254.170.23/32' } }], ports: [{ port: '80', protocol: 'TCP' }] });
  });

  test('development (no beta channel) binds only the stable channel', () => {
    const associations = resources(devCloud, 'aws_eks_pod_identity_association').map((a) => `${a.namespace}/${a.service_account}`);
    expect(associations).toContain('toronto-ai/toronto-ai');
    expect(associations).not.toContain('toronto-ai-beta/toronto-ai');
  });
});

describe('the beta channel has its own database, credentials and Vault role (ENV-4, SEC-1)', () => {
  const vaultConfig = configMap('vault/configure-script');
  const script = vaultConfig['configure.sh'];

  test('the stable role is bound to the stable namespace only; the beta role to the beta namespace only', () => {
    expect(script).toContain('vault write auth/kubernetes/role/toronto-ai bound_service_account_names=toronto-ai,toronto-ai-agents,toronto-ai-coordinator,toronto-ai-workers,toronto-ai-beat,toronto-ai-websocket,toronto-ai-onboarding bound_service_account_namespaces=toronto-ai policies=toronto-ai ttl=1h max_ttl=4h');
    expect(script).toContain(
      'vault write auth/kubernetes/role/toronto-ai-beta bound_service_account_names=toronto-ai,toronto-ai-agents,toronto-ai-coordinator,toronto-ai-workers,toronto-ai-beat,toronto-ai-websocket,toronto-ai-feedback bound_service_account_namespaces=toronto-ai-beta policies=toronto-ai-beta ttl=1h max_ttl=4h',
    );
  });

  test('the beta policy reads only secret/toronto-ai-beta/*; nothing of production', () => {
    const policy = vaultConfig['policy-toronto-ai-beta.hcl'];
    const paths = [...policy.matchAll(/path "([^"]+)"/g)].map((m) => m[1]);
    expect(paths).toEqual([
      'secret/data/toronto-ai-beta/database',
      'secret/metadata/toronto-ai-beta/database',
      'secret/data/toronto-ai-beta/api',
      'secret/metadata/toronto-ai-beta/api',
      'secret/data/toronto-ai-beta/vector',
      'secret/metadata/toronto-ai-beta/vector',
    ]);
    expect(vaultConfig['policy-toronto-ai.hcl']).not.toContain('toronto-ai-beta');
  });

  test('the beta pods and the feedback job render the beta paths with the beta role', () => {
    const pod = resourceAt(platform, 'kubernetes_deployment_v1', 'app/beta/deployment').spec.template.metadata.annotations;
    expect(pod).toMatchObject({
      'vault.hashicorp.com/role': 'toronto-ai-beta',
      'vault.hashicorp.com/agent-inject-secret-database': 'secret/data/toronto-ai-beta/database',
      'vault.hashicorp.com/agent-inject-secret-api': 'secret/data/toronto-ai-beta/api',
    });
    const job = resourceAt(platform, 'kubernetes_cron_job_v1', 'app/feedback-reminder/cron-job');
    expect(JSON.stringify(job)).toContain('secret/data/toronto-ai-beta/database');
    expect(JSON.stringify(job)).not.toContain('secret/data/toronto-ai/database');
  });

  test('PostgreSQL: a login role and a database of its own, the password generated in the cluster', () => {
    const cluster = helmValues('postgres');
    expect(cluster.cluster.managed.roles).toEqual([
      { name: 'toronto_ai_beta', ensure: 'present', login: true, superuser: false, passwordSecret: { name: 'postgres-toronto-ai-beta' } },
    ]);
    // The Database object keeps the name the cluster chart gave it (charts/postgres-cluster).
    expect(cluster.databases).toEqual([
      { name: 'postgres-toronto-ai-beta', spec: { name: 'toronto_ai_beta', ensure: 'present', owner: 'toronto_ai_beta', template: 'template1', encoding: 'UTF8', databaseReclaimPolicy: 'retain' } },
    ]);
    expect(helmValues('postgres-credentials').credentials).toEqual([
      {
        secretName: 'postgres-toronto-ai-beta',
        username: 'toronto_ai_beta',
        host: expect.stringMatching(/^postgres-rw\.\$\{kubernetes_namespace_v1\.namespaces_data_[^}]+\}\.svc$/),
        port: 5432,
        database: 'toronto_ai_beta',
      },
    ]);
  });

  test('MongoDB: a user with readWrite on its own database', () => {
    expect(helmValues('mongodb').users).toContainEqual({
      name: 'toronto-ai-beta',
      db: 'admin',
      passwordSecretRef: { name: 'mongodb-toronto-ai-beta-credentials', key: 'password' },
      roles: [{ name: 'readWrite', db: 'toronto_ai_beta' }],
    });
  });

  test('a sync job of its own writes the beta credentials to the beta path only', () => {
    const job = JSON.stringify(resourceAt(platform, 'kubernetes_cron_job_v1', 'vault-database-sync-beta/cron-job'));
    expect(job).toContain('postgres-toronto-ai-beta');
    expect(job).toContain('mongodb-toronto-ai-beta-credentials');
    expect(job).toContain('toronto-ai-beta/database');
    expect(vaultConfig['policy-database-sync-beta.hcl']).toBe('path "secret/data/toronto-ai-beta/database" {\n  capabilities = ["create", "update"]\n}');
  });
});

describe('vault-configure manages only the named policies and roles (SEC-1)', () => {
  const policy = configMap('vault/configure-script')['policy-vault-configure.hcl'];
  const paths = [...policy.matchAll(/path "([^"]+)"/g)].map((m) => m[1]);

  test('no wildcard path; every managed policy and role enumerated; nothing about itself', () => {
    expect(paths.filter((p) => p.includes('*') || p.includes('+'))).toEqual([]);
    expect(paths).toEqual([
      'sys/auth',
      'sys/mounts',
      'sys/audit',
      'auth/kubernetes/config',
      ...['toronto-ai', 'database-sync', 'api-keys-sync', 'chroma-token-sync', 'toronto-ai-beta', 'database-sync-beta', 'api-keys-sync-beta', 'chroma-token-sync-beta', 'vault-snapshot'].flatMap((r) => [`sys/policies/acl/${r}`, `auth/kubernetes/role/${r}`]),
      // issue 13: the restore Job's role, deleted while no restore is configured
      'auth/kubernetes/role/vault-restore',
    ]);
  });

  test('each role it writes is pinned to its service accounts, namespaces, policy and TTLs', () => {
    const block = policy.slice(policy.indexOf('path "auth/kubernetes/role/toronto-ai-beta"'));
    // The application and the beta channel's services (features/services), in the beta namespace only.
    expect(block).toContain('"bound_service_account_names" = ["toronto-ai,toronto-ai-agents,toronto-ai-coordinator,toronto-ai-workers,toronto-ai-beat,toronto-ai-websocket,toronto-ai-feedback"]');
    expect(block).toContain('"bound_service_account_namespaces" = ["toronto-ai-beta"]');
    expect(block).toContain('"policies" = ["toronto-ai-beta"]');
  });

  test('a client cannot take the job\'s own role name', () => {
    expect(() => configurePolicy([{ role: 'vault-configure', serviceAccounts: ['x'], namespaces: ['x'], readPaths: ['x'] }])).toThrow(
      "configurePolicy: client role name 'vault-configure' is reserved",
    );
  });

  test('its own policy and role are never written by the job (the operator bootstraps them once), and no token is mounted', () => {
    const script = configMap('vault/configure-script')['configure.sh'];
    expect(script).not.toMatch(/vault policy write vault-configure|auth\/kubernetes\/role\/vault-configure /);
    expect(script).toContain('[ "$name" = vault-configure ] || vault policy write "$name" "$f"');
    expect(script).toContain('auth/kubernetes/login role=vault-configure');
    expect(script).not.toMatch(/bootstrap\/token|VAULT_TOKEN="\$\(cat/);
    expect(script).not.toContain('${name'); // Terraform would read it as an interpolation
  });
});

describe('GuardDuty findings reach the alert topic (SEC-3)', () => {
  const rule = resourceAt(cloud, 'aws_cloudwatch_event_rule', 'guardduty/findings-rule');
  const topic = resourceAt(cloud, 'aws_sns_topic', 'alerts/topic');

  test('an EventBridge rule matches GuardDuty findings of medium severity and above and targets the topic', () => {
    expect(JSON.parse(rule.event_pattern)).toEqual({
      source: ['aws.guardduty'],
      'detail-type': ['GuardDuty Finding'],
      detail: { severity: [{ numeric: ['>=', 4] }] },
    });
    const target = resourceAt(cloud, 'aws_cloudwatch_event_target', 'guardduty/findings-target');
    expect(target.arn).toBe(ref('aws_sns_topic', topic, 'arn'));
    expect(target.rule).toBe(ref('aws_cloudwatch_event_rule', rule, 'name'));
  });

  test('the topic policy lets exactly that account\'s rules (by name prefix) publish, and the rule name has the prefix', () => {
    const statements = JSON.parse(resourceAt(cloud, 'aws_sns_topic_policy', 'alerts/policy').policy).Statement as Json[];
    const events = statements.find((s) => s.Sid === 'EventBridgeRulesOfThisAccount')!;
    expect(events).toMatchObject({ Principal: { Service: 'events.amazonaws.com' }, Action: 'sns:Publish' });
    const pattern = events.Condition.ArnLike['aws:SourceArn'] as string;
    const ruleArn = `arn:aws:events:ca-central-1:444455556666:rule/${rule.name}`;
    expect(new RegExp(`^${pattern.replace(/\*/g, '.*')}$`).test(ruleArn)).toBe(true);
  });

  test('the topic key lets EventBridge encrypt', () => {
    const key = JSON.parse(resourceAt(cloud, 'aws_kms_key', 'alerts/key/key').policy).Statement as Json[];
    expect(key).toContainEqual(
      expect.objectContaining({ Principal: { Service: 'events.amazonaws.com' }, Action: ['kms:Decrypt', 'kms:GenerateDataKey*'] }),
    );
  });
});

describe('the Vault certificate and CA have a watched expiry (OBS-2)', () => {
  const cronJob = resourceAt(platform, 'kubernetes_cron_job_v1', 'vault-certificate-check/cron-job');
  const pod = cronJob.spec.job_template.spec.template.spec;

  test('a daily check fails 30 days before either certificate expires', () => {
    const script = pod.container[0].command[2] as string;
    expect(script).toContain('openssl x509 -checkend 2592000 -noout -in /certs/cert-0/tls.crt');
    expect(script).toContain('openssl x509 -checkend 2592000 -noout -in /certs/cert-0/ca.crt');
    expect(pod.volume[0].secret).toMatchObject({ secret_name: 'vault-server-tls' });
    expect(cronJob.metadata.name).toBe('vault-certificate-check');
  });

  test('the alert rule selects the Jobs this CronJob creates (and an unrelated job not)', () => {
    const regex = new RegExp(`^${CERTIFICATE_CHECK_JOB_REGEX}$`);
    expect(regex.test('vault-certificate-check-29400000')).toBe(true);
    expect(regex.test('mongodb-backup-29400000')).toBe(false);
    const values = helmValues('kube-prometheus-stack');
    const rule = values.additionalPrometheusRulesMap['toronto-ai-platform'].groups[0].rules.find((r: Json) => r.alert === 'CertificateExpiringSoon');
    expect(rule.expr).toContain(`kube_job_status_failed{job_name=~"${CERTIFICATE_CHECK_JOB_REGEX}"}`);
    expect(JSON.stringify(values)).not.toContain('certmanager_');
  });
});

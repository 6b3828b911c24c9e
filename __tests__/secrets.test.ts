/**
 * No secret has to be created by hand in a namespace Terraform manages, and no secret value is in
 * the configuration or Terraform state (issue 9, part 2): Grafana's admin password is generated in
 * the cluster; every Alertmanager receiver credential has an empty Secrets Manager secret in the
 * cloud stack, which the External Secrets Operator syncs into `monitoring` with a Pod Identity
 * role limited to those secrets. Every environment comes from the registry.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFINITIONS, validateEnvironments } from '../environments';
import { Environment } from '../environments/schema';
import { PLATFORM_NAMESPACES } from '../stacks/platform-stack';
import { Json, resources, shipped } from './helpers';
import { API_KEYS_SYNC } from '../features/data/contract';
import { APP_API_KEYS, APP_CHANNELS, channelsOf } from '../features/app/contract';
import { policyGrants, vaultCoverage } from '../scripts/vault-coverage';

const ENVIRONMENTS: Environment[] = validateEnvironments(DEFINITIONS);

/** `<prefix>/monitoring/<Secret>/<key>` of every credential the definition's receivers read. */
function expectedNames(env: Environment): string[] {
  const refs = [
    ...env.observability.alertmanager.receivers.flatMap((r: Json) => [r.apiUrlSecret, r.routingKeySecret, r.authPasswordSecret, r.urlSecret].filter(Boolean)),
    // The Watchdog heartbeat's webhook URL (features/observability/contract.ts HEARTBEAT).
    { name: 'alertmanager-heartbeat', key: 'url' },
  ];
  return [...new Set(refs.map((ref: Json) => `toronto-ai-${env.name}/monitoring/${ref.name}/${ref.key}`))].sort() as string[];
}

const releaseNamed = (json: Json, name: string): Json => {
  const found = resources(json, 'helm_release').filter((r) => r.name === name);
  expect(found).toHaveLength(1);
  return found[0];
};

describe.each(ENVIRONMENTS.map((e) => [e.name, e] as const))('%s', (name, env) => {
  test('the cloud stack creates one empty Secrets Manager secret per receiver credential, with its own KMS key', () => {
    const cloud = shipped(name).cloud;
    const secrets = resources(cloud, 'aws_secretsmanager_secret').filter((s) => s.name.includes('/monitoring/'));
    expect(expectedNames(env).length).toBeGreaterThan(0);
    expect(secrets.map((s) => s.name).sort()).toEqual(expectedNames(env));
    for (const s of secrets) {
      expect(s.kms_key_id).toMatch(/^\$\{aws_kms_key\.alert-credentials_key_\w+\.arn\}$/);
      expect(s.lifecycle?.prevent_destroy === true).toBe(env.protectState);
    }
    // A value would pass through Terraform state: none is ever set or read.
    expect(resources(cloud, 'aws_secretsmanager_secret_version')).toEqual([]);
    expect(cloud.data?.aws_secretsmanager_secret_version).toBeUndefined();
  });

  test('the External Secrets role reads exactly those secrets and decrypts only through Secrets Manager', () => {
    const cloud = shipped(name).cloud;
    const [association] = resources(cloud, 'aws_eks_pod_identity_association').filter((a) => a.namespace === 'external-secrets');
    expect(association).toMatchObject({ namespace: 'external-secrets', service_account: 'external-secrets' });
    const [policy] = resources(cloud, 'aws_iam_role_policy').filter((p) => p.__name.startsWith('alert-credentials_external-secrets-role') && p.name === 'least-privilege');
    const statements = JSON.parse(policy.policy).Statement;
    const secretArns = resources(cloud, 'aws_secretsmanager_secret').filter((s) => s.name.includes('/monitoring/')).map((s) => `\${aws_secretsmanager_secret.${s.__name}.arn}`).sort();
    expect(statements).toEqual([
      { Sid: 'ReadSyncedSecrets', Effect: 'Allow', Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'], Resource: secretArns },
      {
        Sid: 'DecryptThroughSecretsManager',
        Effect: 'Allow',
        Action: 'kms:Decrypt',
        Resource: expect.stringMatching(/^\$\{aws_kms_key\.alert-credentials_key_\w+\.arn\}$/),
        Condition: { StringEquals: { 'kms:ViaService': `secretsmanager.${env.aws.region}.amazonaws.com` } },
      },
    ]);
  });

  test('the platform syncs the same names into monitoring, after the operator, before Alertmanager', () => {
    const platform = shipped(name).platform;
    const operator = releaseNamed(platform, 'external-secrets');
    const synced = releaseNamed(platform, 'alert-credentials');
    expect(synced.depends_on).toEqual([`helm_release.${operator.__name}`]);
    expect(synced.namespace).toMatch(/^\$\{kubernetes_namespace_v1\.namespaces_monitoring_\w+\.metadata\[0\]\.name\}$/);
    const values = JSON.parse(synced.values[0]);
    expect(values.store).toEqual({ name: 'aws-secrets-manager', region: env.aws.region });
    const remote = values.secrets.flatMap((s: Json) => s.data.map((d: Json) => d.remoteKey)).sort();
    expect(remote).toEqual(expectedNames(env));
    expect(releaseNamed(platform, 'kube-prometheus-stack').depends_on).toContain(`helm_release.${synced.__name}`);
    expect(JSON.parse(operator.values[0])).toMatchObject({ installCRDs: true, serviceAccount: { create: true, name: 'external-secrets' } });
  });

  test('no secret value is generated into, or read through, Terraform state', () => {
    for (const json of [shipped(name).cloud, shipped(name).platform]) {
      for (const type of Object.keys(json.resource ?? {})) expect(type).not.toMatch(/^random_|^tls_private_key$|^kubernetes_secret/);
      for (const type of Object.keys(json.data ?? {})) expect(type).not.toMatch(/secret|kubernetes_/);
    }
  });
});

describe.each(ENVIRONMENTS.map((e) => [e.name, e] as const))('%s: the API keys\' source outside Vault (issue 13)', (name, env) => {
  const channels = channelsOf(env);
  const expected = channels.flatMap((c) => APP_API_KEYS.map((k) => `toronto-ai-${name}/data/${API_KEYS_SYNC[c.name].secretName}/${k}`)).sort();

  test('one empty Secrets Manager secret per channel and key the application reads, with a key of its own; replicated with a multi-region key where there is a replica region', () => {
    const cloud = shipped(name).cloud;
    const secrets = resources(cloud, 'aws_secretsmanager_secret').filter((s) => s.name.includes('/data/api-keys-'));
    expect(secrets.map((s) => s.name).sort()).toEqual(expected);
    expect(expected).toContain(`toronto-ai-${name}/data/api-keys-toronto-ai/api_key`);
    const [key] = resources(cloud, 'aws_kms_key').filter((k) => k.__name.startsWith('api-keys_key'));
    expect(key.enable_key_rotation).toBe(true);
    for (const s of secrets) {
      expect(s.kms_key_id).toBe(`\${aws_kms_key.${key.__name}.arn}`);
      expect(s.lifecycle?.prevent_destroy === true).toBe(env.protectState);
    }
    const replicas = resources(cloud, 'aws_kms_replica_key').filter((k) => k.__name.startsWith('api-keys_key'));
    if (env.backup.replicaRegion) {
      expect(key.multi_region).toBe(true);
      expect(replicas).toHaveLength(1);
      expect(replicas[0].primary_key_arn).toBe(`\${aws_kms_key.${key.__name}.arn}`);
      expect(replicas[0].provider).toMatch(/replica/);
      for (const s of secrets) expect(s.replica).toEqual([{ region: env.backup.replicaRegion, kms_key_id: `\${aws_kms_replica_key.${replicas[0].__name}.arn}` }]);
    } else {
      expect(key.multi_region).toBeUndefined();
      expect(replicas).toEqual([]);
      for (const s of secrets) expect(s.replica).toBeUndefined();
    }
    expect(resources(cloud, 'aws_secretsmanager_secret_version')).toEqual([]);
  });

  test('the External Secrets role (one per service account) reads exactly them through an inline policy of its own', () => {
    const cloud = shipped(name).cloud;
    expect(resources(cloud, 'aws_eks_pod_identity_association').filter((a) => a.service_account === 'external-secrets')).toHaveLength(1);
    const [policy] = resources(cloud, 'aws_iam_role_policy').filter((p) => p.name === 'api-keys');
    expect(policy.role).toMatch(/^\$\{aws_iam_role\.alert-credentials_external-secrets-role_\w+\.id\}$/);
    const arns = resources(cloud, 'aws_secretsmanager_secret').filter((s) => s.name.includes('/data/api-keys-')).map((s) => `\${aws_secretsmanager_secret.${s.__name}.arn}`).sort();
    const statements = JSON.parse(policy.policy).Statement;
    expect([...statements[0].Resource].sort()).toEqual(arns);
    expect(statements).toEqual([
      { Sid: 'ReadSyncedSecrets', Effect: 'Allow', Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'], Resource: expect.arrayContaining(arns) },
      {
        Sid: 'DecryptThroughSecretsManager',
        Effect: 'Allow',
        Action: 'kms:Decrypt',
        Resource: expect.stringMatching(/^\$\{aws_kms_key\.api-keys_key_\w+\.arn\}$/),
        Condition: { StringEquals: { 'kms:ViaService': `secretsmanager.${env.aws.region}.amazonaws.com` } },
      },
    ]);
  });

  test('synced into data, then by each channel\'s job into its secret/<namespace>/api, with a Vault role that may write only that path', () => {
    const platform = shipped(name).platform;
    const synced = releaseNamed(platform, 'api-keys');
    expect(synced.namespace).toMatch(/namespaces_data_/);
    const values = JSON.parse(synced.values[0]);
    expect(values.secrets.flatMap((s: Json) => s.data.map((d: Json) => d.remoteKey)).sort()).toEqual(expected);
    for (const c of channels) {
      const job = resources(platform, 'kubernetes_cron_job_v1').find((j) => (j.metadata[0] ?? j.metadata).name === API_KEYS_SYNC[c.name].serviceAccount)!;
      const spec = (x: any) => (Array.isArray(x) ? x[0] : x);
      const pod = spec(spec(spec(spec(job.spec).job_template).spec).template).spec;
      const pod0 = spec(pod);
      const script: string = spec(pod0.container).command[2];
      expect(script).toContain(`vault kv put -mount=secret ${c.secretPaths.api} api_key=@/sources/0/api_key`);
      expect(script).toContain(`auth/kubernetes/login role=${API_KEYS_SYNC[c.name].role} `);
      // Before a person has put a value, the job writes nothing (what Vault holds stays).
      expect(script).toContain('[ -s "$f" ] || {');
      expect(script.indexOf('[ -s "$f" ]')).toBeLessThan(script.indexOf('vault kv put'));
      const source = pod0.volume.find((v: Json) => v.name === 'source-0');
      expect(spec(source.secret)).toMatchObject({ secret_name: API_KEYS_SYNC[c.name].secretName, optional: true });
      const coverage = vaultCoverage(platform);
      expect(coverage.uses.filter((u) => u.roles.includes(API_KEYS_SYNC[c.name].role))).toEqual([
        expect.objectContaining({ path: `secret/data/${c.secretPaths.api}`, capability: 'create' }),
      ]);
    }
    const configMap = resources(platform, 'kubernetes_config_map_v1').find((m) => (m.metadata[0] ?? m.metadata).name === 'vault-configure')!;
    const policy = policyGrants(configMap.data[`policy-${API_KEYS_SYNC.stable.role}.hcl`]);
    expect([...policy.keys()]).toEqual([`secret/data/${APP_CHANNELS.stable.secretPaths.api}`]);
    expect(vaultCoverage(platform).secretsWithoutSource).toEqual([]);
  });
});

describe('the README asks for no secret made by hand in a namespace Terraform manages', () => {
  test('no `kubectl create secret` into a platform namespace', () => {
    const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
    const managed = new Set([...PLATFORM_NAMESPACES.map((n) => n.name), 'toronto-ai-beta']);
    const offending = readme
      .split('\n')
      .filter((line) => /kubectl\b.*\bcreate secret\b/.test(line))
      .filter((line) => {
        const ns = /(?:-n|--namespace)[ =](\S+)/.exec(line)?.[1];
        return ns === undefined || managed.has(ns);
      });
    expect(offending).toEqual([]);
  });
});

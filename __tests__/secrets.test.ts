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
    const secrets = resources(cloud, 'aws_secretsmanager_secret');
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
    const [policy] = resources(cloud, 'aws_iam_role_policy').filter((p) => p.__name.startsWith('alert-credentials_external-secrets-role'));
    const statements = JSON.parse(policy.policy).Statement;
    const secretArns = resources(cloud, 'aws_secretsmanager_secret').map((s) => `\${aws_secretsmanager_secret.${s.__name}.arn}`).sort();
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

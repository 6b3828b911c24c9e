/** The `<env>-platform` stacks: providers from the cloud stack, namespaces, storage classes, placement. */
import { App, Testing } from 'cdktf';
import { Json, resources, stacksFor, shipped } from './helpers';
import { placementFor } from '../constructs/nodepools/placement';
import { Namespaces } from '../constructs/kubernetes/namespaces';

// Production's stacks as `cdktf synth` writes them (cross-stack references as remote-state reads).
const platform: Json = shipped('production').platform;
const cloud: Json = shipped('production').cloud;

describe('providers', () => {
  test('kubernetes and helm read the cluster from the cloud stack and authenticate with aws eks get-token', () => {
    const k8s = platform.provider.kubernetes[0];
    expect(k8s.host).toMatch(/^\$\{data\.terraform_remote_state\.cross-stack-reference-input-production\.outputs\./);
    expect(k8s.cluster_ca_certificate).toMatch(/^\$\{base64decode\(data\.terraform_remote_state\./);
    expect(k8s.exec[0]).toMatchObject({ api_version: 'client.authentication.k8s.io/v1beta1', command: 'aws' });
    expect(k8s.exec[0].args.slice(0, 3)).toEqual(['eks', 'get-token', '--cluster-name']);
    expect(platform.provider.helm[0].kubernetes.host).toBe(k8s.host);
    expect(k8s.token).toBeUndefined();
  });

  test('the remote state read is the cloud stack\'s S3 state', () => {
    expect(platform.data.terraform_remote_state['cross-stack-reference-input-production']).toMatchObject({
      backend: 's3',
      config: { bucket: 'toronto-ai-terraform-state-444455556666', key: 'toronto-ai/production.tfstate' },
    });
  });

  test('every output the platform reads is exported by the cloud stack', () => {
    const read = [...JSON.stringify(platform).matchAll(/outputs\.([A-Za-z0-9_-]+)/g)].map((m) => m[1]);
    expect(read.length).toBeGreaterThan(0);
    for (const name of read) expect(Object.keys(cloud.output)).toContain(name);
  });
});

describe('namespaces (SEC-4)', () => {
  const namespaces = resources(platform, 'kubernetes_namespace_v1');
  const label = (name: string) => namespaces.find((n) => n.metadata.name === name)!.metadata.labels;

  test('the application namespace enforces the restricted Pod Security Standard', () => {
    expect(label('toronto-ai')['pod-security.kubernetes.io/enforce']).toBe('restricted');
  });

  test('every relaxed namespace carries its reason and still audits restricted', () => {
    for (const ns of namespaces.filter((n) => n.metadata.labels['pod-security.kubernetes.io/enforce'] !== 'restricted')) {
      expect(ns.metadata.annotations['toronto-ai.io/pod-security-reason']).toMatch(/\w+/);
      expect(ns.metadata.labels['pod-security.kubernetes.io/audit']).toBe('restricted');
    }
  });

  test.each([
    ['default', [{ name: 'default', podSecurity: 'restricted' as const }], /must not use the 'default' namespace/],
    ['no reason', [{ name: 'x', podSecurity: 'privileged' as const }], /namespace 'x' is 'privileged' and needs a 'reason'/],
    ['duplicate', [{ name: 'x', podSecurity: 'restricted' as const }, { name: 'x', podSecurity: 'restricted' as const }], /declared twice/],
  ])('a namespace list with %s is refused', (_t, list, message) => {
    const stack = new (require('cdktf').TerraformStack)(Testing.app(), 's');
    expect(() => new Namespaces(stack, 'ns', { namespaces: list, commonLabels: {} })).toThrow(message);
  });
});

describe('storage classes (BAK-4, SEC-3)', () => {
  test('the default class is encrypted gp3 with the volumes key and retains volumes', () => {
    const sc = resources(platform, 'kubernetes_storage_class_v1').find((s) => s.metadata.name === 'gp3-encrypted-retain')!;
    expect(sc.metadata.annotations['storageclass.kubernetes.io/is-default-class']).toBe('true');
    expect(sc.reclaim_policy).toBe('Retain');
    expect(sc.volume_binding_mode).toBe('WaitForFirstConsumer');
    expect(sc.parameters).toMatchObject({ type: 'gp3', encrypted: 'true' });
    expect(sc.parameters.kmsKeyId).toMatch(/^\$\{data\.terraform_remote_state\./);
  });
});

describe('placement', () => {
  test('database workloads select and tolerate the database pool', () => {
    expect(placementFor('database', ['app', 'database'])).toEqual({
      pool: 'database',
      nodeSelector: { 'toronto-ai.io/pool': 'database' },
      tolerations: [{ key: 'toronto-ai.io/pool', operator: 'Equal', value: 'database', effect: 'NoSchedule' }],
    });
  });

  test('in development, database workloads fall back to the single app pool', () => {
    expect(stacksFor('development').platform.placement('database')).toEqual({
      pool: 'app',
      nodeSelector: { 'toronto-ai.io/pool': 'app' },
      tolerations: [],
    });
  });

  test('a pool that exists nowhere is an error', () => {
    expect(() => placementFor('vector', ['system'])).toThrow(/neither 'vector' nor the fallback 'app'/);
  });
});

test('the platform stack is synthesized per environment with its own state', () => {
  const app: App = Testing.app();
  void app;
  const json = shipped('testing').platform;
  expect(json.terraform.backend).toEqual({ local: { path: '../../../terraform-state/terraform.testing-platform.tfstate' } });
});

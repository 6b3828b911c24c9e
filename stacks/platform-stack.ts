import { TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { Fn } from 'cdktf';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { HelmProvider } from '@cdktf/provider-helm/lib/provider';
import { Environment } from '../environments/schema';
import { Namespaces, NamespaceSpec } from '../constructs/kubernetes/namespaces';
import { StorageClasses } from '../constructs/kubernetes/storage-classes';
import { NodePlacement, placementFor } from '../constructs/nodepools/placement';
import { CloudOutputs } from './cloud-stack';
import { configureBackend } from './backend';
import { namesFor } from './naming';

/** The namespaces of the platform and the Pod Security level each enforces. */
export const PLATFORM_NAMESPACES: readonly NamespaceSpec[] = [
  { name: 'toronto-ai', podSecurity: 'restricted' },
  { name: 'data', podSecurity: 'restricted' },
  { name: 'vault', podSecurity: 'restricted' },
  {
    name: 'monitoring',
    podSecurity: 'privileged',
    reason: 'node-exporter reads host metrics through hostNetwork, hostPID and host paths',
  },
  {
    name: 'logging',
    podSecurity: 'privileged',
    reason: 'the log shipper reads container logs from the host file system',
  },
  {
    name: 'security',
    podSecurity: 'privileged',
    reason: 'intrusion detection and malware scanning read the host (kernel events, file systems)',
  },
];

/**
 * The `<env>-platform` stack: what runs inside the cluster. Its kubernetes and helm providers are
 * configured from the cloud stack's outputs (cross-stack references) and authenticate with
 * `aws eks get-token`, so no credential is ever stored in the configuration.
 */
export class PlatformStack extends TerraformStack {
  readonly namespaces: Namespaces;
  readonly storageClasses: StorageClasses;
  readonly cloud: CloudOutputs;

  constructor(scope: Construct, env: Environment, cloud: CloudOutputs) {
    const names = namesFor(env);
    super(scope, names.platformStack);
    configureBackend(this, env, names.platformStack);
    this.cloud = cloud;

    const exec = {
      apiVersion: 'client.authentication.k8s.io/v1beta1',
      command: 'aws',
      args: ['eks', 'get-token', '--cluster-name', cloud.clusterName, '--region', cloud.region],
    };
    const clusterCaCertificate = Fn.base64decode(cloud.clusterCertificateAuthorityData);
    new KubernetesProvider(this, 'kubernetes', { host: cloud.clusterEndpoint, clusterCaCertificate, exec: [exec] });
    new HelmProvider(this, 'helm', { kubernetes: { host: cloud.clusterEndpoint, clusterCaCertificate, exec } });

    this.namespaces = new Namespaces(this, 'namespaces', {
      namespaces: PLATFORM_NAMESPACES,
      commonLabels: { 'toronto-ai.io/environment': env.name, 'app.kubernetes.io/managed-by': 'cdktf' },
    });
    this.storageClasses = new StorageClasses(this, 'storage-classes', { volumesKeyArn: cloud.volumesKeyArn });
  }

  /** Where workloads meant for `pool` run in this environment (see constructs/nodepools/placement.ts). */
  placement(pool: string): NodePlacement {
    return placementFor(pool, this.cloud.nodePools);
  }
}

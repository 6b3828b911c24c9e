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
import { setPolicyTier } from '../constructs/policy/tier';
import { namesFor } from './naming';
import { addDataExporters, addObservability, ObservabilityParts } from './parts/observability';
import { DatabaseExporters } from '../constructs/observability/exporters';
import { addVelero } from './parts/velero';
import { addDataPlatform, DataPlatform } from './parts/data-platform';
import { addApp, AppPlatform } from './parts/app';
import { Velero } from '../constructs/backup/velero';
import { protectDataUnder } from '../constructs/common/protection';

/** The namespaces of the platform and the Pod Security level each enforces. */
export const PLATFORM_NAMESPACES: readonly NamespaceSpec[] = [
  // Pods of the app get the load balancer's readiness gate: Ready only once the target group sees them healthy.
  { name: 'toronto-ai', podSecurity: 'restricted', labels: { 'elbv2.k8s.aws/pod-readiness-gate-inject': 'enabled' } },
  { name: 'data', podSecurity: 'restricted' },
  { name: 'vault', podSecurity: 'restricted' },
  {
    name: 'vector',
    podSecurity: 'baseline',
    reason: 'the chromadb chart applies one securityContext to both pod and container, so the restricted-only fields (container: allowPrivilegeEscalation, capabilities; pod: fsGroup) cannot be set, and Chroma writes its volume as root',
  },
  // External Secrets Operator: syncs person-provided values from AWS Secrets Manager.
  { name: 'external-secrets', podSecurity: 'restricted' },
  // Velero without the node agent (no file-system backup): every pod is restricted-compliant.
  { name: 'velero', podSecurity: 'restricted' },
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
  readonly observability: ObservabilityParts;
  /** OBS-3: PostgreSQL and MongoDB exporters, after the data services (stacks/parts/observability.ts). */
  readonly exporters: DatabaseExporters;
  /** BAK-2 cluster backups (stacks/parts/velero.ts). */
  readonly velero: Velero;
  /** DATA-1..3, SEC-1: PostgreSQL, MongoDB, ChromaDB, Vault and their backups (stacks/parts/data-platform.ts). */
  readonly data: DataPlatform;
  /** APP-1..3, ENV-4, K8S-3, SEC-4: the application, beta channel, autoscaling, load balancer binding (stacks/parts/app.ts). */
  readonly app: AppPlatform;

  constructor(scope: Construct, env: Environment, cloud: CloudOutputs) {
    const names = namesFor(env);
    super(scope, names.platformStack);
    setPolicyTier(this, env.tier);
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
    this.observability = addObservability(this, env);
    this.velero = addVelero(this, env);
    this.data = addDataPlatform(this, env, { monitoringDependsOn: [this.observability.monitoring.release.release] });
    this.exporters = addDataExporters(this, this.data);
    this.app = addApp(this, env, { vault: this.data.vault });
    // BAK-4: the data-owning releases and the namespaces that hold data (the shared classification).
    protectDataUnder(this, env.protectState, env.unprotect);
  }

  /** Where workloads meant for `pool` run in this environment (see constructs/nodepools/placement.ts). */
  placement(pool: string): NodePlacement {
    return placementFor(pool, this.cloud.nodePools);
  }
}

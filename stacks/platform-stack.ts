import { TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { Fn } from 'cdktf';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { HelmProvider } from '@cdktf/provider-helm/lib/provider';
import { Environment } from '../environments/schema';
import { Namespaces, NamespaceSpec } from '../constructs/kubernetes/namespaces';
import { StorageClasses } from '../constructs/kubernetes/storage-classes';
import { VolumeSnapshotClass } from '../constructs/kubernetes/volume-snapshot-class';
import { ROTATING_VOLUME_SNAPSHOT_CLASS, VOLUME_SNAPSHOT_CLASS } from '../features/cluster-addons/contract';
import { PRODUCTION_LIKE_TIERS } from '../environments/catalog';
import { NodePlacement, placementFor } from '../constructs/nodepools/placement';
import { configureBackend } from './backend';
import { setPolicyTier } from '../constructs/policy/tier';
import { namesFor } from '../features/naming';
import { CloudOutputs, PlatformContext } from '../features/context';
import { addBackupAlerts, addDataExporters, addObservability, ObservabilityParts } from '../features/observability/platform';
import { DatabaseExporters } from '../constructs/observability/exporters';
import { addVelero } from '../features/backups/platform';
import { addDataPlatform, DataPlatform } from '../features/data/platform';
import { addApp, AppPlatform } from '../features/app/platform';
import { addServices, ServicesPlatform } from '../features/services/platform';
import { platformFlows } from '../features/flows';
import { addNetworkPolicies } from '../features/network-policies';
import { NamespaceNetworkPolicies } from '../constructs/kubernetes/network-policies';
import { Velero } from '../constructs/backup/velero';
import { protectDataUnder } from '../constructs/common/protection';

/** The namespaces of the platform and the Pod Security level each enforces. */
export const PLATFORM_NAMESPACES: readonly NamespaceSpec[] = [
  // Pods of the app get the load balancer's readiness gate: Ready only once the target group sees them healthy.
  { name: 'toronto-ai', podSecurity: 'restricted', labels: { 'elbv2.k8s.aws/pod-readiness-gate-inject': 'enabled' } },
  { name: 'data', podSecurity: 'restricted' },
  { name: 'vault', podSecurity: 'restricted' },
  // Chroma from charts/chroma (non-root, read-only root filesystem), its gateway, backup and token jobs.
  { name: 'vector', podSecurity: 'restricted' },
  // The service tier's controllers and the AI service (features/services).
  { name: 'argo-rollouts', podSecurity: 'restricted' },
  { name: 'keda', podSecurity: 'restricted' },
  { name: 'ai-inference', podSecurity: 'restricted' },
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
  /** Issue 13: the EBS CSI VolumeSnapshotClass (Retain in staging/production). */
  readonly volumeSnapshotClass: VolumeSnapshotClass;
  readonly cloud: CloudOutputs;
  readonly observability: ObservabilityParts;
  /** OBS-3: PostgreSQL and MongoDB exporters, after the data services (features/observability/platform.ts). */
  readonly exporters: DatabaseExporters;
  /** BAK-2 cluster backups (features/backups/platform.ts). */
  readonly velero: Velero;
  /** DATA-1..3, SEC-1: PostgreSQL, MongoDB, ChromaDB, Vault and their backups (features/data/platform.ts). */
  readonly data: DataPlatform;
  /** APP-1..3, ENV-4, K8S-3, SEC-4: the application, beta channel, autoscaling, load balancer binding (features/app/platform.ts). */
  readonly app: AppPlatform;
  /** The service tier, its controllers and the releases that roll themselves back (features/services/platform.ts). */
  readonly services: ServicesPlatform;
  /** SEC-4: default-deny and the flows' allow rules of every platform namespace (features/network-policies.ts). */
  readonly networkPolicies: Record<string, NamespaceNetworkPolicies>;

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
    // Issue 13: CSI volume snapshots (the CRDs and controller are the cloud stack's EKS add-on).
    this.volumeSnapshotClass = new VolumeSnapshotClass(this, 'volume-snapshot-class', {
      name: VOLUME_SNAPSHOT_CLASS,
      rotatingName: ROTATING_VOLUME_SNAPSHOT_CLASS,
      deletionPolicy: PRODUCTION_LIKE_TIERS.includes(env.tier) ? 'Retain' : 'Delete',
      controllerAddonVersion: cloud.snapshotControllerVersion,
      tags: { 'toronto-ai.io/environment': env.name },
    });

    // The foundation is complete: every feature gets it, and only it.
    const ctx: PlatformContext = {
      scope: this,
      env,
      names,
      cloud,
      namespaces: this.namespaces,
      storageClasses: this.storageClasses,
      volumeSnapshots: {
        className: this.volumeSnapshotClass.name,
        rotatingClassName: this.volumeSnapshotClass.rotatingName,
        release: this.volumeSnapshotClass.release.release,
      },
      flows: platformFlows(env),
      placement: (pool) => this.placement(pool),
    };
    // SEC-4: default deny in every platform namespace, allows generated from the flows.
    this.networkPolicies = addNetworkPolicies(ctx, ctx.flows);
    this.observability = addObservability(ctx);
    this.velero = addVelero(ctx);
    this.data = addDataPlatform(ctx, { monitoringDependsOn: [this.observability.monitoring.release.release], externalSecrets: this.observability.externalSecrets });
    this.exporters = addDataExporters(ctx, this.observability.monitoring, this.data);
    addBackupAlerts(ctx, this.observability.monitoring, this.data);
    this.app = addApp(ctx, { vault: this.data.vault });
    this.services = addServices(ctx, {
      apps: { stable: this.app.app, ...(this.app.beta ? { beta: this.app.beta } : {}) },
      podPrerequisites: this.app.podPrerequisites,
      monitoring: this.observability.monitoring.release.release,
      loadBalancerController: this.app.loadBalancerController.release,
    });
    // BAK-4: the data-owning releases and the namespaces that hold data (the shared classification).
    protectDataUnder(this, env.protectState, env.unprotect);
  }

  /** Where workloads meant for `pool` run in this environment (see constructs/nodepools/placement.ts). */
  placement(pool: string): NodePlacement {
    return placementFor(pool, this.cloud.nodePools);
  }
}

/**
 * What a stack hands its features: the foundation it built once (providers, keys, network,
 * cluster, alert topic; namespaces, storage classes, placement), the definition and the names
 * derived from it. A feature builds its constructs under `scope` and reads everything else from
 * the context: it never receives the half-built stack, so nothing depends on the order of the
 * statements in a stack's constructor beyond what the context's types already require.
 */
import { Construct } from 'constructs';
import { ITerraformDependable } from 'cdktf';
import { Environment } from '../environments/schema';
import { EncryptionKey } from '../constructs/kms/kms-key';
import { Network } from '../constructs/network/network';
import { Cluster } from '../constructs/cluster/cluster';
import { AlertTopic } from '../constructs/observability/alert-topic';
import { Namespaces } from '../constructs/kubernetes/namespaces';
import { NodePlacement } from '../constructs/nodepools/placement';
import { namesFor } from './naming';
import type { Flow } from './flows';
import type { ChannelName } from './app/contract';
import type { QueueKey } from './services/contract';

declare const crossStack: unique symbol;

/**
 * A value the platform stack reads from the cloud stack: a Terraform reference to an output of
 * the other stack's state, resolved at apply (cdktf writes a `terraform_remote_state` read and an
 * output). Only `crossStackValue` makes one, so a literal cannot pass for a remote read and a
 * reader sees at the type which values come from the other stack.
 */
export type CrossStack<T> = T & { readonly [crossStack]: true };

/** Marks a value of the cloud stack as one the platform stack reads across stacks. */
export function crossStackValue<T>(value: T): CrossStack<T> {
  return value as CrossStack<T>;
}

/** The names derived from the definition (features/naming.ts). */
export type Names = ReturnType<typeof namesFor>;

/** What the platform stack reads from the cloud stack. */
export interface CloudOutputs {
  /** Known at synth (from the definition): the same literal in both stacks. */
  readonly region: string;
  readonly clusterName: CrossStack<string>;
  readonly clusterEndpoint: CrossStack<string>;
  /** Base64 PEM of the cluster CA, as EKS returns it. */
  readonly clusterCertificateAuthorityData: CrossStack<string>;
  readonly vpcId: CrossStack<string>;
  readonly volumesKeyArn: CrossStack<string>;
  /**
   * Issue 13: the build of the EKS snapshot-controller add-on, which installs the
   * snapshot.storage.k8s.io CRDs. The VolumeSnapshotClass reads it, so the platform stack's use of
   * those CRDs is tied to the add-on (stacks/platform-stack.ts, scripts/dependency-order.ts).
   */
  readonly snapshotControllerVersion: CrossStack<string>;
  readonly backupsKeyArn: CrossStack<string>;
  /** BAK-1 backup bucket (features/backups/cloud.ts); each backup job writes under its own prefix. */
  readonly backupBucketName: CrossStack<string>;
  readonly backupBucketArn: CrossStack<string>;
  /** Target groups of the public load balancer by channel (`app`, `beta`): TargetGroupBindings point the pods at them. */
  readonly targetGroupArns: Readonly<Partial<Record<'app' | 'beta' | 'ws' | 'bws', CrossStack<string>>>>;
  /** DATA-4: Redis primary endpoint (TLS). */
  readonly redisEndpoint: CrossStack<string>;
  /** DATA-4: the cache's replication group id (IAM auth tokens are signed for it) and port. */
  readonly redisReplicationGroupId: CrossStack<string>;
  readonly redisPort: number;
  /** DATA-4: the cache user of each application channel, by channel name. */
  readonly redisUsers: Readonly<Record<string, CrossStack<string>>>;
  /** Pools that exist in this environment, by key (known at synth). */
  readonly nodePools: readonly string[];
  /** Service tier (features/services/cloud.ts): the SQS queue URLs of each channel the environment runs, by queue. */
  readonly serviceQueueUrls: Readonly<Partial<Record<ChannelName, Readonly<Record<QueueKey, CrossStack<string>>>>>>;
  /** The application's files bucket; each channel reads and writes under `filesPrefix(channel)` only. */
  readonly filesBucketName: CrossStack<string>;
  /** The AI service's model store; models live under MODEL_STORE_PREFIX. */
  readonly modelStoreBucketName: CrossStack<string>;
  /** SES configuration set every message from the sender's identity goes through (SESv2 `ConfigurationSetName`). */
  readonly emailConfigurationSetName: CrossStack<string>;
  /** ECR repository URLs of the release images: `app` (the application's), `agents` (the JacLang runtime). */
  readonly imageRepositoryUrls: Readonly<Record<'app' | 'agents', CrossStack<string>>>;
}

/** The foundation of the cloud stack, built once before any feature. */
export interface CloudContext {
  readonly scope: Construct;
  readonly env: Environment;
  readonly names: Names;
  readonly accountId: string;
  readonly network: Network;
  readonly cluster: Cluster;
  readonly keys: Readonly<Record<'secrets' | 'volumes' | 'logs' | 'backups', EncryptionKey>>;
  /** SNS topic of the stack's alarms and security findings (OBS-2, SEC-3). */
  readonly alerts: AlertTopic;
}

/** The foundation of the platform stack, built once before any feature. */
export interface PlatformContext {
  readonly scope: Construct;
  readonly env: Environment;
  readonly names: Names;
  readonly cloud: CloudOutputs;
  readonly namespaces: Namespaces;
  readonly storageClasses: { readonly statefulName: string; readonly stateful: ITerraformDependable };
  /**
   * Issue 13: the VolumeSnapshotClasses (`className`: Retain in staging/production;
   * `rotatingClassName`: Delete, for scheduled snapshots pruned by count) and the release that
   * creates them.
   */
  readonly volumeSnapshots: { readonly className: string; readonly rotatingClassName: string; readonly release: ITerraformDependable };
  /** Every connection between the platform's parts (features/flows.ts): allow rules are generated from it. */
  readonly flows: readonly Flow[];
  /** Where workloads meant for `pool` run in this environment (constructs/nodepools/placement.ts). */
  placement(pool: string): NodePlacement;
}

import { Construct } from 'constructs';
import { ITerraformDependable } from 'cdktf';
import { NetworkPolicyV1 } from '@cdktf/provider-kubernetes/lib/network-policy-v1';
import { ChartRelease } from '../helm/chart-release';
import { CHARTS } from '../helm/charts';
import { NodePlacement } from '../nodepools/placement';
import { BackupCronJob } from './backup-cron-job';
import { ComputeResources } from './postgres';

export interface ChromaProps {
  readonly namespace: string;
  /** Release and StatefulSet name: pods `<name>-<i>`, volumes `data-<name>-<i>`, service `<name>`. */
  readonly name: string;
  /**
   * Independent single-node Chroma servers. Chroma's single-node server does not replicate: each
   * replica has its own data (the application partitions collections across them).
   */
  readonly replicas: number;
  readonly imageTag: string;
  readonly storageGiB: number;
  readonly storageClass: string;
  readonly compute: ComputeResources;
  readonly placement: NodePlacement;
  /**
   * Labels of the only pods (in this namespace) that may reach the Chroma API: its authenticating
   * gateway (constructs/data/chroma-gateway.ts). Chroma >= 1.0 has no authentication of its own
   * (the chart's `chromadb.auth.*` values apply to pre-1.0 servers only), so clients go through
   * the gateway and cannot reach Chroma's pods directly.
   */
  readonly clientPods: Readonly<Record<string, string>>;
  readonly backup: {
    readonly schedule: string;
    readonly bucket: string;
    readonly region: string;
    readonly prefix: string;
    readonly serviceAccountName: string;
    readonly awsCliImage: string;
  };
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * DATA-3: ChromaDB from the maintained single-node chart, on the vector pool, one retained,
 * encrypted volume per replica (kept when the StatefulSet is deleted). Not highly available: a
 * replica is one server with its own data. A CronJob per replica copies that replica's data
 * directory to `s3://<bucket>/<prefix>/<replica>/` from the node the replica runs on (the volume is
 * ReadWriteOnce, mounted read-only by the job); the copy is crash-consistent, and the Velero
 * volume snapshots are the point-in-time copy.
 *
 * Chroma >= 1.0 has no authentication; a NetworkPolicy admits only the gateway's pods on 8000.
 *
 * Pod security: the chart applies `podSpec.securityContext` to both the pod and the container, so
 * only fields valid at both levels are set (seccomp); the namespace enforces `baseline`.
 */
export class Chroma extends Construct {
  readonly release: ChartRelease;
  readonly backupJobs: BackupCronJob[] = [];
  readonly serviceHost: string;
  readonly networkPolicy: NetworkPolicyV1;

  constructor(scope: Construct, id: string, props: ChromaProps) {
    super(scope, id);
    if (props.replicas < 1 || props.replicas > 3) {
      throw new Error(`${this.node.path}: 'replicas' must be 1 to 3. Got: ${props.replicas}`);
    }
    const persistDirectory = '/data';
    this.release = new ChartRelease(this, 'release', {
      name: props.name,
      namespace: props.namespace,
      chart: CHARTS.chromadb,
      values: {
        fullnameOverride: props.name,
        replicaCount: props.replicas,
        image: { repository: 'ghcr.io/chroma-core/chroma', tag: props.imageTag, pullPolicy: 'IfNotPresent' },
        resources: { requests: { ...props.compute }, limits: { ...props.compute } },
        nodeSelector: props.placement.nodeSelector,
        tolerations: props.placement.tolerations,
        podSpec: { securityContext: { seccompProfile: { type: 'RuntimeDefault' } } },
        serviceAccount: { create: true, automountServiceAccountToken: false },
        chromadb: {
          isPersistent: true,
          persistDirectory,
          allowReset: false,
          anonymizedTelemetry: false,
          data: {
            volumeSize: `${props.storageGiB}Gi`,
            storageClass: props.storageClass,
            accessModes: ['ReadWriteOnce'],
            retentionPolicyOnDelete: 'Retain',
          },
        },
      },
      dependsOn: props.dependsOn,
    });
    this.release.suppressRendered(
      'StatefulSet/chroma',
      'TAI-K8S-1',
      'chromadb chart 0.2.2 renders one podSpec.securityContext as both the pod and the container context: allowPrivilegeEscalation (container-only) and fsGroup (pod-only, needed for a non-root user to write the data volume) cannot both be valid there. Not fixable through this chart: needs a chart change (tracked in the README)',
    );
    this.serviceHost = `${props.name}.${props.namespace}.svc`;

    this.networkPolicy = new NetworkPolicyV1(this, 'network-policy', {
      metadata: { name: `${props.name}-clients`, namespace: props.namespace },
      spec: {
        podSelector: { matchLabels: { 'app.kubernetes.io/instance': props.name } },
        policyTypes: ['Ingress'],
        ingress: [
          {
            from: [{ podSelector: { matchLabels: { ...props.clientPods } } }],
            ports: [{ port: '8000', protocol: 'TCP' }],
          },
        ],
      },
    });

    for (let i = 0; i < props.replicas; i++) {
      const pod = `${props.name}-${i}`;
      this.backupJobs.push(
        new BackupCronJob(this, `backup-${i}`, {
          name: `${pod}-backup`,
          namespace: props.namespace,
          serviceAccountName: props.backup.serviceAccountName,
          schedule: props.backup.schedule,
          awsCliImage: props.backup.awsCliImage,
          volume: { claimName: `data-${pod}`, mountPath: persistDirectory },
          uploadFrom: persistDirectory,
          colocateWith: { 'statefulset.kubernetes.io/pod-name': pod },
          bucket: props.backup.bucket,
          region: props.backup.region,
          prefix: `${props.backup.prefix}/${pod}`,
          placement: props.placement,
          createServiceAccount: i === 0,
          dependsOn: [this.release.release],
        }),
      );
    }
  }
}

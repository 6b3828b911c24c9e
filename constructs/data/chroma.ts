import { Construct } from 'constructs';
import { ITerraformDependable } from 'cdktf';
import { NetworkPolicyV1 } from '@cdktf/provider-kubernetes/lib/network-policy-v1';
import { LocalChartRelease } from './local-chart-release';
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
 * The labels the amikos chromadb chart 0.2.2 gave the pods (selector) and the volume claim
 * template of the `chroma` StatefulSet. Neither can change on an existing StatefulSet, so the
 * project's own chart (charts/chroma) keeps them verbatim: the release upgrades in place and the
 * claims `data-<name>-<i>` stay bound to the same volumes.
 */
export function legacyChartLabels(name: string, claimsAppVersion = '1.5.3'): { readonly selector: Record<string, string>; readonly claims: Record<string, string> } {
  const selector = { 'app.kubernetes.io/name': 'chromadb', 'app.kubernetes.io/instance': name };
  return {
    selector,
    claims: { ...selector, 'helm.sh/chart': 'chromadb-0.2.2', 'app.kubernetes.io/version': claimsAppVersion, 'app.kubernetes.io/managed-by': 'Helm' },
  };
}

/** The numeric user and group Chroma runs as (its image declares no user, so root otherwise). */
export const CHROMA_USER = 1000;
export const CHROMA_GROUP = 1000;

/**
 * DATA-3: ChromaDB (the single-node Rust server) from the project's own chart (charts/chroma), on
 * the vector pool, one retained, encrypted volume per replica (kept when the StatefulSet is
 * deleted). Not highly available: a replica is one server with its own data. A CronJob per
 * replica copies that replica's data directory to `s3://<bucket>/<prefix>/<replica>/` from the
 * node the replica runs on (the volume is ReadWriteOnce, mounted read-only by the job, which reads
 * as a member of Chroma's group); the copy is crash-consistent, and the Velero volume snapshots
 * are the point-in-time copy.
 *
 * Chroma >= 1.0 has no authentication; a NetworkPolicy admits only the gateway's pods on 8000.
 *
 * Pod security `restricted`: numeric non-root user and group, fsGroup for the data volume, no
 * privilege escalation, every capability dropped, seccomp RuntimeDefault, read-only root
 * filesystem. Chroma 1.x single-node writes only under its persist directory (SQLite database and
 * WAL, HNSW segment files); SQLite's temporary files go to an emptyDir at /tmp.
 */
export class Chroma extends Construct {
  readonly release: LocalChartRelease;
  readonly backupJobs: BackupCronJob[] = [];
  readonly serviceHost: string;
  readonly networkPolicy: NetworkPolicyV1;
  /** Names of the data volume claims, one per replica (`data-<name>-<i>`). */
  readonly claimNames: readonly string[];

  constructor(scope: Construct, id: string, props: ChromaProps) {
    super(scope, id);
    if (props.replicas < 1 || props.replicas > 3) {
      throw new Error(`${this.node.path}: 'replicas' must be 1 to 3. Got: ${props.replicas}`);
    }
    const persistDirectory = '/data';
    const labels = legacyChartLabels(props.name);
    // charts/chroma's volume claim template is `data`: claims `data-<name>-<i>`.
    this.claimNames = Array.from({ length: props.replicas }, (_, i) => `data-${props.name}-${i}`);
    // Construct id 'release' as before: the helm_release keeps its Terraform address, so the
    // switch from the chromadb chart is a `helm upgrade` of the same release (README).
    this.release = new LocalChartRelease(this, 'release', {
      name: props.name,
      namespace: props.namespace,
      chart: 'chroma',
      values: {
        name: props.name,
        replicas: props.replicas,
        image: { repository: 'ghcr.io/chroma-core/chroma', tag: props.imageTag },
        selectorLabels: labels.selector,
        volumeClaimLabels: labels.claims,
        persistPath: persistDirectory,
        resources: { requests: { ...props.compute }, limits: { ...props.compute } },
        nodeSelector: props.placement.nodeSelector,
        tolerations: props.placement.tolerations,
        runAsUser: CHROMA_USER,
        runAsGroup: CHROMA_GROUP,
        volume: { size: `${props.storageGiB}Gi`, storageClass: props.storageClass },
      },
      dependsOn: props.dependsOn,
    });
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
          volume: { claimName: this.claimNames[i], mountPath: persistDirectory, readAsGroup: CHROMA_GROUP },
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

import { Construct } from 'constructs';
import { ITerraformDependable } from 'cdktf';
import { EksAddon } from '@cdktf/provider-aws/lib/eks-addon';
import { WorkloadRole } from '../identity/workload-role';
import { PolicyStatement } from '../common/iam';

export type AddonName = 'vpc-cni' | 'kube-proxy' | 'coredns' | 'eks-pod-identity-agent' | 'aws-ebs-csi-driver' | 'snapshot-controller';

export interface ClusterAddonsProps {
  readonly clusterName: string;
  /** ARN of the cluster and its account (the add-ons' Pod Identity roles trust only its sessions). */
  readonly clusterArn: string;
  readonly accountId: string;
  /** Pinned add-on builds (`v1.20.4-eksbuild.2`...), one per add-on. */
  readonly versions: Readonly<Record<AddonName, string>>;
  /** KMS key (ARN) the EBS CSI driver encrypts volumes with. */
  readonly volumesKeyArn: string;
  /** Prefix of the IAM role names. */
  readonly namePrefix: string;
}

/**
 * The pinned managed add-ons. Networking and the Pod Identity agent come before any node joins;
 * CoreDNS and the EBS CSI driver after the nodes, since they need somewhere to run. The VPC CNI
 * and EBS CSI driver get their AWS permissions through Pod Identity, not through the node role.
 */
export class ClusterAddons extends Construct {
  /** Add-ons nodes need before they can become Ready. */
  readonly beforeNodes: EksAddon[];
  readonly addons: Partial<Record<AddonName, EksAddon>>;
  private readonly common: { clusterName: string; resolveConflictsOnCreate: string; resolveConflictsOnUpdate: string };
  private readonly versions: Readonly<Record<AddonName, string>>;
  readonly ebsCsiRole: WorkloadRole;
  readonly vpcCniRole: WorkloadRole;

  constructor(scope: Construct, id: string, props: ClusterAddonsProps) {
    super(scope, id);
    const common = {
      clusterName: props.clusterName,
      resolveConflictsOnCreate: 'OVERWRITE',
      resolveConflictsOnUpdate: 'PRESERVE',
    };
    this.vpcCniRole = new WorkloadRole(this, 'vpc-cni-role', {
      roleName: `${props.namePrefix}-vpc-cni`,
      clusterName: props.clusterName,
      clusterArn: props.clusterArn,
      accountId: props.accountId,
      namespace: 'kube-system',
      serviceAccount: 'aws-node',
      managedPolicies: ['AmazonEKS_CNI_Policy'],
      associate: false,
    });
    const kmsForVolumes: PolicyStatement[] = [
      {
        Sid: 'UseVolumesKey',
        Effect: 'Allow',
        Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey'],
        Resource: props.volumesKeyArn,
      },
      {
        Sid: 'GrantVolumesKeyToEbs',
        Effect: 'Allow',
        Action: ['kms:CreateGrant', 'kms:ListGrants', 'kms:RevokeGrant'],
        Resource: props.volumesKeyArn,
        Condition: { Bool: { 'kms:GrantIsForAWSResource': true } },
      },
    ];
    this.ebsCsiRole = new WorkloadRole(this, 'ebs-csi-role', {
      roleName: `${props.namePrefix}-ebs-csi`,
      clusterName: props.clusterName,
      clusterArn: props.clusterArn,
      accountId: props.accountId,
      namespace: 'kube-system',
      serviceAccount: 'ebs-csi-controller-sa',
      managedPolicies: ['AmazonEBSCSIDriverPolicy'],
      statements: kmsForVolumes,
      associate: false,
    });
    const podIdentity = new EksAddon(this, 'eks-pod-identity-agent', {
      ...common,
      addonName: 'eks-pod-identity-agent',
      addonVersion: props.versions['eks-pod-identity-agent'],
    });
    const vpcCni = new EksAddon(this, 'vpc-cni', {
      ...common,
      addonName: 'vpc-cni',
      addonVersion: props.versions['vpc-cni'],
      // NetworkPolicy enforcement (SEC-4) through the CNI's network policy agent.
      configurationValues: JSON.stringify({ enableNetworkPolicy: 'true' }),
      podIdentityAssociation: [{ roleArn: this.vpcCniRole.roleArn, serviceAccount: 'aws-node' }],
      dependsOn: [podIdentity],
    });
    const kubeProxy = new EksAddon(this, 'kube-proxy', {
      ...common,
      addonName: 'kube-proxy',
      addonVersion: props.versions['kube-proxy'],
    });
    this.beforeNodes = [podIdentity, vpcCni, kubeProxy];
    this.common = common;
    this.versions = props.versions;
    this.addons = { 'eks-pod-identity-agent': podIdentity, 'vpc-cni': vpcCni, 'kube-proxy': kubeProxy };
  }

  /**
   * Issue 13: the CSI snapshot controller (EKS add-on `snapshot-controller`): the
   * snapshot.storage.k8s.io CRDs (VolumeSnapshot, VolumeSnapshotClass, VolumeSnapshotContent) and
   * the controller that turns a VolumeSnapshot into a snapshot by the EBS CSI driver. Needs no AWS
   * permission of its own: the EBS CSI driver's role creates and deletes the EBS snapshots.
   * Set by `addNodeDependentAddons`.
   */
  snapshotController?: EksAddon;

  /**
   * CoreDNS, the EBS CSI driver and the snapshot controller run on nodes: they are created after
   * the node groups, or their creation would wait for a healthy status that no node can give yet.
   */
  addNodeDependentAddons(nodeGroups: ITerraformDependable[]): void {
    this.addons.coredns = new EksAddon(this, 'coredns', {
      ...this.common,
      addonName: 'coredns',
      addonVersion: this.versions.coredns,
      dependsOn: nodeGroups,
    });
    this.addons['aws-ebs-csi-driver'] = new EksAddon(this, 'aws-ebs-csi-driver', {
      ...this.common,
      addonName: 'aws-ebs-csi-driver',
      addonVersion: this.versions['aws-ebs-csi-driver'],
      podIdentityAssociation: [{ roleArn: this.ebsCsiRole.roleArn, serviceAccount: 'ebs-csi-controller-sa' }],
      dependsOn: nodeGroups,
    });
    // After the EBS CSI driver: its csi-snapshotter sidecar does the snapshots the controller asks for.
    this.snapshotController = new EksAddon(this, 'snapshot-controller', {
      ...this.common,
      addonName: 'snapshot-controller',
      addonVersion: this.versions['snapshot-controller'],
      dependsOn: [...nodeGroups, this.addons['aws-ebs-csi-driver']],
    });
    this.addons['snapshot-controller'] = this.snapshotController;
  }
}

import { Construct } from 'constructs';
import { Fn } from 'cdktf';
import { EksCluster } from '@cdktf/provider-aws/lib/eks-cluster';
import { EksAccessEntry } from '@cdktf/provider-aws/lib/eks-access-entry';
import { EksAccessPolicyAssociation } from '@cdktf/provider-aws/lib/eks-access-policy-association';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { IamOpenidConnectProvider } from '@cdktf/provider-aws/lib/iam-openid-connect-provider';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { managedPolicyArn, policyDocument, serviceTrustPolicy } from '../common/iam';
import { protectFromDestroy } from '../common/protection';

/** Every control-plane log type EKS offers (K8S-1). */
export const CONTROL_PLANE_LOG_TYPES = ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'];

export interface ClusterProps {
  readonly name: string;
  /** Kubernetes minor version, e.g. `1.35`. */
  readonly version: string;
  /** Subnets of the control-plane ENIs (the private tier). */
  readonly subnetIds: string[];
  /**
   * CIDRs allowed on the public endpoint. Empty: the public endpoint is off and the API is
   * reached only from inside the VPC (SSM port forwarding, VPN).
   */
  readonly publicAccessCidrs: readonly string[];
  /** KMS key (ARN) encrypting Kubernetes secrets (envelope encryption). */
  readonly secretsKeyArn: string;
  /** KMS key (ARN) encrypting the control-plane log group. */
  readonly logsKeyArn: string;
  readonly logRetentionDays: number;
  /** IAM roles granted cluster-admin through access entries (no aws-auth ConfigMap). */
  readonly adminPrincipalArns: readonly string[];
  /** BAK-4: prevent_destroy on the cluster and its log group. */
  readonly protect: boolean;
}

/**
 * The EKS control plane (K8S-1): private endpoint, secrets encrypted with a customer key, all
 * control-plane logs to an encrypted, retained group, API authentication through access entries,
 * and an IAM OIDC provider next to Pod Identity for workloads that need IRSA.
 */
export class Cluster extends Construct {
  readonly cluster: EksCluster;
  readonly name: string;
  readonly arn: string;
  readonly endpoint: string;
  readonly certificateAuthorityData: string;
  readonly clusterSecurityGroupId: string;
  readonly oidcIssuerUrl: string;
  readonly oidcProviderArn: string;
  readonly version: string;

  constructor(scope: Construct, id: string, props: ClusterProps) {
    super(scope, id);
    if (props.adminPrincipalArns.length === 0) {
      throw new Error(`${this.node.path}: 'adminPrincipalArns' must name at least one role. Got: []`);
    }
    const role = new IamRole(this, 'role', {
      name: `${props.name}-cluster`,
      assumeRolePolicy: serviceTrustPolicy('eks.amazonaws.com', ['sts:AssumeRole', 'sts:TagSession']),
    });
    new IamRolePolicyAttachment(this, 'role-cluster-policy', {
      role: role.name,
      policyArn: managedPolicyArn('AmazonEKSClusterPolicy'),
    });
    new IamRolePolicy(this, 'role-secrets-key', {
      role: role.id,
      name: 'secrets-envelope-encryption',
      policy: policyDocument([
        {
          Effect: 'Allow',
          Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:ListGrants', 'kms:DescribeKey'],
          Resource: props.secretsKeyArn,
        },
      ]),
    });

    const logGroup = new CloudwatchLogGroup(this, 'control-plane-logs', {
      name: `/aws/eks/${props.name}/cluster`,
      retentionInDays: props.logRetentionDays,
      kmsKeyId: props.logsKeyArn,
    });
    protectFromDestroy(logGroup, props.protect);

    const publicAccess = props.publicAccessCidrs.length > 0;
    this.cluster = new EksCluster(this, 'cluster', {
      name: props.name,
      version: props.version,
      roleArn: role.arn,
      enabledClusterLogTypes: CONTROL_PLANE_LOG_TYPES,
      bootstrapSelfManagedAddons: false,
      vpcConfig: {
        subnetIds: props.subnetIds,
        endpointPrivateAccess: true,
        endpointPublicAccess: publicAccess,
        publicAccessCidrs: publicAccess ? [...props.publicAccessCidrs] : undefined,
      },
      encryptionConfig: { resources: ['secrets'], provider: { keyArn: props.secretsKeyArn } },
      accessConfig: { authenticationMode: 'API', bootstrapClusterCreatorAdminPermissions: false },
      kubernetesNetworkConfig: { ipFamily: 'ipv4', serviceIpv4Cidr: '172.20.0.0/16' },
      upgradePolicy: { supportType: 'STANDARD' },
      dependsOn: [logGroup],
    });
    protectFromDestroy(this.cluster, props.protect);

    props.adminPrincipalArns.forEach((principalArn, i) => {
      const entry = new EksAccessEntry(this, `admin-${i}`, {
        clusterName: this.cluster.name,
        principalArn,
        type: 'STANDARD',
      });
      new EksAccessPolicyAssociation(this, `admin-${i}-policy`, {
        clusterName: this.cluster.name,
        principalArn: entry.principalArn,
        policyArn: 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy',
        accessScope: { type: 'cluster' },
      });
    });

    this.name = this.cluster.name;
    this.arn = this.cluster.arn;
    this.endpoint = this.cluster.endpoint;
    this.certificateAuthorityData = this.cluster.certificateAuthority.get(0).data;
    this.clusterSecurityGroupId = this.cluster.vpcConfig.clusterSecurityGroupId;
    this.version = this.cluster.version;
    this.oidcIssuerUrl = this.cluster.identity.get(0).oidc.get(0).issuer;
    const oidc = new IamOpenidConnectProvider(this, 'oidc', {
      url: this.oidcIssuerUrl,
      clientIdList: ['sts.amazonaws.com'],
    });
    this.oidcProviderArn = oidc.arn;
  }

  /** The issuer host and path (no scheme), as IRSA trust conditions need it. */
  get oidcIssuerHostPath(): string {
    return Fn.replace(this.oidcIssuerUrl, 'https://', '');
  }
}

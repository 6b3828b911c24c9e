/**
 * Deploys from GitHub Actions without stored keys: GitHub's OIDC identity provider (or an
 * existing one), and a deploy role that only jobs of one repository running in one GitHub
 * environment can assume. Its permissions are scoped to the services the stack manages (derived
 * at synth from the stack's own resource types), IAM and S3 to this environment's names, and
 * explicit denies for what the program never does.
 */
import { Construct } from 'constructs';
import { Lazy, TerraformResource, TerraformStack } from 'cdktf';
import { IamOpenidConnectProvider } from '@cdktf/provider-aws/lib/iam-openid-connect-provider';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { EksAccessEntry } from '@cdktf/provider-aws/lib/eks-access-entry';
import { EksAccessPolicyAssociation } from '@cdktf/provider-aws/lib/eks-access-policy-association';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { VpcSecurityGroupEgressRule } from '@cdktf/provider-aws/lib/vpc-security-group-egress-rule';
import { VpcSecurityGroupIngressRule } from '@cdktf/provider-aws/lib/vpc-security-group-ingress-rule';
import { PolicyStatement, policyDocument } from '../common/iam';

/** GitHub's OIDC token issuer (host) and the audience configure-aws-credentials asks for. */
export const GITHUB_OIDC_HOST = 'token.actions.githubusercontent.com';
export const GITHUB_OIDC_AUDIENCE = 'sts.amazonaws.com';

/**
 * The IAM service (action prefix) that manages each Terraform resource type, by type prefix
 * (longest match wins). A resource type the stack uses that matches none of these fails the synth:
 * the deploy role would not be allowed to manage it, and a reviewer should see the new service.
 * `iam` and `s3` are granted separately, scoped to this environment's names.
 */
export const SERVICE_OF_RESOURCE_TYPE: Readonly<Record<string, string>> = {
  aws_acm_: 'acm',
  aws_autoscaling_: 'autoscaling',
  aws_cloudfront_: 'cloudfront',
  aws_cloudtrail: 'cloudtrail',
  aws_cloudwatch_log_: 'logs',
  aws_cloudwatch_metric_alarm: 'cloudwatch',
  aws_cloudwatch_dashboard: 'cloudwatch',
  aws_cloudwatch_event_: 'events',
  aws_default_security_group: 'ec2',
  aws_ec2_: 'ec2',
  aws_ecr_: 'ecr',
  aws_eip: 'ec2',
  aws_eks_: 'eks',
  aws_elasticache_: 'elasticache',
  aws_flow_log: 'ec2',
  aws_guardduty_: 'guardduty',
  aws_iam_: 'iam',
  aws_internet_gateway: 'ec2',
  aws_kms_: 'kms',
  aws_launch_template: 'ec2',
  aws_lb: 'elasticloadbalancing',
  aws_nat_gateway: 'ec2',
  aws_route: 'ec2',
  aws_route53_: 'route53',
  aws_s3_: 's3',
  aws_secretsmanager_: 'secretsmanager',
  aws_security_group: 'ec2',
  aws_sesv2_: 'ses',
  aws_sns_: 'sns',
  aws_sqs_: 'sqs',
  aws_subnet: 'ec2',
  aws_vpc: 'ec2',
  aws_wafv2_: 'wafv2',
};

/** The IAM service of a Terraform resource type, or undefined when the table has none. */
export function serviceOf(resourceType: string): string | undefined {
  const prefix = Object.keys(SERVICE_OF_RESOURCE_TYPE)
    .filter((p) => resourceType === p || resourceType.startsWith(p.endsWith('_') ? p : `${p}_`))
    .sort((a, b) => b.length - a.length)[0];
  return prefix === undefined ? undefined : SERVICE_OF_RESOURCE_TYPE[prefix];
}

/** Services whose roles the AWS service-linked-role mechanism creates on first use. */
const SERVICE_LINKED_ROLE_SERVICES = [
  'eks.amazonaws.com',
  'eks-nodegroup.amazonaws.com',
  'autoscaling.amazonaws.com',
  'elasticloadbalancing.amazonaws.com',
  'elasticache.amazonaws.com',
  'guardduty.amazonaws.com',
  'malware-protection.guardduty.amazonaws.com',
];

export interface TerraformStateAccess {
  /** Bucket of the S3 backend. */
  readonly bucketName: string;
  /** Prefix of the state objects (`<keyPrefix>/<stack>.tfstate`, the lock `<...>.tfstate.tflock`). */
  readonly keyPrefix: string;
  /** KMS keys the state objects are (or may be) encrypted with. */
  readonly kmsKeyArns: readonly string[];
}

export interface GithubDeployRoleProps {
  /** Names the role (`<namePrefix>-github-deploy`); IAM and S3 access is scoped to `<namePrefix>-*`. */
  readonly namePrefix: string;
  readonly accountId: string;
  readonly region: string;
  /** The only repository, and the only GitHub environment, whose jobs may assume the role. */
  readonly repository: { readonly owner: string; readonly name: string };
  readonly githubEnvironment: string;
  /** An existing GitHub OIDC provider of the account (ARN). Left out: this construct creates it. */
  readonly existingOidcProviderArn?: string;
  /** The S3 backend's bucket, state prefix and keys (left out with a local backend). */
  readonly state?: TerraformStateAccess;
  /**
   * The EKS cluster the platform stack deploys into: the role gets a cluster-admin access entry,
   * and a security group for the self-hosted runner inside the VPC may reach the private endpoint.
   */
  readonly cluster?: { readonly name: string; readonly securityGroupId: string; readonly vpcId: string };
  /**
   * Maximum session of the role (seconds); a first deploy of a cluster takes well over an hour.
   * @default 7200
   */
  readonly maxSessionSeconds?: number;
}

/** The `sub` claim GitHub puts in the token of a job running in a GitHub environment. */
export function githubSubject(owner: string, repository: string, environment: string): string {
  return `repo:${owner}/${repository}:environment:${environment}`;
}

export class GithubDeployRole extends Construct {
  readonly role: IamRole;
  readonly roleArn: string;
  readonly roleName: string;
  readonly oidcProviderArn: string;
  /** The `sub` claim the trust policy accepts. */
  readonly subject: string;
  /** Security group the self-hosted runner inside the VPC uses (present with `cluster`). */
  readonly runnerSecurityGroup?: SecurityGroup;

  constructor(scope: Construct, id: string, props: GithubDeployRoleProps) {
    super(scope, id);
    const { accountId, namePrefix } = props;
    this.subject = githubSubject(props.repository.owner, props.repository.name, props.githubEnvironment);
    this.roleName = `${namePrefix}-github-deploy`;
    const selfArn = `arn:aws:iam::${accountId}:role/${this.roleName}`;
    const githubProviderArn = `arn:aws:iam::${accountId}:oidc-provider/${GITHUB_OIDC_HOST}`;

    if (props.existingOidcProviderArn !== undefined) {
      this.oidcProviderArn = props.existingOidcProviderArn;
    } else {
      // No thumbprint: AWS validates GitHub's certificate through its own trusted CAs.
      const provider = new IamOpenidConnectProvider(this, 'github-oidc', {
        url: `https://${GITHUB_OIDC_HOST}`,
        clientIdList: [GITHUB_OIDC_AUDIENCE],
      });
      this.oidcProviderArn = provider.arn;
    }

    this.role = new IamRole(this, 'role', {
      name: this.roleName,
      description: `Deploys ${namePrefix} from GitHub Actions: ${this.subject} only`,
      maxSessionDuration: props.maxSessionSeconds ?? 7200,
      assumeRolePolicy: policyDocument([
        {
          Sid: 'GithubEnvironmentOfThisRepositoryOnly',
          Effect: 'Allow',
          Principal: { Federated: this.oidcProviderArn },
          Action: 'sts:AssumeRoleWithWebIdentity',
          Condition: {
            StringEquals: {
              [`${GITHUB_OIDC_HOST}:aud`]: GITHUB_OIDC_AUDIENCE,
              [`${GITHUB_OIDC_HOST}:sub`]: this.subject,
            },
          },
        },
      ]),
    });
    this.roleArn = this.role.arn;

    const stack = TerraformStack.of(this);
    const managedServices = (): string[] => {
      const services = new Set<string>();
      const unknown = new Set<string>();
      for (const c of stack.node.findAll()) {
        if (!TerraformResource.isTerraformResource(c)) continue;
        const type = (c as TerraformResource).terraformResourceType;
        if (!type.startsWith('aws_')) continue;
        const service = serviceOf(type);
        if (service === undefined) unknown.add(type);
        else services.add(service);
      }
      if (unknown.size > 0) {
        throw new Error(
          `${this.node.path}: the deploy role does not know which IAM service manages ${[...unknown].sort().join(', ')}; ` +
            'add it to SERVICE_OF_RESOURCE_TYPE in constructs/cicd/github-deploy-role.ts',
        );
      }
      services.delete('iam');
      services.delete('s3');
      return [...services].sort();
    };

    const bucketNames = [`${namePrefix}-*`];
    const policy = Lazy.stringValue({
      produce: () => {
        const services = managedServices();
        return policyDocument(deployStatements({ ...props, services, bucketNames, selfArn, githubProviderArn }));
      },
    });
    new IamRolePolicy(this, 'policy', { role: this.role.id, name: 'deploy', policy });

    if (props.cluster) {
      const entry = new EksAccessEntry(this, 'cluster-access', {
        clusterName: props.cluster.name,
        principalArn: this.role.arn,
        type: 'STANDARD',
      });
      new EksAccessPolicyAssociation(this, 'cluster-admin', {
        clusterName: props.cluster.name,
        principalArn: entry.principalArn,
        policyArn: 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy',
        accessScope: { type: 'cluster' },
      });
      // The self-hosted runner that applies the platform stack runs with this security group:
      // HTTPS to the private API endpoint (the cluster security group) and out through the NAT.
      this.runnerSecurityGroup = new SecurityGroup(this, 'runner', {
        name: `${namePrefix}-deploy-runner`,
        description: `${namePrefix}: self-hosted GitHub runner that deploys the platform stack`,
        vpcId: props.cluster.vpcId,
        revokeRulesOnDelete: true,
      });
      new VpcSecurityGroupEgressRule(this, 'runner-https-out', {
        securityGroupId: this.runnerSecurityGroup.id,
        cidrIpv4: '0.0.0.0/0',
        ipProtocol: 'tcp',
        fromPort: 443,
        toPort: 443,
        description: 'HTTPS: the cluster API, AWS APIs, GitHub, chart and image registries',
      });
      new VpcSecurityGroupIngressRule(this, 'api-from-runner', {
        securityGroupId: props.cluster.securityGroupId,
        referencedSecurityGroupId: this.runnerSecurityGroup.id,
        ipProtocol: 'tcp',
        fromPort: 443,
        toPort: 443,
        description: 'Kubernetes API from the deploy runner',
      });
    }
  }
}

interface StatementInputs extends GithubDeployRoleProps {
  readonly services: readonly string[];
  readonly bucketNames: readonly string[];
  readonly selfArn: string;
  readonly githubProviderArn: string;
}

/** Actions on IAM users, credentials and account settings: the program never needs any. */
export const DENIED_IAM_ACTIONS = [
  'iam:*User*',
  'iam:*AccessKey*',
  'iam:*LoginProfile*',
  'iam:*Group*',
  'iam:*SSHPublicKey*',
  'iam:*ServiceSpecificCredential*',
  'iam:*SigningCertificate*',
  'iam:*MFADevice*',
  'iam:*AccountAlias*',
  'iam:*AccountPasswordPolicy*',
  'iam:*SAMLProvider*',
];

/** Organizations, account settings and billing: never touched by the program. */
export const DENIED_ACCOUNT_ACTIONS = [
  'organizations:*',
  'account:*',
  'aws-portal:*',
  'billing:*',
  'payments:*',
  'tax:*',
  'invoicing:*',
  'purchase-orders:*',
  'cur:*',
  'ce:*',
  'budgets:*',
  'support:*',
];

/** Changes that would lose or expose the Terraform state: an administrator makes them, never CI. */
export const DENIED_STATE_BUCKET_ACTIONS = [
  's3:DeleteBucket',
  's3:DeleteBucketPolicy',
  's3:PutBucketPolicy',
  's3:PutBucketVersioning',
  's3:PutLifecycleConfiguration',
  's3:PutEncryptionConfiguration',
  's3:PutBucketPublicAccessBlock',
  's3:PutBucketOwnershipControls',
  's3:PutBucketAcl',
  's3:DeleteObjectVersion',
];

/** The role never changes its own trust or permissions, nor GitHub's identity provider. */
export const DENIED_SELF_ACTIONS = [
  'iam:UpdateAssumeRolePolicy',
  'iam:PutRolePolicy',
  'iam:DeleteRolePolicy',
  'iam:AttachRolePolicy',
  'iam:DetachRolePolicy',
  'iam:PutRolePermissionsBoundary',
  'iam:DeleteRolePermissionsBoundary',
  'iam:UpdateRole',
  'iam:DeleteRole',
];

const ADMIN_POLICY_ARNS = ['AdministratorAccess', 'IAMFullAccess', 'PowerUserAccess'].map((n) => `arn:aws:iam::aws:policy/${n}`);

function deployStatements(p: StatementInputs): PolicyStatement[] {
  const iam = (kind: string, name: string) => `arn:aws:iam::${p.accountId}:${kind}/${name}`;
  const bucketArns = p.bucketNames.flatMap((b) => [`arn:aws:s3:::${b}`, `arn:aws:s3:::${b}/*`]);
  const statements: PolicyStatement[] = [];
  if (p.services.length > 0) {
    statements.push({ Sid: 'ManageTheServicesOfThisStack', Effect: 'Allow', Action: p.services.map((s) => `${s}:*`), Resource: '*' });
  }
  statements.push(
    {
      Sid: 'IamOfThisEnvironmentOnly',
      Effect: 'Allow',
      Action: 'iam:*',
      Resource: [
        iam('role', `${p.namePrefix}-*`),
        iam('policy', `${p.namePrefix}-*`),
        iam('instance-profile', `${p.namePrefix}-*`),
        iam('oidc-provider', `oidc.eks.${p.region}.amazonaws.com/id/*`),
        p.githubProviderArn,
      ],
    },
    {
      Sid: 'ReadIam',
      Effect: 'Allow',
      Action: ['iam:Get*', 'iam:List*'],
      Resource: '*',
    },
    {
      Sid: 'ServiceLinkedRolesOfThoseServices',
      Effect: 'Allow',
      Action: 'iam:CreateServiceLinkedRole',
      Resource: iam('role', 'aws-service-role/*'),
      Condition: { StringEquals: { 'iam:AWSServiceName': [...SERVICE_LINKED_ROLE_SERVICES] } },
    },
    {
      Sid: 'BucketsOfThisEnvironmentOnly',
      Effect: 'Allow',
      Action: 's3:*',
      Resource: bucketArns,
    },
  );
  if (p.state) {
    const bucket = `arn:aws:s3:::${p.state.bucketName}`;
    statements.push(
      {
        // The stack manages the state bucket too: it reads its configuration and keeps its tags
        // and access logging; every change that could lose or expose state is denied below.
        Sid: 'TerraformStateBucketReadAndTags',
        Effect: 'Allow',
        Action: ['s3:ListBucket', 's3:Get*', 's3:PutBucketTagging', 's3:PutBucketLogging'],
        Resource: bucket,
      },
      {
        Sid: 'TerraformStateAndLockObjects',
        Effect: 'Allow',
        Action: ['s3:GetObject', 's3:GetObjectVersion', 's3:PutObject'],
        Resource: [`${bucket}/${p.state.keyPrefix}/*.tfstate`, `${bucket}/${p.state.keyPrefix}/*.tfstate.tflock`],
      },
      {
        Sid: 'TerraformLockRelease',
        Effect: 'Allow',
        Action: 's3:DeleteObject',
        Resource: `${bucket}/${p.state.keyPrefix}/*.tfstate.tflock`,
      },
    );
    if (p.state.kmsKeyArns.length > 0) {
      statements.push({
        Sid: 'TerraformStateKey',
        Effect: 'Allow',
        Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'],
        Resource: [...p.state.kmsKeyArns],
      });
    }
  }
  if (p.cluster) {
    statements.push({
      Sid: 'ReachTheClusterForThePlatformStack',
      Effect: 'Allow',
      Action: ['eks:DescribeCluster'],
      Resource: `arn:aws:eks:${p.region}:${p.accountId}:cluster/${p.cluster.name}`,
    });
  }
  statements.push(
    { Sid: 'NeverIamUsersOrCredentials', Effect: 'Deny', Action: [...DENIED_IAM_ACTIONS], Resource: '*' },
    { Sid: 'NeverOrganizationsAccountOrBilling', Effect: 'Deny', Action: [...DENIED_ACCOUNT_ACTIONS], Resource: '*' },
    {
      Sid: 'NeverItsOwnTrustOrPermissions',
      Effect: 'Deny',
      Action: [...DENIED_SELF_ACTIONS],
      Resource: p.selfArn,
    },
    {
      Sid: 'NeverGithubIdentityProvider',
      Effect: 'Deny',
      Action: ['iam:DeleteOpenIDConnectProvider', 'iam:UpdateOpenIDConnectProviderThumbprint', 'iam:AddClientIDToOpenIDConnectProvider', 'iam:RemoveClientIDFromOpenIDConnectProvider'],
      Resource: p.githubProviderArn,
    },
    {
      Sid: 'NeverAdministratorPolicies',
      Effect: 'Deny',
      Action: 'iam:AttachRolePolicy',
      Resource: '*',
      Condition: { ArnLike: { 'iam:PolicyARN': ADMIN_POLICY_ARNS } },
    },
    {
      Sid: 'NeverTheAuditTrail',
      Effect: 'Deny',
      Action: [
        'cloudtrail:StopLogging',
        'cloudtrail:DeleteTrail',
        'cloudtrail:UpdateTrail',
        'cloudtrail:PutEventSelectors',
        'guardduty:DeleteDetector',
        'guardduty:DisassociateFromAdministratorAccount',
        'guardduty:DisassociateFromMasterAccount',
        'config:StopConfigurationRecorder',
        'config:DeleteConfigurationRecorder',
        'config:DeleteDeliveryChannel',
      ],
      Resource: '*',
    },
  );
  if (p.state) {
    const bucket = `arn:aws:s3:::${p.state.bucketName}`;
    statements.push({
      Sid: 'NeverLoseOrExposeTheState',
      Effect: 'Deny',
      Action: [...DENIED_STATE_BUCKET_ACTIONS],
      Resource: [bucket, `${bucket}/*`],
    });
    if (p.state.kmsKeyArns.length > 0) {
      statements.push({
        Sid: 'NeverDisableTheStateKey',
        Effect: 'Deny',
        Action: ['kms:ScheduleKeyDeletion', 'kms:DisableKey', 'kms:PutKeyPolicy', 'kms:DisableKeyRotation'],
        Resource: [...p.state.kmsKeyArns],
      });
    }
  }
  return statements;
}

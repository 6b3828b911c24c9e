import { Construct } from 'constructs';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { EksPodIdentityAssociation } from '@cdktf/provider-aws/lib/eks-pod-identity-association';
import { PolicyStatement, managedPolicyArn, policyDocument } from '../common/iam';

/**
 * The EKS Pod Identity agent: a DaemonSet on the host network of every node, reached by pods at
 * this link-local address and port for their role's credentials (NetworkPolicy egress must allow it).
 */
export const POD_IDENTITY_AGENT_CIDR = '169.254.170.23/32';
export const POD_IDENTITY_AGENT_PORT = 80;

export interface WorkloadRoleProps {
  /** IAM role name. */
  readonly roleName: string;
  /** Cluster the service account lives in. */
  readonly clusterName: string;
  /** ARN of that cluster: the trust policy accepts only sessions Pod Identity tags with it. */
  readonly clusterArn: string;
  /** The cluster's account: the trust policy accepts only this account's Pod Identity. */
  readonly accountId: string;
  /** Kubernetes namespace and service account that may assume the role. */
  readonly namespace: string;
  readonly serviceAccount: string;
  /** Least-privilege inline statements; prefer these to managed policies. */
  readonly statements?: readonly PolicyStatement[];
  /** AWS managed policies (names, e.g. `AmazonEBSCSIDriverPolicy`) for AWS-maintained agents. */
  readonly managedPolicies?: readonly string[];
  /**
   * Create the EKS Pod Identity association. Leave false when the association is declared
   * elsewhere (e.g. in an EKS add-on's `pod_identity_association` block).
   * @default true
   */
  readonly associate?: boolean;
}

/**
 * The trust policy of a Pod Identity role. Pod Identity assumes the role for the pod and tags the
 * session with the cluster and the pod's namespace and service account; the conditions accept only
 * this account's Pod Identity (`aws:SourceAccount`, confused-deputy protection) and only sessions
 * tagged with this cluster, namespace and service account, so another association (another
 * cluster, or a misconfigured association in this one) cannot use the role.
 */
export function podIdentityTrust(props: Pick<WorkloadRoleProps, 'clusterArn' | 'accountId' | 'namespace' | 'serviceAccount'>): PolicyStatement[] {
  return [
    {
      Effect: 'Allow',
      Principal: { Service: 'pods.eks.amazonaws.com' },
      Action: ['sts:AssumeRole', 'sts:TagSession'],
      Condition: {
        StringEquals: {
          'aws:SourceAccount': props.accountId,
          'aws:RequestTag/kubernetes-namespace': props.namespace,
          'aws:RequestTag/kubernetes-service-account': props.serviceAccount,
        },
        ArnEquals: { 'aws:RequestTag/eks-cluster-arn': props.clusterArn },
      },
    },
  ];
}

/**
 * An IAM role for one Kubernetes service account through EKS Pod Identity: the role trusts only
 * `pods.eks.amazonaws.com` for sessions of this cluster's namespace/service account (see
 * `podIdentityTrust`), and the association binds it to exactly that namespace/service account.
 */
export class WorkloadRole extends Construct {
  readonly role: IamRole;
  readonly roleArn: string;
  readonly roleName: string;
  readonly namespace: string;
  readonly serviceAccount: string;
  private readonly policyNames = new Set<string>();

  constructor(scope: Construct, id: string, props: WorkloadRoleProps) {
    super(scope, id);
    if ((props.statements ?? []).length === 0 && (props.managedPolicies ?? []).length === 0) {
      throw new Error(`${this.node.path}: a workload role needs 'statements' or 'managedPolicies'. Got neither`);
    }
    this.namespace = props.namespace;
    this.serviceAccount = props.serviceAccount;
    this.role = new IamRole(this, 'role', {
      name: props.roleName,
      description: `Pod Identity role of ${props.namespace}/${props.serviceAccount} in ${props.clusterName}`,
      assumeRolePolicy: policyDocument(podIdentityTrust(props)),
    });
    this.roleArn = this.role.arn;
    this.roleName = this.role.name;
    this.policyNames.add('least-privilege');
    if (props.statements && props.statements.length > 0) {
      new IamRolePolicy(this, 'policy', { role: this.role.id, name: 'least-privilege', policy: policyDocument(props.statements) });
    }
    for (const name of props.managedPolicies ?? []) {
      new IamRolePolicyAttachment(this, `attach-${name}`, { role: this.role.name, policyArn: managedPolicyArn(name) });
    }
    if (props.associate ?? true) {
      new EksPodIdentityAssociation(this, 'association', {
        clusterName: props.clusterName,
        namespace: props.namespace,
        serviceAccount: props.serviceAccount,
        roleArn: this.role.arn,
      });
    }
  }

  /**
   * Adds least-privilege statements of another feature as an inline policy `name` of this same
   * role. EKS Pod Identity binds one role per service account: a second feature that needs AWS
   * access for a service account that already has a role extends that role instead of creating a
   * second association.
   */
  addStatements(name: string, statements: readonly PolicyStatement[]): IamRolePolicy {
    if (statements.length === 0) throw new Error(`${this.node.path}: addStatements('${name}') needs at least one statement`);
    if (this.policyNames.has(name)) throw new Error(`${this.node.path}: the role already has an inline policy named ${name}`);
    this.policyNames.add(name);
    return new IamRolePolicy(this, `policy-${name}`, { role: this.role.id, name, policy: policyDocument(statements) });
  }
}

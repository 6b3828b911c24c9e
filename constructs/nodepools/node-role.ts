import { Construct } from 'constructs';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { managedPolicyArn, serviceTrustPolicy } from '../common/iam';

/**
 * The AWS-maintained policies a managed node needs: join the cluster, pull images, and be reached
 * through SSM Session Manager (NET-3) instead of SSH. CNI permissions are not here: the VPC CNI
 * gets them through Pod Identity.
 */
export const NODE_MANAGED_POLICIES = [
  'AmazonEKSWorkerNodePolicy',
  'AmazonEC2ContainerRegistryPullOnly',
  'AmazonSSMManagedInstanceCore',
] as const;

export interface NodeRoleProps {
  readonly roleName: string;
}

/** The instance role shared by every managed node group of a cluster. */
export class NodeRole extends Construct {
  readonly role: IamRole;
  readonly arn: string;
  readonly attachments: IamRolePolicyAttachment[];

  constructor(scope: Construct, id: string, props: NodeRoleProps) {
    super(scope, id);
    this.role = new IamRole(this, 'role', {
      name: props.roleName,
      assumeRolePolicy: serviceTrustPolicy('ec2.amazonaws.com'),
    });
    this.arn = this.role.arn;
    this.attachments = NODE_MANAGED_POLICIES.map(
      (name) => new IamRolePolicyAttachment(this, name, { role: this.role.name, policyArn: managedPolicyArn(name) }),
    );
  }
}

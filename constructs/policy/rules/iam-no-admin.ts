import { PolicyRule, RuleContext, fromProblems } from '../types';
import { blocks, policyStatements } from '../util';

const POLICY_TYPES = ['aws_iam_policy', 'aws_iam_role_policy', 'aws_iam_user_policy', 'aws_iam_group_policy'];
const ADMIN_POLICIES = ['AdministratorAccess', 'IAMFullAccess', 'PowerUserAccess'];

function wildcardProblems(policy: unknown, where: string, context: RuleContext): string[] {
  const statements = policyStatements(policy, context) ?? [];
  return statements
    .filter((s) => s.effect === 'Allow')
    .filter((s) => (s.actions.includes('*') || s.notActions.length > 0) && (s.resources.includes('*') || s.resources.length === 0))
    .map((s) => `${where}: Allow ${s.notActions.length > 0 ? 'NotAction' : '"*"'} on "*"`);
}

/** TAI-IAM-1: least privilege. */
export const iamNoAdmin: PolicyRule = {
  id: 'TAI-IAM-1',
  title: 'IAM policies never allow "*" actions on "*" resources',
  explanation:
    'No IAM policy (inline, managed, or a role\'s inline_policy) has an Allow statement with ' +
    'Action "*" (or NotAction) on Resource "*", and no role, user or group gets AdministratorAccess, ' +
    'IAMFullAccess or PowerUserAccess attached (SEC-3 role-based access).',
  references: { checkov: ['CKV_AWS_62', 'CKV_AWS_63', 'CKV_AWS_355', 'CKV_AWS_274'], cdkNag: ['AwsSolutions-IAM5', 'NIST.800.53.R5-IAMPolicyNoStatementsWithAdminAccess'] },
  resourceTypes: [...POLICY_TYPES, 'aws_iam_role', 'aws_iam_role_policy_attachment', 'aws_iam_user_policy_attachment', 'aws_iam_group_policy_attachment', 'aws_iam_policy_attachment'],
  check(resource, context) {
    const c = resource.config;
    if (POLICY_TYPES.includes(resource.type)) return fromProblems(wildcardProblems(c.policy, 'policy', context));
    if (resource.type === 'aws_iam_role') {
      return fromProblems(blocks(c.inline_policy).flatMap((p) => wildcardProblems(p.policy, `inline_policy ${p.name ?? ''}`.trim(), context)));
    }
    const arn = String(c.policy_arn ?? '');
    const admin = ADMIN_POLICIES.find((p) => arn.endsWith(`:policy/${p}`));
    return fromProblems(admin ? [`attaches the AWS managed policy ${admin}`] : []);
  },
};

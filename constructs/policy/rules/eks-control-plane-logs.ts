import { PolicyRule, fromProblems } from '../types';
import { asList } from '../util';

export const CONTROL_PLANE_LOGS = ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'];

/** TAI-EKS-2: every control-plane log type. */
export const eksControlPlaneLogs: PolicyRule = {
  id: 'TAI-EKS-2',
  title: 'EKS clusters send every control-plane log type to CloudWatch',
  explanation:
    'aws_eks_cluster enables api, audit, authenticator, controllerManager and scheduler logs (K8S-1), ' +
    'so API calls and authentication decisions are on record.',
  references: { checkov: ['CKV_AWS_37'], cdkNag: ['AwsSolutions-EKS2'] },
  resourceTypes: ['aws_eks_cluster'],
  check(cluster) {
    const enabled = asList<string>(cluster.config.enabled_cluster_log_types);
    return fromProblems(CONTROL_PLANE_LOGS.filter((t) => !enabled.includes(t)).map((t) => `log type ${t} is not enabled`));
  },
};

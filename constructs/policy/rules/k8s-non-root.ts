import { NOT_APPLICABLE, PolicyRule, fromProblems } from '../types';
import { block, isTrue } from '../util';
import { WORKLOAD_TYPES, containersOf, podSpecOf } from './k8s-common';

/** TAI-K8S-1: non-root, no privilege escalation, not privileged. */
export const k8sNonRoot: PolicyRule = {
  id: 'TAI-K8S-1',
  title: 'Containers run as non-root without privilege escalation',
  explanation:
    'Every container of a kubernetes_* workload runs as non-root (run_as_non_root = true or a ' +
    'non-zero run_as_user, on the container or the pod), sets allow_privilege_escalation = false ' +
    'and is not privileged (SEC-4; the Pod Security "restricted" profile).',
  references: { checkov: ['CKV_K8S_6', 'CKV_K8S_20', 'CKV_K8S_16', 'CKV_K8S_23'], cdkNag: [] },
  resourceTypes: WORKLOAD_TYPES,
  check(resource) {
    const pod = podSpecOf(resource);
    const containers = containersOf(pod);
    if (containers.length === 0) return NOT_APPLICABLE;
    const podCtx = block(pod.security_context);
    const problems: string[] = [];
    for (const c of containers) {
      const ctx = block(c.config.security_context);
      const nonRootFlag = ctx.run_as_non_root ?? podCtx.run_as_non_root;
      const user = ctx.run_as_user ?? podCtx.run_as_user;
      const nonRoot = (isTrue(nonRootFlag) && String(user ?? '') !== '0') || (user !== undefined && Number(user) > 0);
      if (!nonRoot) problems.push(`container ${c.name}: may run as root (set run_as_non_root / run_as_user)`);
      if (ctx.allow_privilege_escalation !== false && ctx.allow_privilege_escalation !== 'false') {
        problems.push(`container ${c.name}: allow_privilege_escalation is not false`);
      }
      if (isTrue(ctx.privileged)) problems.push(`container ${c.name}: privileged`);
    }
    return fromProblems(problems);
  },
};

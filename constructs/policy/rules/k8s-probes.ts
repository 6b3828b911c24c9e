import { NOT_APPLICABLE, PolicyRule, fromProblems } from '../types';
import { blocks } from '../util';
import { LONG_RUNNING_TYPES, containersOf, podSpecOf } from './k8s-common';

/** TAI-K8S-3: liveness and readiness probes. */
export const k8sProbes: PolicyRule = {
  id: 'TAI-K8S-3',
  title: 'Long-running containers have liveness and readiness probes',
  explanation:
    'Every (non-init) container of a deployment, stateful set, daemon set or pod has a ' +
    'liveness_probe and a readiness_probe, so Kubernetes restarts a hung process and sends no ' +
    'traffic to a pod that is not ready (APP-1, SEC-4). Jobs and cron jobs run to completion and ' +
    'are not applicable.',
  references: { checkov: ['CKV_K8S_8', 'CKV_K8S_9'], cdkNag: [] },
  resourceTypes: LONG_RUNNING_TYPES,
  check(resource) {
    const containers = containersOf(podSpecOf(resource)).filter((c) => !c.init);
    if (containers.length === 0) return NOT_APPLICABLE;
    const problems: string[] = [];
    for (const c of containers) {
      for (const probe of ['liveness_probe', 'readiness_probe']) {
        if (blocks(c.config[probe]).length === 0) problems.push(`container ${c.name}: no ${probe}`);
      }
    }
    return fromProblems(problems);
  },
};

import { NOT_APPLICABLE, PolicyRule, fromProblems } from '../types';
import { block } from '../util';
import { WORKLOAD_TYPES, containersOf, podSpecOf } from './k8s-common';

/** TAI-K8S-2: requests and limits. */
export const k8sResources: PolicyRule = {
  id: 'TAI-K8S-2',
  title: 'Containers declare CPU and memory requests and limits',
  explanation:
    'Every container of a kubernetes_* workload sets resources.requests (cpu, memory) and ' +
    'resources.limits (cpu, memory), so the scheduler places it correctly and one workload ' +
    'cannot starve its node (SEC-4).',
  references: { checkov: ['CKV_K8S_10', 'CKV_K8S_11', 'CKV_K8S_12', 'CKV_K8S_13'], cdkNag: [] },
  resourceTypes: WORKLOAD_TYPES,
  check(resource) {
    const containers = containersOf(podSpecOf(resource));
    if (containers.length === 0) return NOT_APPLICABLE;
    const problems: string[] = [];
    for (const c of containers) {
      const res = block(c.config.resources);
      for (const kind of ['requests', 'limits'] as const) {
        const values = block(res[kind]);
        const missing = ['cpu', 'memory'].filter((k) => values[k] === undefined || values[k] === '');
        if (missing.length > 0) problems.push(`container ${c.name}: no ${kind}.${missing.join('/')}`);
      }
    }
    return fromProblems(problems);
  },
};

import { COMPLIANT, NOT_APPLICABLE, PolicyRule, nonCompliant } from '../types';
import { block, blocks } from '../util';
import { POOL_LABEL } from '../../nodepools/placement';
import { WORKLOAD_TYPES, podSpecOf } from './k8s-common';

/** Whether a pod spec selects a node pool by label or required node affinity. */
export function selectsPool(pod: Record<string, any>): boolean {
  if (block(pod.node_selector)[POOL_LABEL] !== undefined) return true;
  const required = block(block(block(pod.affinity).node_affinity).required_during_scheduling_ignored_during_execution);
  return blocks(required.node_selector_term).some((term) => blocks(term.match_expressions).some((e) => e.key === POOL_LABEL && e.operator === 'In'));
}

/** TAI-K8S-7: every pod is placed on a node pool. */
export const k8sPoolPlacement: PolicyRule = {
  id: 'TAI-K8S-7',
  title: 'Pods are placed on a node pool',
  explanation:
    `Every pod template (except daemon sets, which run on every node by design) selects a node pool ` +
    `through the ${POOL_LABEL} node label (node_selector or a required node affinity), so workloads ` +
    'land on the pool sized for them and never on the database or vector pools by accident (K8S-2).',
  references: { checkov: [], cdkNag: [] },
  resourceTypes: WORKLOAD_TYPES.filter((t) => !/daemon/.test(t)),
  check(resource) {
    const pod = podSpecOf(resource);
    if (Object.keys(pod).length === 0) return NOT_APPLICABLE;
    return selectsPool(pod) ? COMPLIANT : nonCompliant(`no node_selector on ${POOL_LABEL} (or required node affinity on it)`);
  },
};

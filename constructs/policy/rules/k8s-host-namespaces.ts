import { PolicyRule, fromProblems } from '../types';
import { isTrue } from '../util';
import { WORKLOAD_TYPES, podSpecOf } from './k8s-common';

/** TAI-K8S-5: no host namespaces. */
export const k8sHostNamespaces: PolicyRule = {
  id: 'TAI-K8S-5',
  title: 'Pods do not share the host network, PID or IPC namespace',
  explanation:
    'kubernetes_* workloads leave host_network, host_pid and host_ipc unset or false (SEC-4). Node ' +
    'agents that need the host are installed by Helm charts into the namespaces marked privileged, ' +
    'each with its reason.',
  references: { checkov: ['CKV_K8S_17', 'CKV_K8S_18', 'CKV_K8S_19'], cdkNag: [] },
  resourceTypes: WORKLOAD_TYPES,
  check(resource) {
    const pod = podSpecOf(resource);
    return fromProblems(['host_network', 'host_pid', 'host_ipc'].filter((k) => isTrue(pod[k])).map((k) => `${k} is true`));
  },
};

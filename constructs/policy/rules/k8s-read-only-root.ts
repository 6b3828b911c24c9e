import { NOT_APPLICABLE, PolicyRule, fromProblems } from '../types';
import { block, isTrue } from '../util';
import { WORKLOAD_TYPES, containersOf, podSpecOf } from './k8s-common';

/** TAI-K8S-8: read-only root filesystem. */
export const k8sReadOnlyRoot: PolicyRule = {
  id: 'TAI-K8S-8',
  title: 'Containers run with a read-only root filesystem',
  explanation:
    'Every container (init containers included) of a kubernetes_* workload or a rendered chart ' +
    'sets security_context.read_only_root_filesystem = true, so a compromised process cannot ' +
    'change the image it runs from (binaries, libraries, configuration) and what it may write is ' +
    'declared: volumes, and emptyDirs for scratch paths such as /tmp (SEC-4).',
  references: { checkov: ['CKV_K8S_22'], cdkNag: [] },
  resourceTypes: WORKLOAD_TYPES,
  check(resource) {
    const containers = containersOf(podSpecOf(resource));
    if (containers.length === 0) return NOT_APPLICABLE;
    return fromProblems(
      containers.filter((c) => !isTrue(block(c.config.security_context).read_only_root_filesystem)).map((c) => `container ${c.name}: read_only_root_filesystem is not true`),
    );
  },
};

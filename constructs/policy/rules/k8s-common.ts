/** Where pod specs live in the kubernetes provider's workload resources. */
import { Json, SynthResource } from '../types';
import { block, blocks } from '../util';

const TEMPLATE_WORKLOADS = [
  'kubernetes_deployment',
  'kubernetes_deployment_v1',
  'kubernetes_stateful_set',
  'kubernetes_stateful_set_v1',
  'kubernetes_daemonset',
  'kubernetes_daemon_set_v1',
  'kubernetes_job',
  'kubernetes_job_v1',
  'kubernetes_replication_controller',
  'kubernetes_replication_controller_v1',
];
const CRON_WORKLOADS = ['kubernetes_cron_job', 'kubernetes_cron_job_v1'];
const POD_WORKLOADS = ['kubernetes_pod', 'kubernetes_pod_v1'];

/** Every resource type that runs containers. */
export const WORKLOAD_TYPES = [...TEMPLATE_WORKLOADS, ...CRON_WORKLOADS, ...POD_WORKLOADS];
/** Long-running workloads (probes apply); jobs run to completion. */
export const LONG_RUNNING_TYPES = WORKLOAD_TYPES.filter((t) => !/job/.test(t));

/** The pod spec of a workload resource. */
export function podSpecOf(resource: SynthResource): Json {
  const spec = block(resource.config.spec);
  if (POD_WORKLOADS.includes(resource.type)) return spec;
  if (CRON_WORKLOADS.includes(resource.type)) return block(block(block(block(spec.job_template).spec).template).spec);
  return block(block(spec.template).spec);
}

export interface ContainerView {
  readonly name: string;
  readonly init: boolean;
  readonly config: Json;
}

export function containersOf(pod: Json): ContainerView[] {
  return [
    ...blocks(pod.init_container).map((c) => ({ name: String(c.name ?? '?'), init: true, config: c })),
    ...blocks(pod.container).map((c) => ({ name: String(c.name ?? '?'), init: false, config: c })),
  ];
}

/**
 * The Kubernetes provider's workload resources (Deployment, DaemonSet, Job, CronJob), typed with
 * the generated configuration interfaces of ./workload-types.generated.ts instead of the
 * provider's own declarations.
 *
 * The classes are the provider's, unchanged: only the compile-time view differs. The provider
 * declares each workload's pod template separately (about 800 KB of declarations each); the
 * generated interfaces share one pod template and leave out the output-reference classes, which
 * keeps a clean type-check of the app about a second faster and 85 MB smaller.
 * `__tests__/workload-types.test.ts` checks, under the full tsconfig with the provider's own
 * declarations loaded, that every generated interface is a deep subset of the provider's (same
 * keys, assignable types), so nothing accepted here can be dropped or mistyped by the provider.
 * Regenerate with `npm run codegen` after upgrading @cdktf/provider-kubernetes.
 */
import { Construct } from 'constructs';
import { TerraformResource } from 'cdktf';
import type {
  CronJobV1Config,
  DaemonSetV1Config,
  DeploymentV1Config,
  JobV1Config,
} from './workload-types.generated';

export type { CronJobV1Config, DaemonSetV1Config, DeploymentV1Config, JobV1Config };
export type { PodSpecVolume } from './workload-types.generated';

/** The attributes of a workload other resources read. */
export interface WorkloadMetadataAttributes {
  readonly name: string;
  readonly namespace: string;
  readonly uid: string;
}

/** A workload resource as the program uses it: a Terraform resource with readable metadata. */
export interface Workload extends TerraformResource {
  readonly metadata: WorkloadMetadataAttributes;
}

type WorkloadClass<C> = new (scope: Construct, id: string, config: C) => Workload;

/* eslint-disable @typescript-eslint/no-require-imports */
export const DeploymentV1: WorkloadClass<DeploymentV1Config> = require('@cdktf/provider-kubernetes/lib/deployment-v1').DeploymentV1;
export const DaemonSetV1: WorkloadClass<DaemonSetV1Config> = require('@cdktf/provider-kubernetes/lib/daemon-set-v1').DaemonSetV1;
export const JobV1: WorkloadClass<JobV1Config> = require('@cdktf/provider-kubernetes/lib/job-v1').JobV1;
export const CronJobV1: WorkloadClass<CronJobV1Config> = require('@cdktf/provider-kubernetes/lib/cron-job-v1').CronJobV1;
/* eslint-enable @typescript-eslint/no-require-imports */

export type DeploymentV1 = Workload;
export type DaemonSetV1 = Workload;
export type JobV1 = Workload;
export type CronJobV1 = Workload;

/**
 * How every scheduled job of the platform runs: on UTC, never two runs at once, and the last
 * three failures kept for inspection. Spread into a CronJob's `spec`.
 */
export const CRON_JOB_POLICY = {
  timezone: 'Etc/UTC',
  concurrencyPolicy: 'Forbid',
  failedJobsHistoryLimit: 3,
} as const;

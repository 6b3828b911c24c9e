/**
 * The generated workload configuration interfaces (constructs/kubernetes/workload-types.generated.ts)
 * are deep subsets of the provider's own: every key exists in the provider's interface and every
 * type is assignable to the provider's. Checked by the compiler (this file does not compile
 * otherwise); the runtime assertions make the result visible in the test report.
 */
import { IResolvable, TerraformMetaArguments } from 'cdktf';
import type * as Real from '@cdktf/provider-kubernetes/lib/deployment-v1';
import type * as RealDaemonSet from '@cdktf/provider-kubernetes/lib/daemon-set-v1';
import type * as RealJob from '@cdktf/provider-kubernetes/lib/job-v1';
import type * as RealCronJob from '@cdktf/provider-kubernetes/lib/cron-job-v1';
import type * as Gen from '../constructs/kubernetes/workload-types.generated';
import { CronJobV1, DaemonSetV1, DeploymentV1, JobV1 } from '../constructs/kubernetes/workloads';
import { DeploymentV1 as RealDeploymentV1 } from '@cdktf/provider-kubernetes/lib/deployment-v1';

type Element<T> = T extends readonly (infer U)[] ? U : T;
type Plain<T> = Element<Exclude<NonNullable<T>, IResolvable>>;

/** `true` when every key of A (recursively) exists in B and A is assignable to B. */
type DeepSubset<A, B> = [A] extends [B]
  ? A extends object
    ? Exclude<keyof A, keyof B> extends never
      ? { [K in keyof A & keyof B]: Plain<A[K]> extends object ? DeepSubset<Plain<A[K]>, Plain<B[K]>> : true }[keyof A & keyof B] extends true
        ? true
        : false
      : false
    : true
  : false;

/** The resource's own configuration: the meta-arguments (depends_on, provider...) are cdktf's in both. */
type Own<T> = Omit<T, keyof TerraformMetaArguments>;

const deployment: DeepSubset<Own<Gen.DeploymentV1Config>, Own<Real.DeploymentV1Config>> = true;
const daemonSet: DeepSubset<Own<Gen.DaemonSetV1Config>, Own<RealDaemonSet.DaemonSetV1Config>> = true;
const job: DeepSubset<Own<Gen.JobV1Config>, Own<RealJob.JobV1Config>> = true;
const cronJob: DeepSubset<Own<Gen.CronJobV1Config>, Own<RealCronJob.CronJobV1Config>> = true;
const metaArguments: [Gen.DeploymentV1Config] extends [TerraformMetaArguments] ? true : false = true;

// The checker itself catches a misspelled key and a wrong type.
interface Probe {
  readonly readOnlyRootFilesystem?: boolean;
}
const misspelled: DeepSubset<{ readonly readOnlyRootFileSystem?: boolean }, Probe> = false;
const wrongType: DeepSubset<{ readonly readOnlyRootFilesystem?: string }, Probe> = false;
const fine: DeepSubset<{ readonly readOnlyRootFilesystem?: boolean }, Probe> = true;

test('every generated workload interface is a deep subset of the provider interface', () => {
  expect([deployment, daemonSet, job, cronJob, metaArguments]).toEqual([true, true, true, true, true]);
});

test('the subset check rejects a misspelled key and a wrong type', () => {
  expect([misspelled, wrongType, fine]).toEqual([false, false, true]);
});

test('the facade exports the provider classes themselves', () => {
  expect(DeploymentV1).toBe(RealDeploymentV1);
  expect([DaemonSetV1, JobV1, CronJobV1].map((c) => (c as unknown as { tfResourceType: string }).tfResourceType)).toEqual([
    'kubernetes_daemon_set_v1',
    'kubernetes_job_v1',
    'kubernetes_cron_job_v1',
  ]);
});

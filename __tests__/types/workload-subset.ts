/**
 * Compile-time proof that the generated workload configuration interfaces
 * (constructs/kubernetes/workload-types.generated.ts) are deep subsets of the provider's own: every
 * key exists in the provider's interface and every type is assignable to the provider's. This file
 * compiles only when that holds. It is excluded from tsconfig.json (loading the provider's four
 * workload declarations and relating them cost the project's type check about 2 s) and compiled on
 * its own, with the project's compiler options, by __tests__/workload-types.test.ts.
 */
import type { IResolvable, TerraformMetaArguments } from 'cdktf';
import type * as Real from '@cdktf/provider-kubernetes/lib/deployment-v1';
import type * as RealDaemonSet from '@cdktf/provider-kubernetes/lib/daemon-set-v1';
import type * as RealJob from '@cdktf/provider-kubernetes/lib/job-v1';
import type * as RealCronJob from '@cdktf/provider-kubernetes/lib/cron-job-v1';
import type * as Gen from '../../constructs/kubernetes/workload-types.generated';

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

export const deployment: DeepSubset<Own<Gen.DeploymentV1Config>, Own<Real.DeploymentV1Config>> = true;
export const daemonSet: DeepSubset<Own<Gen.DaemonSetV1Config>, Own<RealDaemonSet.DaemonSetV1Config>> = true;
export const job: DeepSubset<Own<Gen.JobV1Config>, Own<RealJob.JobV1Config>> = true;
export const cronJob: DeepSubset<Own<Gen.CronJobV1Config>, Own<RealCronJob.CronJobV1Config>> = true;
export const metaArguments: [Gen.DeploymentV1Config] extends [TerraformMetaArguments] ? true : false = true;

// The checker itself catches a misspelled key and a wrong type.
interface Probe {
  readonly readOnlyRootFilesystem?: boolean;
}
export const misspelled: DeepSubset<{ readonly readOnlyRootFileSystem?: boolean }, Probe> = false;
export const wrongType: DeepSubset<{ readonly readOnlyRootFilesystem?: string }, Probe> = false;
export const fine: DeepSubset<{ readonly readOnlyRootFilesystem?: boolean }, Probe> = true;

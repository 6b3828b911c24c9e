import { LocalBackend, S3Backend, TerraformStack } from 'cdktf';
import { Environment } from '../environments/schema';

/**
 * Where a local backend keeps a stack's state, relative to the folder Terraform runs in for that
 * stack (`<outdir>/stacks/<stack>/`): `<outdir>/../terraform-state/terraform.<stack>.tfstate`, i.e.
 * `terraform-state/` at the project's root for the default `cdktf.out`.
 *
 * - Outside the output folder: the cdktf CLI deletes `<outdir>/stacks/<stack>/` of every stack a
 *   synth does not produce (`ENVIRONMENTS=staging`, or a stack removed from the program), and state
 *   kept there would go with it.
 * - Relative, with the same depth for every stack: the writing stack's backend and every reading
 *   stack's `terraform_remote_state` (cdktf copies the producer's backend configuration into it)
 *   resolve the one string to the same file, and the synthesized JSON does not depend on where the
 *   repository is cloned (the reviewer diff and the determinism test compare it byte for byte).
 */
export const LOCAL_STATE_DIR_FROM_STACK = '../../../terraform-state';

/** The local backend's path for `stackName`, as written in the synthesized configuration. */
export function localStatePath(stackName: string): string {
  return `${LOCAL_STATE_DIR_FROM_STACK}/terraform.${stackName}.tfstate`;
}

/**
 * OPS-2: a local backend by default; an S3 backend with server-side encryption and S3-native
 * locking (`use_lockfile`, Terraform >= 1.10; no DynamoDB table) when the definition names a bucket.
 */
export function configureBackend(stack: TerraformStack, env: Environment, stackName: string): void {
  const backend = env.stateBackend;
  if (backend.type === 'local') {
    new LocalBackend(stack, { path: localStatePath(stackName) });
    return;
  }
  const s3 = new S3Backend(stack, {
    bucket: backend.bucket,
    key: `${backend.keyPrefix}/${stackName}.tfstate`,
    region: backend.region,
    encrypt: true,
    kmsKeyId: backend.kmsKeyArn,
  });
  s3.addOverride('use_lockfile', true);
}

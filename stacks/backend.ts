import { LocalBackend, S3Backend, TerraformStack } from 'cdktf';
import { Environment } from '../environments/schema';

/**
 * OPS-2: a local backend by default; an S3 backend with server-side encryption and S3-native
 * locking (`use_lockfile`, Terraform >= 1.10; no DynamoDB table) when the definition names a bucket.
 */
export function configureBackend(stack: TerraformStack, env: Environment, stackName: string): void {
  const backend = env.stateBackend;
  if (backend.type === 'local') {
    new LocalBackend(stack, { path: `terraform.${stackName}.tfstate` });
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

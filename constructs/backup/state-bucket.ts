import { Construct } from 'constructs';
import { TerraformProvider } from 'cdktf';
import { EncryptionKey } from '../kms/kms-key';
import { SecureBucket } from './secure-bucket';

/** Prefix of the stable Terraform addresses of the state bucket's resources (see README "bootstrap"). */
export const STATE_BUCKET_ADDRESS_PREFIX = 'terraform_state';

export interface TerraformStateBucketProps {
  /** The bucket the S3 backend names (`stateBackend.bucket`). */
  readonly bucketName: string;
  /** Account owning the bucket; its root administers the state key through IAM. */
  readonly accountId: string;
  /** Names the state key's alias, e.g. `toronto-ai-production`. */
  readonly namePrefix: string;
  /**
   * Days an old state version is kept (every apply writes a new version).
   * @default 90
   */
  readonly noncurrentVersionExpiryDays?: number;
  /** Access logs go to this bucket (same region). Left out: no access logging. */
  readonly accessLogBucket?: string;
  /** BAK-4: prevent_destroy on the bucket and its key. */
  readonly protect: boolean;
  /** Provider for the state bucket's region when it is not the stack's default region. */
  readonly provider?: TerraformProvider;
}

/**
 * The bucket of the S3 state backend (OPS-2): versioned (every state ever written can be restored),
 * SSE-KMS with its own key, public access blocked, TLS only, never destroyed by an apply. Locking
 * is S3-native (`use_lockfile`), so no DynamoDB table.
 *
 * It lives in the environment's own cloud stack, whose state it holds: the first apply runs with a
 * local backend and `terraform init -migrate-state` then moves the state into it. Its resources
 * get stable addresses (`aws_s3_bucket.terraform_state_bucket`, ...) so that bootstrap can target
 * them and an existing bucket can be adopted with `terraform import`.
 */
export class TerraformStateBucket extends Construct {
  readonly key: EncryptionKey;
  readonly keyArn: string;
  readonly bucket: SecureBucket;

  constructor(scope: Construct, id: string, props: TerraformStateBucketProps) {
    super(scope, id);
    const provider = props.provider;
    this.key = new EncryptionKey(this, 'key', {
      provider,
      alias: `${props.namePrefix}-terraform-state`,
      description: `${props.namePrefix}: Terraform state (${props.bucketName})`,
      accountId: props.accountId,
      protect: props.protect,
      // Stable addresses (`aws_kms_key.terraform_state_key`, ...) for the bootstrap runbook.
      stableAddress: STATE_BUCKET_ADDRESS_PREFIX,
    });
    this.keyArn = this.key.arn;

    this.bucket = new SecureBucket(this, 'bucket', {
      provider,
      bucketName: props.bucketName,
      encryption: { kind: 'kms', keyArn: this.key.arn },
      lifecycle: { noncurrentVersionExpiryDays: props.noncurrentVersionExpiryDays ?? 90 },
      accessLogBucket: props.accessLogBucket,
      accessLogPrefix: 'terraform-state/',
      protect: props.protect,
      stableAddressPrefix: STATE_BUCKET_ADDRESS_PREFIX,
    });

  }
}

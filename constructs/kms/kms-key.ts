import { Construct } from 'constructs';
import { TerraformProvider } from 'cdktf';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { KmsAlias } from '@cdktf/provider-aws/lib/kms-alias';
import { PolicyStatement, policyDocument } from '../common/iam';
import { protectFromDestroy } from '../common/protection';

export interface EncryptionKeyProps {
  /** Alias without the `alias/` prefix, e.g. `toronto-ai-production-logs`. */
  readonly alias: string;
  readonly description: string;
  /** Account that owns the key; its root principal administers it through IAM. */
  readonly accountId: string;
  /** Extra key-policy statements for AWS services (CloudWatch Logs, Auto Scaling...). */
  readonly serviceStatements?: readonly PolicyStatement[];
  /**
   * Days before a scheduled deletion takes effect.
   * @default 30
   */
  readonly deletionWindowDays?: number;
  /**
   * Fixed Terraform addresses `aws_kms_key.<stableAddress>_key` and
   * `aws_kms_alias.<stableAddress>_key_alias`, for runbooks that target or import them.
   * @default generated addresses
   */
  readonly stableAddress?: string;
  /** BAK-4: prevent_destroy (data encrypted with a deleted key is lost). */
  readonly protect: boolean;
  /** Provider of another region (e.g. us-east-1 for CloudFront-scope logs). @default the stack's default aws provider */
  readonly provider?: TerraformProvider;
}

/**
 * A customer-managed KMS key with yearly rotation and an explicit key policy (SEC-3): the account
 * administers it through IAM, services listed in `serviceStatements` may use it, nothing else.
 */
export class EncryptionKey extends Construct {
  readonly key: KmsKey;
  readonly arn: string;
  readonly keyId: string;
  readonly aliasName: string;
  readonly alias: KmsAlias;

  constructor(scope: Construct, id: string, props: EncryptionKeyProps) {
    super(scope, id);
    const deletionWindowDays = props.deletionWindowDays ?? 30;
    if (deletionWindowDays < 7 || deletionWindowDays > 30) {
      throw new Error(`${this.node.path}: 'deletionWindowDays' must be between 7 and 30. Got: ${deletionWindowDays}`);
    }
    const statements: PolicyStatement[] = [
      {
        Sid: 'AccountAdministersKeyThroughIam',
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${props.accountId}:root` },
        Action: 'kms:*',
        Resource: '*',
      },
      ...(props.serviceStatements ?? []),
    ];
    this.key = new KmsKey(this, 'key', {
      provider: props.provider,
      description: props.description,
      enableKeyRotation: true,
      rotationPeriodInDays: 365,
      deletionWindowInDays: deletionWindowDays,
      keyUsage: 'ENCRYPT_DECRYPT',
      customerMasterKeySpec: 'SYMMETRIC_DEFAULT',
      policy: policyDocument(statements),
    });
    if (props.stableAddress) this.key.overrideLogicalId(`${props.stableAddress}_key`);
    protectFromDestroy(this.key, props.protect);
    this.aliasName = `alias/${props.alias}`;
    this.alias = new KmsAlias(this, 'alias', { provider: props.provider, name: this.aliasName, targetKeyId: this.key.keyId });
    if (props.stableAddress) this.alias.overrideLogicalId(`${props.stableAddress}_key_alias`);
    this.arn = this.key.arn;
    this.keyId = this.key.keyId;
  }
}

import { Construct } from 'constructs';
import { TerraformProvider } from 'cdktf';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { KmsAlias } from '@cdktf/provider-aws/lib/kms-alias';
import { KmsReplicaKey } from '@cdktf/provider-aws/lib/kms-replica-key';
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
  /**
   * Deny `actions` (e.g. `kms:DisableKey`, `kms:ScheduleKeyDeletion`) in the key policy to every
   * principal but `exceptPrincipalArns` (a break-glass role): an explicit deny in the key policy
   * wins over any IAM permission, AdministratorAccess included.
   */
  readonly guard?: KeyGuard;
  /**
   * A multi-region primary key: `replicate` makes a replica with the same key material in another
   * region. Changing it on an existing key replaces the key (new key material): introduce a new key.
   * @default false
   */
  readonly multiRegion?: boolean;
}

export interface KeyGuard {
  readonly actions: readonly string[];
  /** Principals (role ARNs) the deny does not apply to. */
  readonly exceptPrincipalArns: readonly string[];
}

/** The key-policy statement of a guard. */
export function guardStatement(guard: KeyGuard): PolicyStatement {
  if (guard.actions.length === 0 || guard.exceptPrincipalArns.length === 0) {
    throw new Error(`a key guard needs actions and at least one excepted principal. Got: ${JSON.stringify(guard)}`);
  }
  return {
    Sid: 'OnlyBreakGlassDisablesOrDeletesKey',
    Effect: 'Deny',
    Principal: { AWS: '*' },
    Action: [...guard.actions],
    Resource: '*',
    Condition: { ArnNotEquals: { 'aws:PrincipalArn': [...guard.exceptPrincipalArns] } },
  };
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
  /** Replicas of a multi-region key, by region. */
  readonly replicas: Record<string, { readonly key: KmsReplicaKey; readonly alias: KmsAlias; readonly arn: string }> = {};
  private readonly policy: string;
  private readonly protect: boolean;
  private readonly deletionWindowDays: number;
  private readonly description: string;
  private readonly multiRegion: boolean;

  constructor(scope: Construct, id: string, props: EncryptionKeyProps) {
    super(scope, id);
    const deletionWindowDays = props.deletionWindowDays ?? 30;
    this.multiRegion = props.multiRegion ?? false;
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
      ...(props.guard ? [guardStatement(props.guard)] : []),
    ];
    this.policy = policyDocument(statements);
    this.protect = props.protect;
    this.deletionWindowDays = deletionWindowDays;
    this.description = props.description;
    this.key = new KmsKey(this, 'key', {
      provider: props.provider,
      description: props.description,
      enableKeyRotation: true,
      rotationPeriodInDays: 365,
      deletionWindowInDays: deletionWindowDays,
      keyUsage: 'ENCRYPT_DECRYPT',
      customerMasterKeySpec: 'SYMMETRIC_DEFAULT',
      policy: this.policy,
      ...(props.multiRegion ? { multiRegion: true } : {}),
    });
    if (props.stableAddress) this.key.overrideLogicalId(`${props.stableAddress}_key`);
    protectFromDestroy(this.key, props.protect);
    this.aliasName = `alias/${props.alias}`;
    this.alias = new KmsAlias(this, 'alias', { provider: props.provider, name: this.aliasName, targetKeyId: this.key.keyId });
    if (props.stableAddress) this.alias.overrideLogicalId(`${props.stableAddress}_key_alias`);
    this.arn = this.key.arn;
    this.keyId = this.key.keyId;
  }

  /**
   * A replica of this multi-region key in `region` (same key material: what this key encrypted,
   * the replica decrypts), with the same key policy (guard included), deletion window, protection
   * and alias name there.
   */
  replicate(region: string, provider: TerraformProvider): { key: KmsReplicaKey; alias: KmsAlias; arn: string } {
    if (!this.multiRegion) throw new Error(`${this.node.path}: only a multi-region key can be replicated (multiRegion: true)`);
    const key = new KmsReplicaKey(this, `replica-${region}`, {
      provider,
      primaryKeyArn: this.key.arn,
      description: `${this.description} (replica in ${region})`,
      deletionWindowInDays: this.deletionWindowDays,
      policy: this.policy,
    });
    protectFromDestroy(key, this.protect);
    const alias = new KmsAlias(this, `replica-${region}-alias`, { provider, name: this.aliasName, targetKeyId: key.keyId });
    const replica = { key, alias, arn: key.arn };
    this.replicas[region] = replica;
    return replica;
  }
}

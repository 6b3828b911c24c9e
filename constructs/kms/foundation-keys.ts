/**
 * The cloud stack's foundation keys (SEC-3): Kubernetes secrets, EBS volumes, CloudWatch logs and
 * backups, with the service statements each key policy needs. The stack passes the account,
 * region and names; the key policies are built here, not in the stack (issue 10: a stack only wires).
 *
 * The keys are created directly under `scope` with the ids `key-secrets`, `key-volumes`, `key-logs`
 * and `key-backups`: their Terraform addresses are those of the keys the stack created before this
 * construct existed, so moving the code here replaced nothing.
 */
import { Construct } from 'constructs';
import { PolicyStatement } from '../common/iam';
import { EncryptionKey, KeyGuard } from './kms-key';

export type FoundationKeyName = 'secrets' | 'volumes' | 'logs' | 'backups';

export interface FoundationKeysProps {
  /** Alias prefix of the keys, e.g. `toronto-ai-production`. */
  readonly namePrefix: string;
  /** EKS cluster whose secrets the `secrets` key envelope-encrypts (descriptions only). */
  readonly clusterName: string;
  readonly accountId: string;
  /** Region of the stack: CloudWatch Logs' service principal and encryption context are regional. */
  readonly region: string;
  /** BAK-4: prevent_destroy on every key. */
  readonly protect: boolean;
  /** Guard of the backups key (the break-glass deny), where the definition guards keys. */
  readonly backupsGuard?: KeyGuard;
}

/** The Auto Scaling service-linked role encrypts and attaches the nodes' EBS volumes with the key. */
export function autoScalingVolumeStatements(accountId: string): PolicyStatement[] {
  const principal = { AWS: `arn:aws:iam::${accountId}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling` };
  return [
    {
      Sid: 'AutoScalingUsesKeyForNodeVolumes',
      Effect: 'Allow',
      Principal: principal,
      Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey'],
      Resource: '*',
    },
    {
      Sid: 'AutoScalingGrantsForAttachedVolumes',
      Effect: 'Allow',
      Principal: principal,
      Action: 'kms:CreateGrant',
      Resource: '*',
      Condition: { Bool: { 'kms:GrantIsForAWSResource': true } },
    },
  ];
}

/** CloudWatch Logs of `region` encrypts this account's log groups (and only them) with the key. */
export function cloudWatchLogsStatements(region: string, accountId: string): PolicyStatement[] {
  return [
    {
      Sid: 'CloudWatchLogsInThisAccount',
      Effect: 'Allow',
      Principal: { Service: `logs.${region}.amazonaws.com` },
      Action: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
      Resource: '*',
      Condition: {
        ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:aws:logs:${region}:${accountId}:*` },
      },
    },
  ];
}

/** Builds the four foundation keys under `scope` (see the file comment for why not in a child construct). */
export function createFoundationKeys(scope: Construct, props: FoundationKeysProps): Record<FoundationKeyName, EncryptionKey> {
  const { namePrefix, accountId, protect } = props;
  return {
    secrets: new EncryptionKey(scope, 'key-secrets', {
      alias: `${namePrefix}-eks-secrets`,
      description: `${props.clusterName}: envelope encryption of Kubernetes secrets`,
      accountId,
      protect,
    }),
    volumes: new EncryptionKey(scope, 'key-volumes', {
      alias: `${namePrefix}-volumes`,
      description: `${namePrefix}: EBS volumes of nodes and persistent volumes`,
      accountId,
      protect,
      serviceStatements: autoScalingVolumeStatements(accountId),
    }),
    logs: new EncryptionKey(scope, 'key-logs', {
      alias: `${namePrefix}-logs`,
      description: `${namePrefix}: CloudWatch log groups (flow logs, control plane)`,
      accountId,
      protect,
      serviceStatements: cloudWatchLogsStatements(props.region, accountId),
    }),
    backups: new EncryptionKey(scope, 'key-backups', {
      alias: `${namePrefix}-backups`,
      description: `${namePrefix}: backup buckets and backup jobs`,
      accountId,
      protect,
      guard: props.backupsGuard,
    }),
  };
}

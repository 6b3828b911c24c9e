import { Construct } from 'constructs';
import { TerraformProvider } from 'cdktf';
import { SecretsmanagerSecret } from '@cdktf/provider-aws/lib/secretsmanager-secret';
import { EncryptionKey, KeyGuard } from '../kms/kms-key';
import { WorkloadRole } from '../identity/workload-role';
import { protectFromDestroy } from '../common/protection';

/**
 * Values a person provides (webhook URLs, routing keys, SMTP passwords) are kept in AWS Secrets
 * Manager and synced into the cluster by the External Secrets Operator (./external-secrets.ts).
 * The cloud stack creates each Secrets Manager secret as an empty container (no version, so no
 * value ever passes through Terraform or its state); a person puts the value there with
 * `aws secretsmanager put-secret-value`. Both stacks derive the names from the same function, so
 * the platform stack needs no cross-stack reference to find them.
 */

/** One value to sync: the Kubernetes Secret `secretName` in `namespace` gets key `key`. */
export interface SyncedSecretKey {
  readonly namespace: string;
  readonly secretName: string;
  readonly key: string;
}

/** Namespace and service account of the External Secrets Operator (its Pod Identity role binds to them). */
export const EXTERNAL_SECRETS_IDENTITY = { namespace: 'external-secrets', serviceAccount: 'external-secrets' } as const;

/** The Secrets Manager name of one synced value: `<prefix>/<namespace>/<secret>/<key>`. */
export function secretsManagerName(prefix: string, ref: SyncedSecretKey): string {
  const name = `${prefix}/${ref.namespace}/${ref.secretName}/${ref.key}`;
  if (!/^[A-Za-z0-9/_+=.@-]{1,512}$/.test(name)) {
    throw new Error(`secretsManagerName: '${name}' is not a valid Secrets Manager name (letters, digits, /_+=.@-)`);
  }
  return name;
}

/** The distinct values of `refs` (same namespace, Secret and key once), in a stable order. */
export function distinctKeys(refs: readonly SyncedSecretKey[]): SyncedSecretKey[] {
  const seen = new Map<string, SyncedSecretKey>();
  for (const r of refs) seen.set(`${r.namespace}/${r.secretName}/${r.key}`, r);
  return [...seen.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, r]) => r);
}

export interface SecretContainersProps {
  /** Name prefix of every secret (the environment's resource prefix). */
  readonly prefix: string;
  readonly accountId: string;
  readonly region: string;
  /** The values to hold; each becomes one Secrets Manager secret without a value. */
  readonly keys: readonly SyncedSecretKey[];
  /** Cluster whose External Secrets Operator may read them (through Pod Identity). */
  readonly clusterName: string;
  /** ARN of that cluster (the role's trust policy names it). */
  readonly clusterArn: string;
  /** BAK-4: prevent_destroy on the key and the secrets (a deleted secret loses its value). */
  readonly protect: boolean;
  /**
   * Alias of the containers' own key (without `alias/`) and what it holds (its description).
   * @default `<prefix>-platform-secrets`, the alert receiver credentials
   */
  readonly key?: { readonly alias: string; readonly holds: string; readonly guard?: KeyGuard };
  /**
   * The External Secrets Operator's role when another SecretContainers already created it (a
   * service account has one Pod Identity association): these secrets' read statements are added
   * to it as an inline policy of their own instead of creating a second role.
   * @default a new role `<prefix>-external-secrets`
   */
  readonly readBy?: { readonly role: WorkloadRole; readonly policyName: string };
  /**
   * A copy of every secret in another region (Secrets Manager replication), encrypted there with
   * the replica of the containers' key (then a multi-region key): a region loss keeps the values.
   * @default none
   */
  readonly replica?: { readonly region: string; readonly provider: TerraformProvider };
}

/**
 * SEC-1: Secrets Manager containers for person-provided values, encrypted with their own KMS
 * key, and the External Secrets Operator's Pod Identity role, which may read exactly these
 * secrets (GetSecretValue, DescribeSecret) and decrypt with the key only through Secrets Manager.
 */
export class SecretContainers extends Construct {
  readonly key: EncryptionKey;
  readonly secrets: Record<string, SecretsmanagerSecret> = {};
  readonly role: WorkloadRole;

  constructor(scope: Construct, id: string, props: SecretContainersProps) {
    super(scope, id);
    const keys = distinctKeys(props.keys);
    if (keys.length === 0) {
      throw new Error(`${this.node.path}: no values to hold; leave the construct out instead`);
    }
    this.key = new EncryptionKey(this, 'key', {
      alias: props.key?.alias ?? `${props.prefix}-platform-secrets`,
      description: `${props.prefix}: Secrets Manager values synced into the cluster (${props.key?.holds ?? 'alert receiver credentials'})`,
      accountId: props.accountId,
      protect: props.protect,
      ...(props.key?.guard ? { guard: props.key.guard } : {}),
      ...(props.replica ? { multiRegion: true } : {}),
    });
    const replicaKey = props.replica ? this.key.replicate(props.replica.region, props.replica.provider) : undefined;
    for (const k of keys) {
      const name = secretsManagerName(props.prefix, k);
      const secret = new SecretsmanagerSecret(this, name.slice(props.prefix.length + 1).replace(/[^A-Za-z0-9-]/g, '-'), {
        name,
        description: `Synced by External Secrets into ${k.namespace}/${k.secretName} key ${k.key}. Value: aws secretsmanager put-secret-value (README)`,
        kmsKeyId: this.key.arn,
        recoveryWindowInDays: 30,
        ...(props.replica && replicaKey ? { replica: [{ region: props.replica.region, kmsKeyId: replicaKey.arn }] } : {}),
      });
      protectFromDestroy(secret, props.protect);
      this.secrets[name] = secret;
    }
    const arns = Object.values(this.secrets).map((s) => s.arn);
    const statements = [
      { Sid: 'ReadSyncedSecrets', Effect: 'Allow' as const, Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'], Resource: arns },
      {
        Sid: 'DecryptThroughSecretsManager',
        Effect: 'Allow' as const,
        Action: 'kms:Decrypt',
        Resource: this.key.arn,
        Condition: { StringEquals: { 'kms:ViaService': `secretsmanager.${props.region}.amazonaws.com` } },
      },
    ];
    if (props.readBy) {
      props.readBy.role.addStatements(props.readBy.policyName, statements);
      this.role = props.readBy.role;
      return;
    }
    this.role = new WorkloadRole(this, 'external-secrets-role', {
      roleName: `${props.prefix}-external-secrets`,
      clusterName: props.clusterName,
      clusterArn: props.clusterArn,
      accountId: props.accountId,
      namespace: EXTERNAL_SECRETS_IDENTITY.namespace,
      serviceAccount: EXTERNAL_SECRETS_IDENTITY.serviceAccount,
      statements,
    });
  }
}

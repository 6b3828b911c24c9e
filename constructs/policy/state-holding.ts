/**
 * BAK-4: which Terraform resources hold state an ordinary apply must never destroy. One
 * classification, used by the policy rule TAI-DATA-1 (at synth), by the data-safety walker
 * (scripts/data-safety.ts, over synthesized output) and by the platform stack, which protects
 * what it classifies (stacks/platform-stack.ts).
 *
 * - by type: AWS data stores, keys, log groups, secrets, Kubernetes volumes (STATE_HOLDING);
 * - Helm releases that own data: their values put data on a persistent volume (a storage class
 *   anywhere in the values: PostgreSQL cluster, MongoDB, Vault, Chroma, Elasticsearch,
 *   Prometheus). Destroying such a release deletes its custom resources or StatefulSets, and with
 *   them the claims of the data;
 * - namespaces that hold data (STATE_HOLDING_NAMESPACES): deleting one deletes everything in it.
 */
import { DATA_NAMESPACES } from '../../environments/schema';

/** State-holding resource types (exact names or patterns). */
export const STATE_HOLDING: readonly RegExp[] = [
  /^aws_s3_bucket$/,
  /^aws_kms_key$/,
  /^aws_kms_replica_key$/,
  /^aws_eks_cluster$/,
  /^aws_cloudwatch_log_group$/,
  /^aws_elasticache_(cluster|replication_group|serverless_cache|global_replication_group)$/,
  /^aws_memorydb_cluster$/,
  /^aws_db_(instance|snapshot|cluster_snapshot)$/,
  /^aws_rds_(cluster|global_cluster)$/,
  /^aws_docdb_cluster$/,
  /^aws_docdbelastic_cluster$/,
  /^aws_neptune_cluster$/,
  /^aws_dynamodb_table$/,
  /^aws_efs_file_system$/,
  /^aws_fsx_\w+_file_system$/,
  /^aws_ebs_volume$/,
  /^aws_ebs_snapshot$/,
  /^aws_backup_vault$/,
  /^aws_secretsmanager_secret$/,
  /^aws_opensearch_domain$/,
  /^aws_ecr_repository$/,
  /^kubernetes_persistent_volume(_claim)?(_v1)?$/,
];

/** Types whose `deletion_protection` argument must be true as well. */
export const DELETION_PROTECTION_TYPES: readonly string[] = [
  'aws_db_instance',
  'aws_rds_cluster',
  'aws_rds_global_cluster',
  'aws_docdb_cluster',
  'aws_neptune_cluster',
  'aws_dynamodb_table',
];

export function isStateHolding(type: string): boolean {
  return STATE_HOLDING.some((p) => p.test(type));
}

/** Namespaces that hold data: those of the data-owning releases (data, vault, vector, logging, monitoring). */
export const STATE_HOLDING_NAMESPACES: readonly string[] = DATA_NAMESPACES;

const NAMESPACE_TYPES = /^kubernetes_namespace(_v1)?$/;

type Json = Record<string, any>;

function first(v: unknown): Json {
  if (Array.isArray(v)) return (v[0] ?? {}) as Json;
  return (v ?? {}) as Json;
}

/** Values (strings) of every `storageClass` / `storageClassName` key anywhere in a values tree. */
export function storageClassesIn(values: unknown, out: string[] = []): string[] {
  if (Array.isArray(values)) {
    values.forEach((v) => storageClassesIn(v, out));
  } else if (values && typeof values === 'object') {
    for (const [k, v] of Object.entries(values)) {
      if ((k === 'storageClass' || k === 'storageClassName') && typeof v === 'string' && v !== '') out.push(v);
      else storageClassesIn(v, out);
    }
  }
  return out;
}

/** The parsed values documents of a helm_release configuration (ChartRelease writes JSON). */
export function releaseValues(config: Json): unknown[] {
  return ((config.values ?? []) as unknown[]).flatMap((raw) => {
    if (typeof raw !== 'string') return [raw];
    try {
      return [JSON.parse(raw)];
    } catch {
      return []; // YAML values are not produced by ChartRelease; nothing to read
    }
  });
}

/** A helm_release whose values put data on a persistent volume. */
export function releaseOwnsData(config: Json): boolean {
  return releaseValues(config).some((v) => storageClassesIn(v).length > 0);
}

/** The name of a namespace resource's configuration. */
export function namespaceName(config: Json): string | undefined {
  const name = first(config.metadata).name;
  return typeof name === 'string' ? name : undefined;
}

/** One resource (type and synthesized configuration) holds state that must survive an apply. */
export function isStateHoldingResource(type: string, config: Json): boolean {
  if (isStateHolding(type)) return true;
  if (type === 'helm_release') return releaseOwnsData(config);
  if (NAMESPACE_TYPES.test(type)) return STATE_HOLDING_NAMESPACES.includes(namespaceName(config) ?? '');
  return false;
}

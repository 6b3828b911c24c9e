/**
 * BAK-4: which Terraform resource types hold state an ordinary apply must never destroy. One
 * classification, used by the policy rule TAI-DATA-1 (at synth) and by the data-safety walker
 * (scripts/data-safety.ts, over synthesized output).
 */

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

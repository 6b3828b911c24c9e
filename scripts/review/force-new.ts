/**
 * Arguments whose change makes Terraform destroy and re-create the resource (ForceNew in the AWS
 * and Kubernetes providers), for the stateful and network types reviewers must not miss. Paths are
 * flattened attribute paths as printed by the diff (`vpc_config.subnet_ids`); a path matches an
 * entry when it equals it or lies beneath it. Not exhaustive: `cdktf diff <stack>` (terraform
 * plan) is the authoritative answer; this table makes the common cases visible before a plan.
 */
export const FORCE_NEW: Readonly<Record<string, readonly string[]>> = {
  aws_vpc: ['cidr_block', 'instance_tenancy'],
  aws_subnet: ['cidr_block', 'availability_zone', 'availability_zone_id', 'vpc_id', 'ipv6_cidr_block'],
  aws_nat_gateway: ['subnet_id', 'allocation_id', 'connectivity_type', 'private_ip'],
  aws_eip: ['domain', 'network_border_group'],
  aws_internet_gateway: [],
  aws_route_table: ['vpc_id'],
  aws_security_group: ['name', 'name_prefix', 'vpc_id', 'description'],
  aws_vpc_endpoint: ['vpc_id', 'service_name', 'vpc_endpoint_type'],
  aws_flow_log: ['vpc_id', 'log_destination', 'log_destination_type', 'traffic_type', 'iam_role_arn', 'max_aggregation_interval'],
  aws_eks_cluster: ['name', 'role_arn', 'encryption_config', 'kubernetes_network_config', 'vpc_config.subnet_ids', 'bootstrap_self_managed_addons', 'access_config.bootstrap_cluster_creator_admin_permissions'],
  aws_eks_node_group: ['cluster_name', 'node_group_name', 'node_group_name_prefix', 'node_role_arn', 'subnet_ids', 'instance_types', 'ami_type', 'capacity_type', 'disk_size', 'remote_access'],
  aws_launch_template: [],
  aws_kms_key: ['customer_master_key_spec', 'key_usage', 'multi_region', 'custom_key_store_id', 'xks_key_id'],
  aws_s3_bucket: ['bucket', 'bucket_prefix', 'object_lock_enabled'],
  aws_cloudwatch_log_group: ['name', 'name_prefix'],
  aws_db_instance: ['identifier', 'engine', 'availability_zone', 'db_subnet_group_name', 'kms_key_id', 'storage_encrypted', 'username', 'character_set_name', 'snapshot_identifier'],
  aws_rds_cluster: ['cluster_identifier', 'engine', 'engine_mode', 'availability_zones', 'db_subnet_group_name', 'kms_key_id', 'storage_encrypted', 'master_username', 'snapshot_identifier'],
  aws_elasticache_replication_group: ['replication_group_id', 'engine', 'subnet_group_name', 'at_rest_encryption_enabled', 'kms_key_id', 'port', 'snapshot_arns', 'snapshot_name'],
  aws_elasticache_cluster: ['cluster_id', 'engine', 'subnet_group_name', 'port', 'replication_group_id', 'snapshot_arns'],
  aws_elasticache_subnet_group: ['name'],
  aws_efs_file_system: ['creation_token', 'encrypted', 'kms_key_id', 'performance_mode', 'availability_zone_name'],
  aws_ebs_volume: ['availability_zone', 'encrypted', 'kms_key_id', 'snapshot_id'],
  aws_lb: ['name', 'name_prefix', 'internal', 'load_balancer_type', 'customer_owned_ipv4_pool'],
  aws_acm_certificate: ['domain_name', 'subject_alternative_names', 'validation_method', 'key_algorithm'],
  aws_route53_zone: ['name', 'delegation_set_id'],
  aws_wafv2_web_acl: ['name', 'scope'],
  aws_backup_vault: ['name', 'encryption_key_arn'],
  aws_iam_role: ['name', 'name_prefix', 'path'],
  kubernetes_namespace_v1: ['metadata.name'],
  kubernetes_persistent_volume_claim_v1: ['metadata.name', 'metadata.namespace', 'spec.storage_class_name', 'spec.access_modes', 'spec.selector', 'spec.volume_name'],
  kubernetes_storage_class_v1: ['metadata.name', 'storage_provisioner', 'parameters', 'reclaim_policy', 'volume_binding_mode'],
  kubernetes_stateful_set_v1: ['metadata.name', 'metadata.namespace', 'spec.volume_claim_template', 'spec.service_name', 'spec.selector'],
  helm_release: ['name', 'namespace'],
};

/** Types whose replacement loses data or breaks connectivity (labelled in the report). */
export const STATEFUL_TYPES = new Set([
  'aws_s3_bucket', 'aws_kms_key', 'aws_eks_cluster', 'aws_cloudwatch_log_group', 'aws_db_instance', 'aws_rds_cluster',
  'aws_elasticache_replication_group', 'aws_elasticache_cluster', 'aws_efs_file_system', 'aws_ebs_volume', 'aws_backup_vault',
  'kubernetes_persistent_volume_claim_v1', 'kubernetes_stateful_set_v1', 'kubernetes_namespace_v1', 'helm_release',
]);

/** Whether changing `path` of a `type` forces replacement. */
export function forcesReplacement(type: string, path: string): boolean {
  return (FORCE_NEW[type] ?? []).some((attr) => path === attr || path.startsWith(`${attr}.`) || path.startsWith(`${attr}[`));
}

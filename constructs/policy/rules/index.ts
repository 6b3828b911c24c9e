/** Every rule of the pack, in report order. One rule per file in this folder. */
import { PolicyRule } from '../types';
import { s3Encryption } from './s3-encryption';
import { s3TlsOnly } from './s3-tls-only';
import { s3PublicAccessBlock } from './s3-public-access-block';
import { s3Versioning } from './s3-versioning';
import { s3AccessLogs } from './s3-access-logs';
import { ebsEncryption } from './ebs-encryption';
import { imdsv2 } from './imdsv2';
import { securityGroupWorldIngress } from './sg-world-ingress';
import { subnetPublicIp } from './subnet-public-ip';
import { vpcFlowLogs } from './vpc-flow-logs';
import { vpcDefaultSecurityGroupClosed } from './vpc-default-sg-closed';
import { eksSecretsEncryption } from './eks-secrets-encryption';
import { eksControlPlaneLogs } from './eks-control-plane-logs';
import { eksPublicEndpoint } from './eks-public-endpoint';
import { logGroupEncryption } from './log-group-encryption';
import { logGroupRetention } from './log-group-retention';
import { lbAccessLogs } from './lb-access-logs';
import { lbTlsListeners } from './lb-tls-listeners';
import { lbDeletionProtection } from './lb-deletion-protection';
import { wafLogging } from './waf-logging';
import { elasticacheAtRest } from './elasticache-at-rest';
import { elasticacheInTransit } from './elasticache-in-transit';
import { kmsRotation } from './kms-rotation';
import { kmsKeyPolicy } from './kms-key-policy';
import { iamNoAdmin } from './iam-no-admin';
import { stateProtection } from './state-protection';
import { k8sNonRoot } from './k8s-non-root';
import { k8sResources } from './k8s-resources';
import { k8sProbes } from './k8s-probes';
import { k8sImagePinned } from './k8s-image-pinned';
import { k8sHostNamespaces } from './k8s-host-namespaces';
import { k8sDefaultNamespace } from './k8s-default-namespace';
import { k8sPoolPlacement } from './k8s-pool-placement';
import { k8sReadOnlyRoot } from './k8s-read-only-root';
import { helmPinned } from './helm-pinned';
import { literalSecrets } from './literal-secrets';

export const POLICY_RULES: readonly PolicyRule[] = [
  s3Encryption,
  s3TlsOnly,
  s3PublicAccessBlock,
  s3Versioning,
  s3AccessLogs,
  ebsEncryption,
  imdsv2,
  securityGroupWorldIngress,
  subnetPublicIp,
  vpcFlowLogs,
  vpcDefaultSecurityGroupClosed,
  eksSecretsEncryption,
  eksControlPlaneLogs,
  eksPublicEndpoint,
  logGroupEncryption,
  logGroupRetention,
  lbAccessLogs,
  lbTlsListeners,
  lbDeletionProtection,
  wafLogging,
  elasticacheAtRest,
  elasticacheInTransit,
  kmsRotation,
  kmsKeyPolicy,
  iamNoAdmin,
  stateProtection,
  k8sNonRoot,
  k8sResources,
  k8sProbes,
  k8sImagePinned,
  k8sHostNamespaces,
  k8sDefaultNamespace,
  k8sPoolPlacement,
  k8sReadOnlyRoot,
  helmPinned,
  literalSecrets,
];
